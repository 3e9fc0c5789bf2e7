/** DecryptSegmentTransform: stream_v2 wire bytes in, one verified plaintext chunk per segment out. */
import { ownSecret, type Secret } from '../codec/keys.js';
import { rangePlaintextSize, segmentRange } from '../codec/range.js';
import { HeaderReader, SegmentReader, type WireSegment } from '../codec/reader.js';
import { HEADER_SIZE } from '../format/constants.js';
import type { DecoderLimits, StreamHeader } from '../format/header.js';
import { type Platform, platformOf } from '../platform/types.js';
import { checkLimitsOption, KeyedSession } from '../session/session.js';
import { Engine } from './engine.js';
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
import { Staging } from './staging.js';

/** Options of {@link DecryptSegmentTransform}. */
export interface DecryptOptions extends CommonOptions {
  /**
   * Refuse headers that ask for more (spec §2), before any allocation or scrypt. Defaults: 64 MiB
   * segments (at most 1 GiB), log_n 20 (at most 30). Mind the cost of log_n: a forged header
   * with log_n 20 makes a decoder run scrypt with 1 GiB of memory for ~3 s before `WRONG_KEY`.
   */
  limits?: DecoderLimits;
}

/**
 * Decrypts a stream_v2 byte stream. Each segment's plaintext is released only after its DATA
 * frames, DIGEST and TERMINATOR verified (spec §6.3); truncation and trailing bytes are errors.
 */
export class DecryptSegmentTransform extends TransformStream<Uint8Array, Uint8Array> {
  /** Counters, updated as segments are released. */
  readonly telemetry: Readonly<Telemetry>;
  /**
   * Bytes this transform holds now: segments in flight (input and output buffers) and chunks
   * queued for the reader. The caller's own chunks are not counted. Bounded whatever the input
   * chunk size or the reader's speed (see README, Memory).
   */
  get heldBytes(): number {
    return this.opener.heldBytes;
  }
  /** The most bytes held at once so far (see {@link DecryptSegmentTransform.heldBytes}). */
  get peakHeldBytes(): number {
    return this.opener.peakHeldBytes;
  }
  /** The parsed header, once it has arrived and verified. */
  get header(): StreamHeader | undefined {
    return this.opener.header;
  }
  private readonly opener: Opener;

  /**
   * @param secret - the 32-byte key, or `{ passphrase }`, the stream was made with
   * @param options - limits, workers, progress and queue sizes
   * @throws StreamV2Error `BAD_ARGUMENT` for a malformed secret or option
   */
  constructor(secret: Secret, options: DecryptOptions = {}) {
    const opener = new Opener(platformOf(new.target), secret, options);
    const [writable, readable] = strategies(options);
    super(
      {
        start: (c) => opener.start(c),
        transform: (chunk) => opener.write(chunk),
        flush: () => opener.end(),
        cancel: (reason: unknown) => opener.cancel(reason),
      } as Transformer<Uint8Array, Uint8Array>,
      writable,
      readable,
    );
    this.opener = opener;
    this.telemetry = opener.telemetry;
  }
}

class Opener {
  readonly telemetry = newTelemetry();
  get heldBytes(): number {
    return this.out?.heldBytes ?? 0;
  }
  get peakHeldBytes(): number {
    return this.out?.peakHeldBytes ?? 0;
  }
  header: StreamHeader | undefined;
  private readonly engine: Engine;
  private out!: OrderedOutput;
  private readonly headerReader: HeaderReader;
  private reader: SegmentReader | null = null;
  private session: KeyedSession | undefined;
  private readonly staging: Staging;

  private readonly secret: Secret;

  constructor(
    platform: Platform,
    secret: Secret,
    private readonly options: DecryptOptions,
  ) {
    this.secret = ownSecret(secret);
    const limits = checkLimitsOption(options.limits);
    this.engine = new Engine(platform, options.workers, options.itemBytes);
    this.staging = new Staging(this.engine.inFlightLimit + 1, this.engine.allocate);
    this.headerReader = new HeaderReader(limits);
  }

  start(controller: TransformStreamDefaultController<Uint8Array>): void {
    this.out = new OrderedOutput(controller, this.engine.inFlightLimit, readableHighWaterMark(this.options), () =>
      this.close(),
    );
  }

  async write(chunk: Uint8Array): Promise<void> {
    try {
      checkChunk(chunk);
      let off = this.reader ? 0 : await this.readHeader(chunk);
      while (off < chunk.length) {
        const reader = this.reader as SegmentReader;
        if (reader.atSegmentStart && !reader.done) await this.out.waitForRoom();
        let step: ReturnType<SegmentReader['feed']>;
        try {
          step = reader.feed(chunk, off);
        } catch (e) {
          // A bad frame fails the stream at its place: earlier segments still verify and go out.
          this.out.pushError(e);
          await this.out.drain();
          throw e;
        }
        off = step.next;
        if (step.segment) this.openSegment(step.segment);
      }
      await this.out.endWrite();
    } catch (e) {
      this.close();
      throw e;
    }
  }

  async end(): Promise<void> {
    try {
      if (!this.reader) {
        throw HeaderReader.truncated();
      }
      try {
        this.reader.finish();
      } catch (e) {
        this.out.pushError(e);
      }
      await this.out.drain();
    } finally {
      this.close();
    }
  }

  cancel(reason: unknown): void {
    this.out?.stop(reason);
    this.close();
  }

  /** Reads the header (spec §2), derives the keys and checks header_mac (spec §3). Returns bytes used. */
  private async readHeader(chunk: Uint8Array): Promise<number> {
    const { next, header } = this.headerReader.feed(chunk, 0);
    if (!header) return next;
    this.session = await KeyedSession.open(this.secret, header, this.engine, this.options.backend);
    this.header = header;
    this.reader = new SegmentReader(header, this.staging.take);
    this.telemetry.ciphertextBytes += HEADER_SIZE;
    return next;
  }

  private openSegment(seg: WireSegment): void {
    const session = this.session as KeyedSession;
    const header = session.header;
    // The reader checked that only the last DATA frame is short, so the length fixes the frames.
    const range = segmentRange(seg.segmentIndex, header.frameSize, seg.plaintextLength);
    const wireLength = seg.bytes.length; // read now: a worker takes the buffer over
    // spec §6.3: nothing of the segment goes out before DIGEST and TERMINATOR verify.
    const work = session.openSegment(range, seg.bytes, seg.tailOffset).then(({ plaintext, input }) => {
      this.staging.give(input);
      return plaintext;
    });
    this.out.push(
      work,
      (plaintext) => countSegment(this.options, this.telemetry, range.count, plaintext.length, wireLength),
      wireLength + rangePlaintextSize(range),
    );
  }

  private close(): void {
    if (this.session) this.session.close();
    else this.engine.close();
  }
}
