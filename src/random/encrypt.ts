/**
 * encryptBlob and resumeEncryption: the ciphertext of a Blob as a virtual file of known size,
 * readable from any offset, segment by segment through the workers. Segment k of the
 * ciphertext depends only on the header and plaintext segment k (spec §5, §8), so any range
 * can be produced on its own, and an interrupted encryption resumed with the same header.
 */
import type { Secret } from '../codec/keys.js';
import { StreamLayout } from '../codec/layout.js';
import { checkSignal, optionsOf, StreamV2Error } from '../errors.js';
import { FRAME_HEADER_SIZE, HEADER_SIZE, SEGMENT_TAIL_SIZE } from '../format/constants.js';
import { copyHeader, type StreamHeader } from '../format/header.js';
import type { Platform } from '../platform/types.js';
import { SegmentRunner } from '../pool/runner.js';
import { segmentStream } from '../pool/window.js';
import { envelopeFor, isRecipients, ownDecryptSecret, ownEncryptSecret } from '../recipients/container.js';
import type { Envelope } from '../recipients/envelope.js';
import { type Identity, openWith, type Passkey, type Recipients } from '../recipients/recipients.js';
import { KeyedSession } from '../session/session.js';
import { type Source, toSource } from '../source/source.js';
import type { StreamOptions } from '../stream/options.js';
import { ENCODER_KEYS, type EncoderOptions, encoderParams } from '../stream/params.js';
import { checkRange, closedError, collect, stopsOf } from './open.js';
import { checkResumeState, type ResumeState, toHex } from './resume.js';

/** What encryptBlob takes: a secret or recipients; with `resume` of a container, what opens its file key. */
type ResumeSecret = Secret | Recipients | Identity | Passkey;

/** Options of {@link encryptBlob}. */
export interface EncryptBlobOptions extends EncoderOptions {
  /** Workers, as for the transforms (see {@link StreamOptions.workers}). */
  workers?: StreamOptions['workers'];
  /**
   * Resume an encryption from its {@link BlobEncryption.resumeState} (or from what a server
   * holds, {@link resumeStateFrom}): same header, same salt, byte-identical output at every
   * offset. The layout then comes from the state's header, so no layout option may be given.
   * The source must be the same: a size or `lastModified` other than the state's is
   * `SOURCE_CHANGED`, and every segment whose DIGEST value the state recorded is re-sealed and
   * compared before any byte of it is released (a mismatch is `SOURCE_CHANGED`). A state that
   * records no segment proves nothing (its header could be another stream's, and sealing under
   * that header would reuse its nonces): it is refused, start afresh.
   *
   * A state with an `envelope` (an encryption to recipients) resumes with `{ identity }` of one
   * of its recipients, `{ passkey: true }`, or the file key: what opens the envelope's file key.
   * The envelope comes first in the output again, as it did.
   */
  resume?: ResumeState;
}

/** The option names of {@link EncryptBlobOptions}. */
const BLOB_KEYS = ['workers', 'resume', ...ENCODER_KEYS];

/** The ciphertext of a Blob, as a virtual file. */
export interface BlobEncryption {
  /** The stream header (fresh salt, or the resumed state's). */
  readonly header: StreamHeader;
  /** Exact ciphertext size in bytes, header (and key envelope, with recipients) included. */
  readonly ciphertextSize: number;
  /**
   * The ciphertext from byte `start` (default 0) to the end: bounded memory, segments sealed in
   * parallel on the workers, in order.
   * @throws StreamV2Error `BAD_ARGUMENT` for a start outside `[0, ciphertextSize]`
   */
  stream(options?: { start?: number; signal?: AbortSignal }): ReadableStream<Uint8Array>;
  /**
   * Ciphertext bytes `[start, end)` in one buffer.
   * @throws StreamV2Error `BAD_ARGUMENT` for a range outside `[0, ciphertextSize]`, `ABORTED`
   */
  read(start: number, end: number, options?: { signal?: AbortSignal }): Promise<Uint8Array>;
  /** A JSON-serializable state without key material, for `encryptBlob`'s `resume` option. */
  resumeState(): ResumeState;
  /** Releases the key and a pool made for this encryption (`workers: N`). */
  close(): void;
}

const NOTHING = new Uint8Array(0);

function checkBlob(blob: unknown): asserts blob is Blob {
  if (typeof Blob === 'undefined' || !(blob instanceof Blob)) {
    throw new StreamV2Error('BAD_ARGUMENT', 'encryptBlob expects a Blob (a File, fs.openAsBlob(path), Bun.file())');
  }
}

/** `encryptBlob` on a platform passed in; the public function and its documentation: src/index.ts. */
export async function encryptBlob(
  platform: Platform,
  blob: Blob,
  secret: ResumeSecret,
  opts?: EncryptBlobOptions,
): Promise<BlobEncryption> {
  checkBlob(blob);
  const options = optionsOf(opts, 'options', BLOB_KEYS);
  if (options.resume !== undefined) return resume(platform, blob, secret, options);
  // A copy: the caller may reuse its buffer while scrypt runs. Recipients: a fresh file key.
  const own = ownEncryptSecret(secret);
  const params = encoderParams(own.secret, options);
  const source = toSource(blob, platform);
  const runner = new SegmentRunner(platform, options.workers);
  let session: KeyedSession | undefined;
  try {
    session = await KeyedSession.create(own.secret, params, runner);
    // docs/RECIPIENTS.md §3: the key envelope, sealed to this header, comes before the stream.
    const envelope = await envelopeFor(platform.kemBackends, own, session.header.bytes);
    return new Encryption(source, session, new Map(), envelope);
  } catch (e) {
    if (session) session.close();
    else runner.close();
    throw e;
  }
}

/** `encryptBlob` with `resume`: the header from the state, the source proven the same. */
async function resume(platform: Platform, blob: Blob, secret: ResumeSecret, options: EncryptBlobOptions) {
  if (isRecipients(secret)) {
    throw new StreamV2Error(
      'BAD_ARGUMENT',
      'resume needs what opens the file key: { identity } of one of the recipients (or the file key), not { recipients }',
    );
  }
  const layout = ENCODER_KEYS.filter((k) => options[k] !== undefined);
  if (layout.length > 0) {
    throw new StreamV2Error('BAD_ARGUMENT', `resume takes the layout from the state: drop ${layout.join(', ')}`);
  }
  const given = ownDecryptSecret(secret);
  const source = toSource(blob, platform);
  const { header, digests, envelope } = checkResumeState(options.resume as ResumeState, source);
  if ('identities' in given && envelope === undefined) {
    throw new StreamV2Error(
      'BAD_ARGUMENT',
      'this state is of an encryption under a key or passphrase (it has no envelope): resume with that secret',
    );
  }
  if (digests.size === 0) {
    throw new StreamV2Error(
      'BAD_ARGUMENT',
      'the resume state records no segment, so nothing proves the source is the one it was made from: start afresh',
    );
  }
  const runner = new SegmentRunner(platform, options.workers);
  let session: KeyedSession | undefined;
  try {
    // docs/RECIPIENTS.md §2 check 12: the identity's stanza gives the file key, checked against the header.
    const own =
      'identities' in given
        ? await openWith(platform.kemBackends, (envelope as { decoded: Envelope }).decoded, given.identities)
        : given.secret;
    session = await KeyedSession.open(own, header, runner);
    const resumed = new Encryption(source, session, digests, envelope?.bytes);
    await resumed.prove();
    return resumed;
  } catch (e) {
    if (session) session.close();
    else runner.close();
    throw e;
  }
}

class Encryption implements BlobEncryption {
  readonly ciphertextSize: number;
  /** Aborted by close(): every read still going stops. */
  private readonly closed = new AbortController();
  private readonly layout: StreamLayout;
  /** DIGEST values of released segments (from the state, then as segments leave). */
  private readonly released: Map<number, string>;
  /** DIGEST values of segments sealed and not yet released. */
  private readonly sealed = new Map<number, string>();
  /** Segments being sealed now: a second request for one shares that sealing (see `seal`). */
  private readonly sealing = new Map<number, Promise<Uint8Array>>();

  constructor(
    private readonly source: Source,
    private readonly session: KeyedSession,
    digests: Map<number, string>,
    /** The key envelope before the stream (docs/RECIPIENTS.md §3), empty without recipients. */
    private readonly envelope: Uint8Array = NOTHING,
  ) {
    this.layout = new StreamLayout(session.header, source.size);
    this.ciphertextSize = envelope.length + this.layout.wireSize;
    this.released = digests;
  }

  get header(): StreamHeader {
    return copyHeader(this.session.header);
  }

  stream(options?: { start?: number; signal?: AbortSignal }): ReadableStream<Uint8Array> {
    const { start = 0, signal } = optionsOf(options, 'options', ['start', 'signal']);
    checkRange(start, this.ciphertextSize, this.ciphertextSize);
    return this.wire(start, this.ciphertextSize, checkSignal(signal));
  }

  async read(start: number, end: number, options?: { signal?: AbortSignal }): Promise<Uint8Array> {
    checkRange(start, end, this.ciphertextSize);
    const { signal } = optionsOf(options, 'options', ['signal']);
    return collect(this.wire(start, end, checkSignal(signal)), end - start);
  }

  resumeState(): ResumeState {
    const digests: Record<string, string> = {};
    for (const [k, v] of [...this.released].sort((a, b) => a[0] - b[0])) digests[k] = v;
    const lastModified = this.source.lastModified;
    return {
      version: 1,
      header: toHex(this.session.header.bytes),
      plaintextSize: this.source.size,
      ...(lastModified !== undefined ? { lastModified } : {}),
      digests,
      ...(this.envelope.length > 0 ? { envelope: toHex(this.envelope) } : {}),
    };
  }

  close(): void {
    this.closed.abort();
    this.session.close();
  }

  /**
   * Wire bytes `[start, end)` (start < end): item -1 is the key envelope (if any) and the
   * header, item k segment k, whose offsets in the stream are shifted by the envelope's size.
   */
  private wire(start: number, end: number, signal: AbortSignal | undefined): ReadableStream<Uint8Array> {
    if (this.closed.signal.aborted) throw closedError();
    const budget = this.session.runner.budget;
    const stops = stopsOf(signal, this.closed.signal);
    if (start === end) return segmentStream(budget, 0, 0, () => ({ cost: 0, run: async () => new Uint8Array(0) }));
    const shift = this.envelope.length;
    const lead = shift + HEADER_SIZE;
    const first = start < lead ? -1 : this.layout.segmentOfWire(start - shift);
    const last = end <= lead ? -1 : this.layout.segmentOfWire(end - 1 - shift);
    const trim = (offset: number, b: Uint8Array) => {
      const from = Math.max(0, start - offset);
      const to = Math.min(b.length, end - offset);
      return from === 0 && to === b.length ? b : b.slice(from, to);
    };
    const job = (k: number) => {
      if (k < 0) return { cost: 0, run: async () => trim(0, this.leadBytes()) };
      const place = this.layout.place(k);
      return {
        cost: place.plainLength + place.wireLength,
        run: async () => trim(shift + place.wireOffset, await this.seal(k)),
        onRelease: () => this.onRelease(k),
      };
    };
    return segmentStream(budget, first, last + 1, job, { stops });
  }

  /** The key envelope and the header: the bytes before segment 0. */
  private leadBytes(): Uint8Array {
    const out = new Uint8Array(this.envelope.length + HEADER_SIZE);
    out.set(this.envelope);
    out.set(this.session.header.bytes, this.envelope.length);
    return out;
  }

  /**
   * The same-source proof of a resumed encryption, before it releases a byte (spec §8): every
   * segment the state records is sealed again from the source, in parallel on the workers, and
   * its DIGEST value compared with the recorded one. Done eagerly: a resume usually continues
   * past them (a tus offset, the end of a partial file) and would never read them again, so an
   * other source with the same size would otherwise go unseen and be sealed on under the header.
   * @throws StreamV2Error `SOURCE_CHANGED` (with the segment), or what sealing throws
   */
  async prove(): Promise<void> {
    const recorded = [...this.released.keys()].sort((a, b) => a - b);
    const budget = this.session.runner.budget;
    const job = (i: number) => {
      const k = recorded[i] as number;
      const place = this.layout.place(k);
      const run = async () => {
        await this.seal(k);
        return NOTHING;
      };
      return { cost: place.plainLength + place.wireLength, run };
    };
    await segmentStream(budget, 0, recorded.length, job).pipeTo(new WritableStream());
  }

  /**
   * Segment k's wire bytes. One sealing per segment at a time: two overlapping requests (two
   * `read` calls, a `stream` and a `read`) share it, each getting its own copy. Otherwise both
   * could read the source, and if it changed between the reads, two different plaintexts would be
   * sealed under the same nonces and both released before either was compared (spec §8).
   */
  private seal(k: number): Promise<Uint8Array> {
    const shared = this.sealing.get(k);
    if (shared) return shared.then((wire) => wire.slice());
    const sealing = this.sealOnce(k).finally(() => this.sealing.delete(k));
    this.sealing.set(k, sealing);
    return sealing;
  }

  /** Seals segment k, and proves it matches what was sealed of it before (spec §8). */
  private async sealOnce(k: number): Promise<Uint8Array> {
    const { key, runner, header } = this.session;
    const place = this.layout.place(k);
    const final = k === this.layout.segments - 1;
    // The workers read the Blob themselves where they can (no plaintext through this thread).
    const input = { source: this.source, offset: place.plainOffset, length: place.plainLength };
    const wire = await runner.seal(key, header.frameSize, k, final, input);
    const valueAt = wire.length - SEGMENT_TAIL_SIZE + FRAME_HEADER_SIZE + 1; // DIGEST value, after its alg byte
    const digest = toHex(wire.subarray(valueAt, valueAt + 32));
    // Released before (or in the state), or sealed by an earlier request and not yet released.
    const before = this.released.get(k) ?? this.sealed.get(k);
    if (before !== undefined && before !== digest) {
      throw new StreamV2Error(
        'SOURCE_CHANGED',
        'this segment of the source differs from the one encrypted before under this header',
        { segmentIndex: k },
      );
    }
    this.sealed.set(k, digest);
    return wire;
  }

  private onRelease(k: number): void {
    const digest = this.sealed.get(k);
    if (digest === undefined) return;
    this.sealed.delete(k);
    this.released.set(k, digest);
  }
}
