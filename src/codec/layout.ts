/**
 * Where each segment of a stream lies, from the header and the plaintext size alone (spec §5:
 * every non-final segment is W bytes), and the structural check of one segment read from its
 * place. Pure arithmetic and parsing: no I/O.
 */
import { StreamV2Error } from '../errors.js';
import { HEADER_SIZE } from '../format/constants.js';
import { fullSegmentWireSize, type LayoutParams, segmentPlaintextSize, segmentWireSize } from '../format/sizes.js';
import { SegmentReader, type WireSegment } from './reader.js';

/** One segment's place in the stream. */
export interface SegmentPlace {
  readonly index: number;
  /** Offset and length of its wire bytes in the source. */
  readonly wireOffset: number;
  readonly wireLength: number;
  /** Offset and length of its plaintext in the plaintext. */
  readonly plainOffset: number;
  readonly plainLength: number;
}

/** The segments of a stream of known plaintext size. */
export class StreamLayout {
  /** Number of segments (spec §5: n = max(1, ceil(P / S))). */
  readonly segments: number;
  private readonly s: number;
  private readonly w: number;

  constructor(
    readonly layout: LayoutParams,
    readonly plaintextSize: number,
  ) {
    this.s = segmentPlaintextSize(layout);
    this.w = fullSegmentWireSize(layout);
    this.segments = Math.max(1, Math.ceil(plaintextSize / this.s));
  }

  /** The wire size of the whole stream, header included. */
  get wireSize(): number {
    const last = this.place(this.segments - 1);
    return last.wireOffset + last.wireLength;
  }

  /** Segment `k`'s place. */
  place(k: number): SegmentPlace {
    const plainOffset = k * this.s;
    const plainLength = Math.min(this.s, this.plaintextSize - plainOffset);
    const wireOffset = HEADER_SIZE + k * this.w;
    return { index: k, wireOffset, wireLength: segmentWireSize(this.layout, plainLength), plainOffset, plainLength };
  }

  /** The segment holding plaintext byte `offset` (the last one for offset = P). */
  segmentOfPlaintext(offset: number): number {
    return Math.min(this.segments - 1, Math.floor(offset / this.s));
  }

  /** The segment holding wire byte `offset` (≥ 80). */
  segmentOfWire(offset: number): number {
    return Math.min(this.segments - 1, Math.floor((offset - HEADER_SIZE) / this.w));
  }
}

/**
 * Checks the wire bytes of segment `index`, read from its place as one buffer: its frame
 * headers against their positions (spec §6.2) and its place in the stream: FINAL on the last
 * segment only, every byte used. The segment is a view of `bytes` (no copy).
 * @param last - it is the stream's last segment
 * @throws StreamV2Error `BAD_FRAME`, `TRUNCATED`, `TRAILING_DATA`
 */
export function checkSegmentBytes(bytes: Uint8Array, layout: LayoutParams, index: number, last: boolean): WireSegment {
  const reader = new SegmentReader(layout, undefined, index);
  const { next, segment } = reader.feed(bytes, 0);
  const position = { segmentIndex: index };
  if (!segment) throw new StreamV2Error('TRUNCATED', 'the segment ends before its TERMINATOR', position);
  if (segment.final && (!last || next < bytes.length)) {
    throw new StreamV2Error('TRAILING_DATA', 'bytes follow a FINAL terminator', position);
  }
  if (!segment.final && last) throw new StreamV2Error('TRUNCATED', 'the last segment does not carry FINAL', position);
  // A segment that ends early without FINAL was refused by the reader (spec §5), so here it fills its place.
  return segment;
}
