/**
 * encryptBlob and resumeEncryption: the ciphertext of a Blob as a virtual file of known size,
 * readable from any offset, segment by segment through the workers. Segment k of the
 * ciphertext depends only on the header and plaintext segment k (spec §5, §8), so any range
 * can be produced on its own, and an interrupted encryption resumed with the same header.
 */
import { ownSecret, type Secret } from '../codec/keys.js';
import { StreamLayout } from '../codec/layout.js';
import { optionsOf, StreamV2Error } from '../errors.js';
import { FRAME_HEADER_SIZE, HEADER_SIZE, SEGMENT_TAIL_SIZE } from '../format/constants.js';
import type { Platform } from '../platform/types.js';
import { Engine } from '../pool/engine.js';
import { segmentStream } from '../pool/window.js';
import { KeyedSession } from '../session/session.js';
import { type Source, toSource } from '../source/source.js';
import type { CommonOptions } from '../stream/options.js';
import { type EncoderParamOptions, encoderParams } from '../stream/params.js';
import { checkRange, collect } from './open.js';
import { checkResumeState, type ResumeState, toHex } from './resume.js';

/** Options of {@link encryptBlob}. */
export interface EncryptBlobOptions extends Pick<CommonOptions, 'workers' | 'backend'>, EncoderParamOptions {}

/** Options of {@link resumeEncryption}: the layout comes from the state's header. */
export type ResumeOptions = Pick<CommonOptions, 'workers' | 'backend'>;

/** The ciphertext of a Blob, as a virtual file. */
export interface BlobEncryption {
  /** Exact ciphertext size in bytes, header included. */
  readonly size: number;
  /** The 80-byte stream header (a copy). */
  readonly header: Uint8Array;
  /**
   * The ciphertext from byte `start` (default 0) to the end: bounded memory, segments sealed in
   * parallel on the workers, in order.
   * @throws StreamV2Error `BAD_ARGUMENT` for a start outside `[0, size]`
   */
  stream(options?: { start?: number }): ReadableStream<Uint8Array>;
  /** Ciphertext bytes `[start, end)`. */
  slice(start: number, end: number): Promise<Uint8Array>;
  /** A JSON-serializable state without key material, for {@link resumeEncryption}. */
  resumeState(): ResumeState;
  /** Releases the key and a pool made for this encryption (`workers: N`). */
  close(): void;
}

function checkBlob(blob: unknown): asserts blob is Blob {
  if (typeof Blob === 'undefined' || !(blob instanceof Blob)) {
    throw new StreamV2Error('BAD_ARGUMENT', 'encryptBlob expects a Blob (a File, fs.openAsBlob(path), Bun.file())');
  }
}

/** `encryptBlob` on a platform passed in; the public function and its documentation: src/index.ts. */
export async function encryptBlob(
  platform: Platform,
  blob: Blob,
  secret: Secret,
  opts?: EncryptBlobOptions,
): Promise<BlobEncryption> {
  checkBlob(blob);
  const options = optionsOf(opts, 'options');
  const key = ownSecret(secret, true); // a copy: the caller may reuse its buffer while scrypt runs
  const params = encoderParams(key, options);
  const source = toSource(blob, platform);
  const engine = new Engine(platform, options.workers);
  try {
    const session = await KeyedSession.create(key, params, engine, options.backend);
    return new Encryption(source, session, new Map());
  } catch (e) {
    engine.close();
    throw e;
  }
}

/** `resumeEncryption` on a platform passed in; the public function and its documentation: src/index.ts. */
export async function resumeEncryption(
  platform: Platform,
  blob: Blob,
  secret: Secret,
  state: ResumeState,
  opts?: ResumeOptions,
): Promise<BlobEncryption> {
  checkBlob(blob);
  const options = optionsOf(opts, 'options');
  const key = ownSecret(secret);
  const source = toSource(blob, platform);
  const { header, digests } = checkResumeState(state, source);
  const engine = new Engine(platform, options.workers);
  let session: KeyedSession | undefined;
  try {
    session = await KeyedSession.open(key, header, engine, options.backend);
    return new Encryption(source, session, digests);
  } catch (e) {
    if (session) session.close();
    else engine.close();
    throw e;
  }
}

class Encryption implements BlobEncryption {
  readonly size: number;
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
  ) {
    this.layout = new StreamLayout(session.header, source.size);
    this.size = this.layout.wireSize;
    this.released = digests;
  }

  get header(): Uint8Array {
    return this.session.header.bytes.slice();
  }

  stream(options?: { start?: number }): ReadableStream<Uint8Array> {
    const { start = 0 } = optionsOf(options, 'options');
    checkRange(start, this.size, this.size);
    return this.wire(start, this.size);
  }

  slice(start: number, end: number): Promise<Uint8Array> {
    try {
      checkRange(start, end, this.size);
      return collect(this.wire(start, end), end - start);
    } catch (e) {
      return Promise.reject(e);
    }
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
    };
  }

  close(): void {
    this.session.close();
  }

  /** Wire bytes `[start, end)` (start < end): item -1 is the header, item k segment k. */
  private wire(start: number, end: number): ReadableStream<Uint8Array> {
    const budget = this.session.engine.budget;
    if (start === end) return segmentStream(budget, 0, 0, () => ({ cost: 0, run: async () => new Uint8Array(0) }));
    const first = start < HEADER_SIZE ? -1 : this.layout.segmentOfWire(start);
    const last = end <= HEADER_SIZE ? -1 : this.layout.segmentOfWire(end - 1);
    const trim = (offset: number, b: Uint8Array) => {
      const from = Math.max(0, start - offset);
      const to = Math.min(b.length, end - offset);
      return from === 0 && to === b.length ? b : b.slice(from, to);
    };
    return segmentStream(budget, first, last + 1, (k) => {
      if (k < 0) return { cost: 0, run: async () => trim(0, this.session.header.bytes.slice()) };
      const place = this.layout.place(k);
      return {
        cost: place.plainLength + place.wireLength,
        run: async () => trim(place.wireOffset, await this.seal(k)),
        onRelease: () => this.onRelease(k),
      };
    });
  }

  /**
   * Segment k's wire bytes. One sealing per segment at a time: two overlapping requests (two
   * `slice` calls, a `stream` and a `slice`) share it, each getting its own copy. Otherwise both
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
    const { key, engine, header } = this.session;
    const place = this.layout.place(k);
    const final = k === this.layout.segments - 1;
    // The workers read the Blob themselves where they can (no plaintext through this thread).
    const input = { source: this.source, offset: place.plainOffset, length: place.plainLength };
    const wire = await engine.seal(key, header.frameSize, k, final, input);
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
