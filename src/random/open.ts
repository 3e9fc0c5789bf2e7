/**
 * openEncrypted: decrypt any byte range of a stream held by a random-access source. The header
 * is read and checked once (keys derived once); each request reads only the segments that
 * cover it, several at once through the workers, and releases each segment only after the
 * whole of it verified (spec §6.3).
 */
import type { Secret } from '../codec/keys.js';
import type { SegmentPlace, StreamLayout } from '../codec/layout.js';
import { abortedBy, checkSignal, optionsOf, StreamV2Error, untilAborted } from '../errors.js';
import { HEADER_SIZE } from '../format/constants.js';
import { checkLimits, copyHeader, type DecoderLimits, parseHeader, type StreamHeader } from '../format/header.js';
import type { Platform } from '../platform/types.js';
import { SegmentRunner } from '../pool/runner.js';
import { segmentStream } from '../pool/window.js';
import { checkSameHeader, openContainer, ownDecryptSecret } from '../recipients/container.js';
import type { Identity, Passkey } from '../recipients/recipients.js';
import { checkLimitsOption, KeyedSession } from '../session/session.js';
import { checkStreamEnd } from '../source/end.js';
import { type RandomAccessSource, readOwned, type Source, toSource } from '../source/source.js';
import type { StreamOptions } from '../stream/options.js';

/** Options of the random-access APIs. */
export interface RandomAccessOptions {
  /** Workers, as for the transforms (see {@link StreamOptions.workers}). */
  workers?: StreamOptions['workers'];
  /** Refuse headers that ask for more (spec §2). Defaults: 64 MiB segments, log_n 20. */
  limits?: DecoderLimits;
  /** Stops the opening (reads of the header and the end, key derivation) with `ABORTED`. */
  signal?: AbortSignal;
}

/** A plaintext range: `[start, end)`, defaults the whole plaintext. */
export interface PlaintextRange {
  start?: number;
  end?: number;
  /**
   * Stops the read with `ABORTED` as soon as it aborts: nothing more is handed out, segments in
   * flight are dropped (a worker's job that already runs finishes there, unseen), and a source
   * read that hangs is no longer waited for.
   */
  signal?: AbortSignal;
}

/** An opened stream: its header, plaintext size, and reads of any plaintext range. */
export interface EncryptedFile {
  /** The stream's header (checked, header_mac verified). */
  readonly header: StreamHeader;
  /** Plaintext size, fixed by the source's size and authenticated by the last TERMINATOR. */
  readonly plaintextSize: number;
  /**
   * The plaintext bytes `[start, end)` as a stream, one chunk per segment (the first and last
   * trimmed). Reads only the segments that cover the range.
   * @throws StreamV2Error `BAD_ARGUMENT` for a range outside `[0, plaintextSize]`
   */
  stream(range?: PlaintextRange): ReadableStream<Uint8Array>;
  /**
   * The plaintext bytes `[start, end)` in one buffer (see {@link EncryptedFile.stream}).
   * @throws StreamV2Error `BAD_ARGUMENT` for a range outside `[0, plaintextSize]`, `ABORTED`
   */
  read(start: number, end: number, options?: { signal?: AbortSignal }): Promise<Uint8Array>;
  /**
   * Releases the key and a pool made for this file (`workers: N`). Reads still going fail with
   * `ABORTED` at once; reads after it too.
   */
  close(): void;
}

/** `openEncrypted` on a platform passed in; the public function and its documentation: src/index.ts. */
export async function openEncrypted(
  platform: Platform,
  source: RandomAccessSource,
  secret: Secret | Identity | Passkey,
  options: RandomAccessOptions = {},
): Promise<EncryptedFile> {
  const given = ownDecryptSecret(secret); // a copy: the caller may reuse its buffer while scrypt runs
  const o = optionsOf(options, 'options', ['workers', 'limits', 'signal']);
  const limits = checkLimitsOption(o.limits);
  const signal = checkSignal(o.signal);
  let src = toSource(source, platform);
  let own: Secret;
  let sealedTo: StreamHeader | undefined;
  if ('secret' in given) own = given.secret;
  else {
    // docs/RECIPIENTS.md §3: the key envelope first; the stream follows it.
    const container = await untilAborted(openContainer(platform.kemBackends, src, given.identities), signal);
    ({ fileKey: own, header: sealedTo, stream: src } = container);
  }
  // Copied before it is checked: a source may change the bytes it returned (spec §6.3).
  const head = readOwned(src, 0, Math.min(HEADER_SIZE, src.size), (n) => new Uint8Array(n));
  const header = parseHeader(await untilAborted(head, signal));
  if (sealedTo) checkSameHeader(sealedTo, header);
  checkLimits(header, limits);
  const runner = new SegmentRunner(platform, o.workers);
  let session: KeyedSession | undefined;
  try {
    // The order of a sequential decoder (spec §6): header_mac first, then the frames.
    session = await untilAborted(KeyedSession.open(own, header, runner), signal);
    const { layout, end, dataFrames } = await untilAborted(checkStreamEnd(src, header), signal);
    // The last DATA frame and the FINAL TERMINATOR authenticate where the stream ends, hence
    // its plaintext size (spec §8), before any segment is read; they are checked on the copy
    // checkStreamEnd read, never on bytes the source may change.
    await untilAborted(runner.openEnd(session.key, layout.segments - 1, dataFrames, end), signal);
    return new EncryptedFileReader(src, layout, session);
  } catch (e) {
    if (session) session.close();
    else runner.close();
    throw e;
  }
}

class EncryptedFileReader implements EncryptedFile {
  readonly header: StreamHeader;
  readonly plaintextSize: number;
  /** Aborted by close(): every read still going stops. */
  private readonly closed = new AbortController();

  constructor(
    private readonly source: Source,
    private readonly layout: StreamLayout,
    private readonly session: KeyedSession,
  ) {
    this.header = copyHeader(session.header);
    this.plaintextSize = layout.plaintextSize;
  }

  stream(range?: PlaintextRange): ReadableStream<Uint8Array> {
    const { start = 0, end = this.plaintextSize, signal } = optionsOf(range, 'range', ['start', 'end', 'signal']);
    checkRange(start, end, this.plaintextSize);
    checkSignal(signal);
    if (this.closed.signal.aborted) throw closedError();
    const budget = this.session.runner.budget;
    const stops = stopsOf(signal, this.closed.signal);
    if (start === end) return segmentStream(budget, 0, 0, () => ({ cost: 0, run: async () => new Uint8Array(0) }));
    const first = this.layout.segmentOfPlaintext(start);
    const last = this.layout.segmentOfPlaintext(end - 1);
    const job = (k: number) => {
      const place = this.layout.place(k);
      return { cost: place.wireLength + place.plainLength, run: () => this.openSegment(place, start, end) };
    };
    return segmentStream(budget, first, last + 1, job, { stops });
  }

  async read(start: number, end: number, options?: { signal?: AbortSignal }): Promise<Uint8Array> {
    checkRange(start, end, this.plaintextSize);
    const { signal } = optionsOf(options, 'options', ['signal']);
    return collect(this.stream({ start, end, signal }), end - start);
  }

  close(): void {
    this.closed.abort();
    this.session.close();
  }

  /** Segment `place`, opened whole (by a worker reading the source itself where it can), then trimmed to `[start, end)`. */
  private async openSegment(place: SegmentPlace, start: number, end: number): Promise<Uint8Array> {
    const { key, runner, header } = this.session;
    const layout = { frameSize: header.frameSize, framesPerSegment: header.framesPerSegment };
    const last = place.index === this.layout.segments - 1;
    const input = { source: this.source, offset: place.wireOffset, length: place.wireLength };
    const plaintext = await runner.open(key, layout, place.index, last, input);
    const from = Math.max(0, start - place.plainOffset);
    const to = Math.min(plaintext.length, end - place.plainOffset);
    return from === 0 && to === plaintext.length ? plaintext : plaintext.slice(from, to);
  }
}

/** The error of a read that `close()` stopped. */
export function closedError(): StreamV2Error {
  return new StreamV2Error('ABORTED', 'this file was closed');
}

/** What stops a read: the caller's signal (its own error) and the file's close(). */
export function stopsOf(
  signal: AbortSignal | undefined,
  closed: AbortSignal,
): [AbortSignal | undefined, () => unknown][] {
  return [
    [signal, () => abortedBy(signal as AbortSignal)],
    [closed, closedError],
  ];
}

/** Reads a whole stream into one buffer of `size` bytes. */
export async function collect(stream: ReadableStream<Uint8Array>, size: number): Promise<Uint8Array> {
  const out = new Uint8Array(size);
  let at = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    out.set(value, at);
    at += value.length;
  }
  return out;
}

/**
 * Checks a requested range `[start, end)` against a size.
 * @throws StreamV2Error `BAD_ARGUMENT`
 */
export function checkRange(start: unknown, end: unknown, size: number): void {
  const ok = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= size;
  if (!ok(start) || !ok(end) || start > end) {
    throw new StreamV2Error('BAD_ARGUMENT', `the range must satisfy 0 <= start <= end <= ${size}`);
  }
}
