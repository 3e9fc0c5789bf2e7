/**
 * The decoder's frame reader (spec §5, §6): cuts a byte stream into whole segments and checks
 * every frame header against what its position demands before anything is decrypted. Pure: no
 * crypto, no I/O. It stops after each complete segment so the caller can apply backpressure.
 */
import { StreamV2Error } from '../errors.js';
import {
  DIGEST_ALG_SHA256,
  DIGEST_PAYLOAD_SIZE,
  FLAG_FINAL,
  FRAME_DATA,
  FRAME_DIGEST,
  FRAME_HEADER_SIZE,
  FRAME_TERMINATOR,
  HEADER_SIZE,
  TAG_SIZE,
} from '../format/constants.js';
import { type FrameHeader, isSegment, readFrameHeader } from '../format/frame.js';
import { checkLimits, checkMagic, type DecoderLimits, parseHeader, type StreamHeader } from '../format/header.js';
import { fullSegmentWireSize, type LayoutParams } from '../format/sizes.js';

/**
 * Collects the 80-byte stream header from arbitrary chunks and checks it in spec §2 order:
 * magic as soon as its bytes arrive, then structure and decoder limits, before the caller does
 * any key work or allocation. header_mac needs the key and is the caller's next step.
 */
export class HeaderReader {
  private readonly bytes = new Uint8Array(HEADER_SIZE);
  private fill = 0;

  constructor(private readonly limits: DecoderLimits = {}) {}

  /**
   * Consumes header bytes of `chunk` from `start`. Returns where it stopped, and the checked
   * header once all 80 bytes are in.
   * @throws StreamV2Error `BAD_HEADER`, `UNSUPPORTED` or `LIMIT_EXCEEDED`
   */
  feed(chunk: Uint8Array, start: number): { next: number; header?: StreamHeader } {
    const take = Math.min(HEADER_SIZE - this.fill, chunk.length - start);
    this.bytes.set(chunk.subarray(start, start + take), this.fill);
    this.fill += take;
    checkMagic(this.bytes.subarray(0, this.fill)); // fail fast on foreign input
    if (this.fill < HEADER_SIZE) return { next: start + take };
    const header = parseHeader(this.bytes);
    checkLimits(header, this.limits);
    return { next: start + take, header };
  }

  /** @throws StreamV2Error `TRUNCATED`: input ended inside the header. */
  static truncated(): StreamV2Error {
    return new StreamV2Error('TRUNCATED', `input ended inside the ${HEADER_SIZE}-byte header`);
  }
}

/** A complete segment as read from the wire, frame headers checked, nothing authenticated. */
export interface WireSegment {
  readonly segmentIndex: number;
  /**
   * The segment's wire bytes: a view of the chunk it was read from when it lay whole inside one
   * chunk (`owned` false: the caller's memory), else a buffer of the reader's `allocate` from
   * offset 0 (`owned` true: the caller may hand it on).
   */
  readonly bytes: Uint8Array;
  readonly owned: boolean;
  /** Number of DATA frames (d). */
  readonly dataFrames: number;
  /** Offset of the DIGEST frame inside `bytes`. */
  readonly tailOffset: number;
  /** Plaintext bytes the segment will yield once opened. */
  readonly plaintextLength: number;
  /** Its terminator carries FINAL. */
  readonly final: boolean;
}

/** Incremental reader of the frames that follow the stream header. */
export class SegmentReader {
  private readonly layout: LayoutParams;
  private segmentIndex: number;
  private buf: Uint8Array | null = null;
  private viewing = false; // buf is a view of the caller's chunk (the segment started in it)
  private fill = 0; // bytes of the current segment received
  private frameStart = 0; // offset of the frame being read
  private need = FRAME_HEADER_SIZE; // bytes the current step needs, from frameStart
  private inHeader = true; // reading a frame header (vs. a body)
  private frameIndex = 0;
  private frameType = FRAME_DATA;
  private digestAt = -1; // index of the DIGEST frame once seen (= d)
  private tailOffset = 0;
  private plaintext = 0;
  private lastShort = false;
  private finalFlag = false;
  private ended = false;

  /**
   * @param allocate - makes the buffer of a segment that spans chunks (the caller may recycle
   *   them: the reader only writes and reads the bytes it received)
   * @param firstSegment - index of the segment the first byte starts (random access reads a
   *   stream from any segment boundary, spec §8)
   */
  constructor(
    layout: LayoutParams,
    private readonly allocate: (size: number) => Uint8Array = (size) => new Uint8Array(size),
    firstSegment = 0,
  ) {
    this.layout = layout;
    this.segmentIndex = firstSegment;
  }

  /** True once a FINAL terminator has been read: any further byte is TRAILING_DATA. */
  get done(): boolean {
    return this.ended;
  }

  /**
   * Consumes bytes of `chunk` from `start`. Returns where it stopped, and the segment that
   * completed there, if any (it stops right after each complete segment).
   * @throws StreamV2Error `BAD_FRAME` or `TRAILING_DATA`
   */
  feed(chunk: Uint8Array, start: number): { next: number; segment?: WireSegment } {
    let off = start;
    while (off < chunk.length) {
      if (this.ended) throw new StreamV2Error('TRAILING_DATA', 'bytes follow the FINAL terminator');
      // A segment is read where it lies in the chunk (no copy) while it fits there; one that
      // runs past the chunk's end moves into a buffer of W bytes, which holds any segment
      // (every length is checked against the layout).
      if (!this.buf) {
        this.buf = chunk.subarray(off);
        this.viewing = true;
      }
      const want = this.frameStart + this.need - this.fill;
      const take = Math.min(want, chunk.length - off);
      if (!this.viewing) this.buf.set(chunk.subarray(off, off + take), this.fill);
      this.fill += take;
      off += take;
      if (take < want) break;
      const segment = this.inHeader ? this.onFrameHeader(this.buf) : this.onFrameBody(this.buf);
      if (segment) return { next: off, segment };
    }
    if (this.viewing && this.buf) {
      // The chunk ended inside the segment: what it holds of it moves into a buffer of ours.
      const own = this.allocate(fullSegmentWireSize(this.layout));
      own.set(this.buf.subarray(0, this.fill));
      this.buf = own;
      this.viewing = false;
    }
    return { next: off };
  }

  /**
   * Declares the end of input.
   * @throws StreamV2Error `TRUNCATED` unless the FINAL terminator was read (spec §6.4)
   */
  finish(): void {
    if (!this.ended) {
      throw new StreamV2Error('TRUNCATED', 'input ended before the FINAL terminator', {
        segmentIndex: this.segmentIndex,
      });
    }
  }

  private fail(message: string): never {
    throw new StreamV2Error('BAD_FRAME', message, {
      segmentIndex: this.segmentIndex,
      frameIndex: this.frameIndex,
    });
  }

  // spec §6.2: check each frame header against what the position demands, before decrypting.
  private onFrameHeader(buf: Uint8Array): undefined {
    const h = readFrameHeader(buf, this.frameStart);
    if (!isSegment(h, this.segmentIndex)) this.fail('segment_index out of order');
    if (h.frameIndex !== this.frameIndex) this.fail(`frame_index ${h.frameIndex} out of order`);
    const body = this.digestAt < 0 ? this.checkDataOrDigest(h) : this.checkTerminator(h);
    this.frameType = h.frameType;
    this.inHeader = false;
    this.need = FRAME_HEADER_SIZE + body + TAG_SIZE;
    return undefined;
  }

  private checkDataOrDigest(h: FrameHeader): number {
    const { frameSize, framesPerSegment } = this.layout;
    if (h.flags !== 0) this.fail('flags must be 0 on DATA and DIGEST frames');
    if (h.frameType === FRAME_DATA) {
      if (this.frameIndex >= framesPerSegment) this.fail('a DIGEST frame must follow frames_per_segment DATA frames');
      if (this.lastShort) this.fail('only the last DATA frame of the stream may be short');
      if (h.length < 1 || h.length > frameSize) this.fail(`DATA length ${h.length} outside 1..${frameSize}`);
      this.lastShort = h.length < frameSize;
      this.plaintext += h.length;
      return h.length;
    }
    if (h.frameType !== FRAME_DIGEST) this.fail(`unexpected frame_type ${h.frameType}`);
    if (h.length !== DIGEST_PAYLOAD_SIZE) this.fail(`DIGEST length ${h.length}, expected ${DIGEST_PAYLOAD_SIZE}`);
    // spec §5: a segment with 0 DATA frames is only the whole stream of an empty plaintext.
    if (this.frameIndex === 0 && this.segmentIndex > 0) this.fail('an empty segment may only be segment 0');
    this.digestAt = this.frameIndex;
    this.tailOffset = this.frameStart;
    return DIGEST_PAYLOAD_SIZE;
  }

  private checkTerminator(h: FrameHeader): number {
    if (h.frameType !== FRAME_TERMINATOR) this.fail(`expected a TERMINATOR, got frame_type ${h.frameType}`);
    if (h.length !== 0) this.fail(`TERMINATOR length ${h.length}, expected 0`);
    if ((h.flags & ~FLAG_FINAL) !== 0) this.fail(`unknown flags ${h.flags}`);
    this.finalFlag = h.flags === FLAG_FINAL;
    // spec §5: a segment with fewer than frames_per_segment DATA frames, or a short last
    // frame, can only be the final one.
    const short = this.digestAt < this.layout.framesPerSegment || this.lastShort;
    if (short && !this.finalFlag) this.fail('a short segment must carry FINAL');
    return 0;
  }

  private onFrameBody(buf: Uint8Array): WireSegment | undefined {
    if (this.frameType === FRAME_DIGEST && buf[this.frameStart + FRAME_HEADER_SIZE] !== DIGEST_ALG_SHA256) {
      this.fail('unknown digest algorithm');
    }
    const wasTerminator = this.frameType === FRAME_TERMINATOR;
    this.frameStart = this.fill;
    this.frameIndex++;
    this.inHeader = true;
    this.need = FRAME_HEADER_SIZE;
    return wasTerminator ? this.completeSegment(buf) : undefined;
  }

  private completeSegment(buf: Uint8Array): WireSegment {
    const segment: WireSegment = {
      segmentIndex: this.segmentIndex,
      bytes: buf.subarray(0, this.fill),
      owned: !this.viewing,
      dataFrames: this.digestAt,
      tailOffset: this.tailOffset,
      plaintextLength: this.plaintext,
      final: this.finalFlag,
    };
    this.ended = this.finalFlag;
    this.segmentIndex++;
    this.buf = null;
    this.fill = 0;
    this.frameStart = 0;
    this.frameIndex = 0;
    this.digestAt = -1;
    this.plaintext = 0;
    this.lastShort = false;
    this.finalFlag = false;
    return segment;
  }
}

/** What a {@link WireReader} meets, in stream order. */
export interface WireEvents {
  /** The header arrived and checked (structure and limits; header_mac is the caller's). */
  header(header: StreamHeader): void | Promise<void>;
  /** A segment is complete, its frame headers checked. */
  segment(segment: WireSegment): void | Promise<void>;
}

/**
 * A stream_v2 byte stream read as it comes: the header (spec §2), then every segment (spec
 * §5, §6.2). The one loop behind the decoder, the keyless check of a stream and the CLI's scan.
 */
export class WireReader {
  private readonly head: HeaderReader;
  private reader: SegmentReader | undefined;

  /** @param allocate - makes the buffer of a segment that spans chunks (see {@link SegmentReader}) */
  constructor(
    limits: DecoderLimits,
    private readonly allocate?: (size: number) => Uint8Array,
  ) {
    this.head = new HeaderReader(limits);
  }

  /**
   * Reads `chunk`, telling `on` what it completes; each call is awaited before the next byte is
   * read, so a caller that waits holds the rest of the chunk back.
   * @throws StreamV2Error `BAD_HEADER`, `UNSUPPORTED`, `LIMIT_EXCEEDED`, `BAD_FRAME`, `TRAILING_DATA`
   */
  async feed(chunk: Uint8Array, on: WireEvents): Promise<void> {
    let off = 0;
    if (!this.reader) {
      const step = this.head.feed(chunk, 0);
      off = step.next;
      if (!step.header) return;
      await on.header(step.header);
      this.reader = new SegmentReader(step.header, this.allocate);
    }
    while (off < chunk.length) {
      const step = this.reader.feed(chunk, off);
      off = step.next;
      if (step.segment) await on.segment(step.segment);
    }
  }

  /**
   * Declares the end of input.
   * @throws StreamV2Error `TRUNCATED` unless the FINAL terminator was read (spec §6.4)
   */
  finish(): void {
    if (!this.reader) throw HeaderReader.truncated();
    this.reader.finish();
  }
}
