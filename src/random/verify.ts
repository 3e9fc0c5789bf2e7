/**
 * verifyDigests: the keyless check of a stream (what a storage server runs on an upload it
 * cannot decrypt). Structure, every frame header against its position (spec §5, §6), and every
 * segment's DIGEST value (spec §4), without the key: it proves the stream is whole and in
 * order as its encoder sealed it, as far as the DIGEST values go; only the key can prove the
 * DIGEST values themselves (their tags).
 */
import { type WireEvents, WireReader } from '../codec/reader.js';
import { optionsOf, StreamV2Error, toStreamV2Error } from '../errors.js';
import { HEADER_SIZE } from '../format/constants.js';
import { checkLimits, type DecoderLimits, parseHeader, type StreamHeader } from '../format/header.js';
import type { Platform } from '../platform/types.js';
import { Engine } from '../pool/engine.js';
import { OrderedWindow, segmentStream } from '../pool/window.js';
import { checkLimitsOption } from '../session/session.js';
import { checkEnd } from '../source/end.js';
import { type RandomAccessSource, readOwned, toSource } from '../source/source.js';
import type { CommonOptions } from '../stream/options.js';

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
  opts?: VerifyOptions,
): Promise<VerifyResult> {
  const options = optionsOf(opts, 'options');
  const limits = checkLimitsOption(options.limits);
  if (typeof ReadableStream !== 'undefined' && input instanceof ReadableStream)
    return verifyStream(input, limits, platform, options.workers);
  const source = toSource(input as RandomAccessSource, platform);
  const tally = { segments: 0, plaintextSize: 0 };
  try {
    const header = parseHeader(
      await readOwned(source, 0, Math.min(HEADER_SIZE, source.size), (n) => new Uint8Array(n)),
    );
    checkLimits(header, limits);
    const { stream } = await checkEnd(source, header);
    const engine = new Engine(platform, options.workers);
    const layout = stream.layout;
    const done = segmentStream(
      engine.budget,
      0,
      stream.segments,
      (k) => {
        const place = stream.place(k);
        const last = k === stream.segments - 1;
        const input = { source, offset: place.wireOffset, length: place.wireLength };
        return {
          cost: place.wireLength,
          // A worker reads the Blob (or file) itself where it can: no ciphertext through this thread.
          run: () => engine.check(header.bytes, layout, k, last, input).then(() => NOTHING),
          onRelease: () => {
            tally.segments++;
            tally.plaintextSize += place.plainLength;
          },
        };
      },
      { onEnd: () => engine.close() },
    );
    await done.pipeTo(new WritableStream());
    return { ok: true, ...tally };
  } catch (e) {
    return failed(e, tally);
  }
}

const NOTHING = new Uint8Array(0);

function failed(e: unknown, tally: { segments: number; plaintextSize: number }): VerifyResult {
  const failure = toStreamV2Error(e, 'SOURCE_FAILED');
  if (failure.code === 'BAD_ARGUMENT') throw failure;
  return { ok: false, segments: tally.segments, plaintextSize: tally.plaintextSize, failure };
}

/**
 * The keyless check of a stream read once: its segments are checked on the pool as they come,
 * in turn with every other stream on it (the same window as every other path).
 */
async function verifyStream(
  input: ReadableStream<Uint8Array>,
  limits: DecoderLimits,
  platform: Platform,
  workers: VerifyOptions['workers'],
): Promise<VerifyResult> {
  const engine = new Engine(platform, workers);
  const window: OrderedWindow = new OrderedWindow(engine.budget, {
    onFailure: (e) => window.lane.fail(e), // stop reading: nothing after a failure counts
    onEnd: () => engine.close(),
  });
  const tally = { segments: 0, plaintextSize: 0 };
  const draining = window.readable.pipeTo(new WritableStream());
  draining.catch(() => {});
  let header: StreamHeader | undefined;
  const wire = new WireReader(limits);
  const on: WireEvents = {
    header: (h) => {
      header = h;
    },
    segment: async (seg) => {
      const h = header as StreamHeader;
      const layout = { frameSize: h.frameSize, framesPerSegment: h.framesPerSegment };
      const length = seg.bytes.length;
      const grant = await window.lane.acquire(length);
      const bytes = engine.recycler.take(length); // the caller's chunk is not ours to hand over
      bytes.set(seg.bytes);
      const check = engine.check(h.bytes, layout, seg.segmentIndex, seg.final, { bytes }).then(() => NOTHING);
      window.push(check, grant, () => {
        tally.segments++;
        tally.plaintextSize += seg.plaintextLength;
      });
    },
  };
  const chunks = input.getReader();
  try {
    for (;;) {
      const { done, value } = await chunks.read();
      if (done) break;
      if (!(value instanceof Uint8Array)) throw new StreamV2Error('SOURCE_FAILED', 'stream chunks must be Uint8Array');
      await wire.feed(value, on);
    }
    wire.finish();
  } catch (e) {
    window.pushError(e); // at its place: the segments before it still count
    await chunks.cancel().catch(() => {});
  } finally {
    chunks.releaseLock();
  }
  window.end();
  try {
    await draining;
    return { ok: true, ...tally };
  } catch (e) {
    return failed(e, tally);
  }
}
