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
import { checkLimits, copyHeader, type DecoderLimits, parseHeader, type StreamHeader } from '../format/header.js';
import type { Platform } from '../platform/types.js';
import { SegmentRunner } from '../pool/runner.js';
import { OrderedWindow, segmentStream } from '../pool/window.js';
import { checkSameHeader, LeadingEnvelope, skipEnvelope } from '../recipients/container.js';
import type { Envelope } from '../recipients/envelope.js';
import { checkLimitsOption } from '../session/session.js';
import { checkStreamEnd } from '../source/end.js';
import { type RandomAccessSource, readOwned, toSource } from '../source/source.js';
import type { StreamOptions } from '../stream/options.js';

/** Options of {@link verifyDigests}. */
export interface VerifyOptions {
  /** Workers, as for the transforms (see {@link StreamOptions.workers}). */
  workers?: StreamOptions['workers'];
  /** Refuse headers that ask for more (spec §2). Defaults: 64 MiB segments, log_n 20. */
  limits?: DecoderLimits;
  /** Called after every segment that checked, in stream order. */
  onProgress?: (progress: VerifyProgress) => void;
}

/** How far a {@link verifyDigests} got: the segments that checked, in stream order. */
export interface VerifyProgress {
  readonly segments: number;
  /** Plaintext bytes of those segments (what they will decrypt to). */
  readonly plaintextBytes: number;
  /** Their wire bytes, the header's included. */
  readonly ciphertextBytes: number;
}

/** What {@link verifyDigests} found. */
export interface VerifyResult {
  /** True when the whole stream checked. */
  readonly ok: boolean;
  /** Segments that checked (all of them when `ok`). */
  readonly segments: number;
  /** Plaintext bytes of the segments that checked (the stream's plaintext size when `ok`). */
  readonly plaintextSize: number;
  /** The stream's header (its structure and limits checked; header_mac needs the key), once read. */
  readonly header?: StreamHeader;
  /**
   * For a file encrypted to recipients (docs/RECIPIENTS.md §3): the number of stanzas in the key
   * envelope before the stream, whose structure was checked (opening one needs an identity).
   */
  readonly stanzas?: number;
  /** The first failure: spec §7 code, and the index of the bad segment when it has one. */
  readonly failure?: StreamV2Error;
}

/** What a check has found so far, and reports as it goes. */
class Tally {
  segments = 0;
  plaintextSize = 0;
  ciphertextBytes = HEADER_SIZE;
  header: StreamHeader | undefined;
  /** The key envelope before the stream, when there is one (its bytes are not the stream's, not counted). */
  envelope: Envelope | undefined;

  constructor(private readonly report: VerifyOptions['onProgress']) {}

  /** A segment checked, in order. */
  add(plaintextBytes: number, wireBytes: number): void {
    this.segments++;
    this.plaintextSize += plaintextBytes;
    this.ciphertextBytes += wireBytes;
    const { segments, ciphertextBytes } = this;
    this.report?.({ segments, plaintextBytes: this.plaintextSize, ciphertextBytes });
  }

  result(failure?: unknown): VerifyResult {
    const base = {
      segments: this.segments,
      plaintextSize: this.plaintextSize,
      ...(this.header ? { header: this.header } : {}),
      ...(this.envelope ? { stanzas: this.envelope.stanzas.length } : {}),
    };
    if (failure === undefined) return { ok: true, ...base };
    const e = toStreamV2Error(failure, 'SOURCE_FAILED');
    if (e.code === 'BAD_ARGUMENT') throw e;
    return { ok: false, ...base, failure: e };
  }
}

/** `verifyDigests` on a platform passed in; the public function and its documentation: src/index.ts. */
export async function verifyDigests(
  platform: Platform,
  input: ReadableStream<Uint8Array> | RandomAccessSource,
  opts?: VerifyOptions,
): Promise<VerifyResult> {
  const options = optionsOf(opts, 'options', ['workers', 'limits', 'onProgress']);
  const limits = checkLimitsOption(options.limits);
  const tally = new Tally(options.onProgress);
  if (typeof ReadableStream !== 'undefined' && input instanceof ReadableStream)
    return verifyStream(input, limits, platform, options.workers, tally);
  const whole = toSource(input as RandomAccessSource, platform);
  try {
    // A container: its envelope's structure, then the stream after it (docs/RECIPIENTS.md §3).
    const { envelope, stream: source } = await skipEnvelope(whole);
    tally.envelope = envelope;
    const head = await readOwned(source, 0, Math.min(HEADER_SIZE, source.size), (n) => new Uint8Array(n));
    const header = parseHeader(head);
    if (envelope) checkSameHeader(envelope.header, header);
    checkLimits(header, limits);
    tally.header = copyHeader(header);
    const { layout: places } = await checkStreamEnd(source, header);
    const runner = new SegmentRunner(platform, options.workers);
    const layout = places.layout;
    const job = (k: number) => {
      const place = places.place(k);
      const last = k === places.segments - 1;
      const input = { source, offset: place.wireOffset, length: place.wireLength };
      return {
        cost: place.wireLength,
        // A worker reads the Blob (or file) itself where it can: no ciphertext through this thread.
        run: () => runner.check(header.bytes, layout, k, last, input).then(() => NOTHING),
        onRelease: () => tally.add(place.plainLength, place.wireLength),
      };
    };
    const done = segmentStream(runner.budget, 0, places.segments, job, { onEnd: () => runner.close() });
    await done.pipeTo(new WritableStream());
    return tally.result();
  } catch (e) {
    return tally.result(e);
  }
}

const NOTHING = new Uint8Array(0);

/**
 * The keyless check of a stream read once: its segments are checked on the pool as they come,
 * in turn with every other stream on it (the same window as every other path).
 */
async function verifyStream(
  input: ReadableStream<Uint8Array>,
  limits: DecoderLimits,
  platform: Platform,
  workers: VerifyOptions['workers'],
  tally: Tally,
): Promise<VerifyResult> {
  const runner = new SegmentRunner(platform, workers);
  const window: OrderedWindow = new OrderedWindow(runner.budget, {
    onFailure: (e) => window.lane.fail(e), // stop reading: nothing after a failure counts
    onEnd: () => runner.close(),
  });
  const draining = window.readable.pipeTo(new WritableStream());
  draining.catch(() => {});
  let header: StreamHeader | undefined;
  const wire = new WireReader(limits);
  const lead = new LeadingEnvelope(); // a container's envelope (docs/RECIPIENTS.md §3)
  const on: WireEvents = {
    header: (h) => {
      if (lead.found) checkSameHeader(lead.found.envelope.header, h);
      header = h;
      tally.header = copyHeader(h);
    },
    segment: async (seg) => {
      const h = header as StreamHeader;
      const layout = { frameSize: h.frameSize, framesPerSegment: h.framesPerSegment };
      const length = seg.bytes.length;
      const grant = await window.lane.acquire(length);
      const bytes = runner.recycler.take(length); // the caller's chunk is not ours to hand over
      bytes.set(seg.bytes);
      const check = runner.check(h.bytes, layout, seg.segmentIndex, seg.final, { bytes }).then(() => NOTHING);
      window.push(check, grant, () => tally.add(seg.plaintextLength, length));
    },
  };
  const chunks = input.getReader();
  try {
    for (;;) {
      const { done, value } = await chunks.read();
      if (done) break;
      if (!(value instanceof Uint8Array)) throw new StreamV2Error('SOURCE_FAILED', 'stream chunks must be Uint8Array');
      const bytes = lead.feed(value);
      tally.envelope = lead.found?.envelope;
      if (bytes.length > 0) await wire.feed(bytes, on);
    }
    const held = lead.finish();
    if (held.length > 0) await wire.feed(held, on);
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
    return tally.result();
  } catch (e) {
    return tally.result(e);
  }
}
