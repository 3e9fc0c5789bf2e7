/** EncryptSegmentTransform: plaintext in, stream_v2 wire bytes out (header, then one chunk per segment). */
import { checkSecret, deriveKeys, MAX_RUNNABLE_LOG_N, type Secret, sealHeader } from '../codec/keys.js';
import { type FrameRange, sealSegmentTail } from '../codec/segment.js';
import { forgetSession, frameCryptoFor, type SessionKey } from '../crypto/select.js';
import type { FrameCrypto } from '../crypto/types.js';
import { StreamV2Error } from '../errors.js';
import {
  DEFAULTS,
  FRAME_HEADER_SIZE,
  MAX_FRAME_SIZE,
  MAX_FRAMES_PER_SEGMENT,
  SALT_SIZE,
  SEGMENT_TAIL_SIZE,
  SUITE,
  type SuiteName,
  TAG_SIZE,
} from '../format/constants.js';
import { encodeHeaderPrefix, type HeaderParams } from '../format/header.js';
import { dataFrameWireSize, fullSegmentWireSize } from '../format/sizes.js';
import { getPlatform } from '../platform/types.js';
import { Engine } from './engine.js';
import {
  type CommonOptions,
  checkChunk,
  checkInt,
  countSegment,
  newTelemetry,
  sessionId,
  strategies,
  type Telemetry,
} from './options.js';
import { OrderedOutput } from './ordered.js';

/**
 * Largest segment an encoder buffers (1 GiB). Decoders refuse segments over 64 MiB by default
 * (spec §2 limits), so larger ones need `limits.maxSegmentBytes` on the reading side.
 */
const MAX_ENCODER_SEGMENT = 2 ** 30;

/** Options of {@link EncryptSegmentTransform}. */
export interface EncryptOptions extends CommonOptions {
  /** AEAD suite (default `aes-256-gcm`). */
  suite?: SuiteName;
  /** Plaintext bytes per DATA frame, 1..2^24 (default 65536). */
  frameSize?: number;
  /** DATA frames per segment, 1..65536 (default 16, so 1 MiB segments). */
  framesPerSegment?: number;
  /** scrypt cost for a passphrase, N = 2^logN (default 17). */
  logN?: number;
  /**
   * The stream's salt (default: 32 fresh random bytes). Only for reproducing a stream, e.g. to
   * resume an upload of the *same* plaintext (spec §8): a salt reused with another plaintext
   * under the same secret reuses nonces.
   */
  salt?: Uint8Array;
}

/** Encrypts a plaintext byte stream into the stream_v2 format. */
export class EncryptSegmentTransform extends TransformStream<Uint8Array, Uint8Array> {
  /** Counters, updated as segments are released. */
  readonly telemetry: Readonly<Telemetry>;

  /**
   * @param secret - a 32-byte key, or `{ passphrase }` (scrypt runs off the main thread)
   * @param options - suite, layout, workers, progress and queue sizes
   * @throws StreamV2Error `BAD_ARGUMENT` for a malformed secret or option
   */
  constructor(secret: Secret, options: EncryptOptions = {}) {
    const sealer = new Sealer(secret, options);
    const [writable, readable] = strategies(options);
    super(
      {
        start: (c) => sealer.start(c),
        transform: (chunk) => sealer.write(chunk),
        flush: () => sealer.end(),
        cancel: (reason: unknown) => sealer.cancel(reason),
      } as Transformer<Uint8Array, Uint8Array>,
      writable,
      readable,
    );
    this.telemetry = sealer.telemetry;
  }
}

class Sealer {
  readonly telemetry = newTelemetry();
  private readonly params: HeaderParams;
  private readonly engine: Engine;
  private readonly frameWire: number;
  private readonly segmentBytes: number;
  private out!: OrderedOutput;
  private session!: SessionKey;
  private tail!: FrameCrypto;
  private segmentIndex = 0;
  private wire: Uint8Array | null = null; // the segment being filled
  private filled = 0; // its plaintext bytes
  private sealing: ReturnType<Engine['seal']> | null = null; // its DATA frames, once full

  constructor(
    private readonly secret: Secret,
    private readonly options: EncryptOptions,
  ) {
    checkSecret(secret, true);
    const o = options;
    if (o.suite !== undefined && !Object.hasOwn(SUITE, o.suite)) {
      throw new StreamV2Error('BAD_ARGUMENT', `suite must be one of ${Object.keys(SUITE).join(', ')}`);
    }
    checkInt('frameSize', o.frameSize, 1, MAX_FRAME_SIZE);
    checkInt('framesPerSegment', o.framesPerSegment, 1, MAX_FRAMES_PER_SEGMENT);
    checkInt('logN', o.logN, 1, MAX_RUNNABLE_LOG_N);
    if (o.salt !== undefined && (!(o.salt instanceof Uint8Array) || o.salt.length !== SALT_SIZE)) {
      throw new StreamV2Error('BAD_ARGUMENT', `salt must be ${SALT_SIZE} bytes`);
    }
    const raw = secret instanceof Uint8Array;
    this.params = {
      suite: o.suite ?? DEFAULTS.suite,
      kdf: raw ? 'raw' : 'scrypt',
      logN: raw ? 0 : (o.logN ?? DEFAULTS.logN),
      frameSize: o.frameSize ?? DEFAULTS.frameSize,
      framesPerSegment: o.framesPerSegment ?? DEFAULTS.framesPerSegment,
    };
    if (this.params.frameSize * this.params.framesPerSegment > MAX_ENCODER_SEGMENT) {
      throw new StreamV2Error('BAD_ARGUMENT', `segments over ${MAX_ENCODER_SEGMENT} bytes cannot be buffered`);
    }
    this.frameWire = dataFrameWireSize(this.params.frameSize);
    this.segmentBytes = this.params.frameSize * this.params.framesPerSegment;
    this.engine = new Engine(o.workers, o.itemBytes);
  }

  async start(controller: TransformStreamDefaultController<Uint8Array>): Promise<void> {
    this.out = new OrderedOutput(controller, this.engine.inFlightLimit, () => this.close());
    try {
      const salt = this.options.salt?.slice() ?? crypto.getRandomValues(new Uint8Array(SALT_SIZE));
      const header = encodeHeaderPrefix(this.params, salt);
      const keys = await deriveKeys(
        this.secret,
        { kdf: this.params.kdf, logN: this.params.logN, salt },
        this.engine.scrypt,
      );
      sealHeader(keys.headerKey, header);
      this.session = {
        id: sessionId(),
        suite: this.params.suite,
        frameKey: keys.frameKey,
        header,
        backend: this.options.backend,
      };
      this.tail = await frameCryptoFor(getPlatform().backends, this.session);
      controller.enqueue(header.slice());
      this.telemetry.ciphertextBytes += header.length;
    } catch (e) {
      this.close();
      throw e;
    }
  }

  async write(chunk: Uint8Array): Promise<void> {
    try {
      checkChunk(chunk);
      const { frameSize } = this.params;
      let off = 0;
      while (off < chunk.length) {
        if (this.sealing) this.finishSegment(false); // more plaintext: the full one was not the last
        if (!this.wire) {
          await this.out.waitForRoom();
          this.wire = new Uint8Array(fullSegmentWireSize(this.params));
          this.filled = 0;
        }
        // Copy into the body of the frame being filled (spec §4 wire layout).
        const frame = Math.floor(this.filled / frameSize);
        const within = this.filled - frame * frameSize;
        const take = Math.min(frameSize - within, chunk.length - off);
        this.wire.set(chunk.subarray(off, off + take), frame * this.frameWire + FRAME_HEADER_SIZE + within);
        this.filled += take;
        off += take;
        if (this.filled === this.segmentBytes) this.sealing = this.sealData();
      }
    } catch (e) {
      this.close();
      throw e;
    }
  }

  async end(): Promise<void> {
    try {
      if (!this.sealing && (this.wire || this.segmentIndex === 0)) {
        // The final segment: partial, or segment 0 of an empty plaintext (spec §5).
        this.wire ??= new Uint8Array(SEGMENT_TAIL_SIZE);
        this.sealing = this.sealData();
      }
      if (this.sealing) this.finishSegment(true);
      await this.out.drain();
    } finally {
      this.close();
    }
  }

  cancel(reason: unknown): void {
    this.out?.stop(reason);
    this.close();
  }

  private range(): FrameRange {
    const { frameSize } = this.params;
    const count = Math.ceil(this.filled / frameSize);
    const lastLength = this.filled - (count - 1) * frameSize;
    return { segmentIndex: this.segmentIndex, firstFrame: 0, count, frameSize, lastLength };
  }

  private sealData(): ReturnType<Engine['seal']> {
    const range = this.range();
    if (range.count === 0) return Promise.resolve({ wire: this.wire as Uint8Array, hashes: new Uint8Array(0) });
    const sealing = this.engine.seal(this.session, range, this.wire as Uint8Array);
    sealing.catch(() => {}); // awaited in order by finishSegment; never an unhandled rejection
    return sealing;
  }

  /** Adds DIGEST and TERMINATOR (spec §4) once the DATA frames are sealed, then releases. */
  private finishSegment(final: boolean): void {
    const range = this.range();
    const sealing = this.sealing as ReturnType<Engine['seal']>;
    const tailAt = range.count * (FRAME_HEADER_SIZE + TAG_SIZE) + this.filled;
    const index = this.segmentIndex;
    const plaintext = this.filled;
    const work = sealing.then(async ({ wire, hashes }) => {
      await sealSegmentTail(this.tail, this.session.header, wire, tailAt, index, hashes, final);
      return wire.subarray(0, tailAt + SEGMENT_TAIL_SIZE);
    });
    this.out.push(work, (chunk) => countSegment(this.options, this.telemetry, range.count, plaintext, chunk.length));
    this.segmentIndex++;
    this.wire = null;
    this.sealing = null;
    this.filled = 0;
  }

  private close(): void {
    this.engine.close();
    if (this.session) forgetSession(this.session.id);
  }
}
