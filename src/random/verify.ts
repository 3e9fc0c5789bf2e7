/**
 * verifyDigests: the keyless check of a stream (what a storage server runs on an upload it
 * cannot decrypt). Structure, every frame header against its position (spec §5, §6), and every
 * segment's DIGEST value (spec §4), without the key: it proves the stream is whole and in
 * order as its encoder sealed it, as far as the DIGEST values go; only the key can prove the
 * DIGEST values themselves (their tags).
 */
import { HeaderReader, SegmentReader, type WireSegment } from '../codec/reader.js';
import { checkDigest, hashDataFrames } from '../codec/segment.js';
import { StreamV2Error, toStreamV2Error } from '../errors.js';
import { HEADER_SIZE } from '../format/constants.js';
import { checkLimits, type DecoderLimits, parseHeader, type StreamHeader } from '../format/header.js';
import type { Platform } from '../platform/types.js';
import { hasher } from '../pool/worker-api.js';
import { checkLimitsOption } from '../session/session.js';
import { Engine } from '../stream/engine.js';
import type { CommonOptions } from '../stream/options.js';
import { checkEnd, readSegment } from './layout.js';
import { type RandomAccessSource, toSource } from './source.js';
import { orderedStream } from './window.js';

/** Options of {@link verifyDigests}. */
export interface VerifyOptions extends Pick<CommonOptions, 'workers'> {
  /** Refuse headers that ask for more (spec §2). Defaults: 64 MiB segments, log_n 20. */
  limits?: DecoderLimits;
}

/** What {@link verifyDigests} found. */
export interface VerifyResult {
  /** True when the whole stream checked. */
  readonly ok: boolean;
  /** Segments that checked (all of them when `ok`). */
  readonly segments: number;
  /** Plaintext bytes of the segments that checked (the stream's plaintext size when `ok`). */
  readonly plaintextSize: number;
  /** The first failure: spec §7 code, and the index of the bad segment when it has one. */
  readonly failure?: StreamV2Error;
}

/** `verifyDigests` on a platform passed in; the public function and its documentation: src/index.ts. */
export async function verifyDigests(
  platform: Platform,
  input: ReadableStream<Uint8Array> | RandomAccessSource,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const limits = checkLimitsOption(options.limits);
  if (typeof ReadableStream !== 'undefined' && input instanceof ReadableStream)
    return verifyStream(input, limits, platform);
  const source = toSource(input as RandomAccessSource, platform);
  const tally = { segments: 0, plaintextSize: 0 };
  try {
    const header = parseHeader(await source.read(0, Math.min(HEADER_SIZE, source.size)));
    checkLimits(header, limits);
    const { stream } = await checkEnd(source, header);
    const engine = new Engine(platform, options.workers);
    const inWorkerSource = source.workerSource;
    const check = async (k: number) => {
      const { index, wireOffset, wireLength } = stream.place(k);
      const last = k === stream.segments - 1;
      const item = { header: header.bytes, layout: stream.layout, index, wireOffset, wireLength, last };
      // A worker reads the Blob (or file) itself where it can: no ciphertext through this thread.
      const inWorker = inWorkerSource && engine.segmentFromBlob({ ...item, source: inWorkerSource });
      if (inWorker) return inWorker;
      const seg = await readSegment(source, stream, stream.place(k));
      await engine.digest(header.bytes, describe(seg), seg.bytes);
      return new Uint8Array(0);
    };
    const onRelease = (k: number) => {
      tally.segments++;
      tally.plaintextSize += stream.place(k).plainLength;
    };
    const done = orderedStream(0, stream.segments, engine.inFlightLimit, check, {
      onRelease,
      onEnd: () => engine.close(),
    });
    await done.pipeTo(new WritableStream());
    return { ok: true, ...tally };
  } catch (e) {
    return failed(e, tally);
  }
}

function describe(seg: WireSegment) {
  return { segmentIndex: seg.segmentIndex, dataFrames: seg.dataFrames, tailOffset: seg.tailOffset };
}

function failed(e: unknown, tally: { segments: number; plaintextSize: number }): VerifyResult {
  const failure = toStreamV2Error(e, 'SOURCE_FAILED');
  if (failure.code === 'BAD_ARGUMENT') throw failure;
  return { ok: false, segments: tally.segments, plaintextSize: tally.plaintextSize, failure };
}

async function verifyStream(
  input: ReadableStream<Uint8Array>,
  limits: DecoderLimits,
  platform: Platform,
): Promise<VerifyResult> {
  const sha256 = hasher(platform.backends);
  const tally = { segments: 0, plaintextSize: 0 };
  const headerReader = new HeaderReader(limits);
  let header: StreamHeader | undefined;
  let reader: SegmentReader | undefined;
  const chunks = input.getReader();
  try {
    for (;;) {
      const { done, value } = await chunks.read();
      if (done) break;
      if (!(value instanceof Uint8Array)) throw new StreamV2Error('SOURCE_FAILED', 'stream chunks must be Uint8Array');
      let off = 0;
      if (!header) {
        ({ next: off, header } = headerReader.feed(value, 0));
        if (header) reader = new SegmentReader(header);
      }
      while (reader && off < value.length) {
        const step = reader.feed(value, off);
        off = step.next;
        const seg = step.segment;
        if (!seg) continue;
        const hashes = await hashDataFrames(sha256, seg.bytes, seg.dataFrames);
        await checkDigest(sha256, (header as StreamHeader).bytes, seg.bytes, seg.tailOffset, seg.segmentIndex, hashes);
        tally.segments++;
        tally.plaintextSize += seg.plaintextLength;
      }
    }
    if (!reader) throw HeaderReader.truncated();
    reader.finish();
    return { ok: true, ...tally };
  } catch (e) {
    await chunks.cancel().catch(() => {});
    return failed(e, tally);
  } finally {
    chunks.releaseLock();
  }
}
