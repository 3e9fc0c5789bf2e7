/** EncryptSegmentTransform: plaintext in, stream_v2 wire bytes out (header, then one chunk per segment). */
import { ownSecret, type Secret } from '../codec/keys.js';
import { type FrameRange, rangePlaintextSize, segmentRange } from '../codec/range.js';
import { StreamV2Error } from '../errors.js';
import { SALT_SIZE } from '../format/constants.js';
import type { HeaderParams } from '../format/header.js';
import { segmentPlaintextSize, segmentWireSize } from '../format/sizes.js';
import { type Platform, platformOf } from '../platform/types.js';
import { KeyedSession } from '../session/session.js';
import { Engine, type SegmentWork } from './engine.js';
import {
  type CommonOptions,
  checkChunk,
  countSegment,
  newTelemetry,
  readableHighWaterMark,
  strategies,
  type Telemetry,
} from './options.js';
import { OrderedOutput } from './ordered.js';
import { type EncoderParamOptions, encoderParams } from './params.js';
import { Staging } from './staging.js';

/** Options of {@link EncryptSegmentTransform}. */
export interface EncryptOptions extends CommonOptions, EncoderParamOptions {
  /**
   * The stream's salt (default: 32 fresh random bytes). **For test vectors only**: a salt reused
   * with another plaintext under the same secret reuses nonces (spec §8). To resume an upload,
   * use `resumeEncryption`, which proves that the source is the same before it releases a byte.
   */
  salt?: Uint8Array;
}

/** Encrypts a plaintext byte stream into the stream_v2 format. */
export class EncryptSegmentTransform extends TransformStream<Uint8Array, Uint8Array> {
  /** Counters, updated as segments are released. */
  readonly telemetry: Readonly<Telemetry>;
  /**
   * Bytes this transform holds now: segments in flight (input and output buffers) and chunks
   * queued for the reader. The caller's own chunks are not counted. Bounded whatever the input
   * chunk size or the reader's speed (see README, Memory).
   */
  get heldBytes(): number {
    return this.sealer.heldBytes;
  }
  /** The most bytes held at once so far (see {@link EncryptSegmentTransform.heldBytes}). */
  get peakHeldBytes(): number {
    return this.sealer.peakHeldBytes;
  }

  /**
   * @param secret - a 32-byte key, or `{ passphrase }` (scrypt runs off the main thread)
   * @param options - suite, layout, workers, progress and queue sizes
   * @throws StreamV2Error `BAD_ARGUMENT` for a malformed secret or option
   */
  constructor(secret: Secret, options: EncryptOptions = {}) {
    const sealer = new Sealer(platformOf(new.target), secret, options);
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
    this.sealer = sealer;
  }
  private readonly sealer: Sealer;
}

class Sealer {
  readonly telemetry = newTelemetry();
  get heldBytes(): number {
    return this.out?.heldBytes ?? 0;
  }
  get peakHeldBytes(): number {
    return this.out?.peakHeldBytes ?? 0;
  }
  private readonly params: HeaderParams;
  private readonly engine: Engine;
  private readonly segmentBytes: number;
  private readonly staging: Staging;
  private out!: OrderedOutput;
  private session: KeyedSession | undefined;
  private segmentIndex = 0;
  private plain: Uint8Array | null = null; // the plaintext of the segment being filled
  private filled = 0; // its bytes
  /** The last segment filled, its DATA frames being sealed; its tail waits to know if it is final. */
  private pending: { range: FrameRange; sealing: Promise<SegmentWork> } | null = null;

  private readonly secret: Secret;

  constructor(
    platform: Platform,
    secret: Secret,
    private readonly options: EncryptOptions,
  ) {
    this.secret = ownSecret(secret, true);
    const o = options;
    this.params = encoderParams(this.secret, o);
    if (o.salt !== undefined && (!(o.salt instanceof Uint8Array) || o.salt.length !== SALT_SIZE)) {
      throw new StreamV2Error('BAD_ARGUMENT', `salt must be ${SALT_SIZE} bytes`);
    }
    this.segmentBytes = segmentPlaintextSize(this.params);
    this.engine = new Engine(platform, o.workers, o.itemBytes);
    this.staging = new Staging(this.engine.inFlightLimit + 2, this.engine.allocate);
  }

  async start(controller: TransformStreamDefaultController<Uint8Array>): Promise<void> {
    this.out = new OrderedOutput(controller, this.engine.inFlightLimit, readableHighWaterMark(this.options), () =>
      this.close(),
    );
    try {
      const { backend, salt } = this.options;
      this.session = await KeyedSession.create(this.secret, this.params, this.engine, backend, salt?.slice());
      const header = this.session.header.bytes;
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
      let off = 0;
      while (off < chunk.length) {
        if (this.pending) this.finishSegment(false); // more plaintext: the full one was not the last
        if (!this.plain) {
          await this.out.waitForRoom();
          this.plain = this.staging.take(this.segmentBytes);
          this.filled = 0;
        }
        const take = Math.min(this.segmentBytes - this.filled, chunk.length - off);
        this.plain.set(chunk.subarray(off, off + take), this.filled);
        this.filled += take;
        off += take;
        if (this.filled === this.segmentBytes) this.sealData();
      }
      await this.out.endWrite();
    } catch (e) {
      this.close();
      throw e;
    }
  }

  async end(): Promise<void> {
    try {
      // The final segment: partial, or segment 0 of an empty plaintext (spec §5).
      if (!this.pending && (this.plain || this.segmentIndex === 0)) this.sealData();
      if (this.pending) this.finishSegment(true);
      await this.out.drain();
    } finally {
      this.close();
    }
  }

  cancel(reason: unknown): void {
    this.out?.stop(reason);
    this.close();
  }

  /** Hands the filled segment's plaintext to the engine, which seals its DATA frames. */
  private sealData(): void {
    const range = segmentRange(this.segmentIndex, this.params.frameSize, this.filled);
    const plain = (this.plain ?? new Uint8Array(0)).subarray(0, this.filled);
    const sealing = (this.session as KeyedSession).sealData(range, plain);
    sealing.catch(() => {}); // awaited in order by finishSegment; never an unhandled rejection
    this.pending = { range, sealing };
    this.plain = null; // the engine has it now
    this.filled = 0;
  }

  /** Adds DIGEST and TERMINATOR (spec §4) once the DATA frames are sealed, then releases. */
  private finishSegment(final: boolean): void {
    const { range, sealing } = this.pending as NonNullable<Sealer['pending']>;
    const index = this.segmentIndex;
    const session = this.session as KeyedSession;
    const work = sealing.then((sealed) => {
      this.staging.give(sealed.input);
      return session.sealTail(sealed, index, final);
    });
    const plainBytes = rangePlaintextSize(range);
    this.out.push(
      work,
      (chunk) => countSegment(this.options, this.telemetry, range.count, plainBytes, chunk.length),
      plainBytes + segmentWireSize(this.params, plainBytes),
    );
    this.segmentIndex++;
    this.pending = null;
  }

  private close(): void {
    if (this.session) this.session.close();
    else this.engine.close();
  }
}
