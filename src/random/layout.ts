/**
 * Where each segment of a stream lies, from the header and the source's size alone (spec §5:
 * every non-final segment is W bytes), and the structural reads of a random-access source:
 * one segment at its position, and the end of the stream.
 */
import { SegmentReader, type WireSegment } from '../codec/reader.js';
import { StreamV2Error } from '../errors.js';
import { FLAG_FINAL, FRAME_TERMINATOR, HEADER_SIZE, TERMINATOR_FRAME_SIZE } from '../format/constants.js';
import { isSegment, readFrameHeader } from '../format/frame.js';
import {
  fullSegmentWireSize,
  type LayoutParams,
  plaintextSizeOf,
  segmentPlaintextSize,
  segmentWireSize,
} from '../format/sizes.js';
import type { Source } from './source.js';

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
 * Reads segment `place` and checks its frame headers against their positions (spec §6.2) and
 * its place in the stream: FINAL on the last segment only, every byte used.
 * @throws StreamV2Error `BAD_FRAME`, `TRUNCATED`, `TRAILING_DATA`, or a source failure
 */
export async function readSegment(source: Source, layout: StreamLayout, place: SegmentPlace): Promise<WireSegment> {
  const bytes = await source.read(place.wireOffset, place.wireLength);
  return checkSegmentBytes(bytes, layout.layout, place.index, place.index === layout.segments - 1);
}

/**
 * Checks the wire bytes of segment `index` read from its place (pure: workers run it too).
 * @param last - it is the stream's last segment
 * @param inPlace - `bytes` is the caller's own buffer from offset 0: the segment is a view of it
 *   (a worker's read, no copy of 1 MiB); otherwise it is copied into a buffer of the reader's
 *   (a source's read may be a view of memory its owner keeps)
 */
export function checkSegmentBytes(
  bytes: Uint8Array,
  layout: LayoutParams,
  index: number,
  last: boolean,
  inPlace = false,
): WireSegment {
  const reader = new SegmentReader(layout, undefined, index, inPlace);
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

/**
 * Checks the end of a stream of `size` bytes before any segment is read: the size must be a
 * wire size of the layout, and the last 34 bytes a FINAL TERMINATOR at the last segment's
 * position. Otherwise it finds the failure a sequential decoder would report (spec §6.4,
 * TRUNCATED, TRAILING_DATA or BAD_FRAME) by reading from the next-to-last whole segment on.
 *
 * @returns the layout, and the last TERMINATOR's bytes (its tag is the caller's to check; read
 *   once, since over HTTP every read is a round trip)
 */
export async function checkEnd(
  source: Source,
  layout: LayoutParams,
): Promise<{ stream: StreamLayout; terminator: Uint8Array }> {
  const plaintext = plaintextSizeOf(source.size, layout);
  if (plaintext !== undefined) {
    const stream = new StreamLayout(
      { frameSize: layout.frameSize, framesPerSegment: layout.framesPerSegment },
      plaintext,
    );
    const last = stream.place(stream.segments - 1);
    const terminatorAt = source.size - TERMINATOR_FRAME_SIZE;
    const terminator = await source.read(terminatorAt, TERMINATOR_FRAME_SIZE);
    const t = readFrameHeader(terminator, 0);
    const d = Math.ceil(last.plainLength / layout.frameSize);
    const expected =
      isSegment(t, last.index) &&
      t.frameIndex === d + 1 &&
      t.frameType === FRAME_TERMINATOR &&
      t.flags === FLAG_FINAL &&
      t.length === 0;
    if (expected) return { stream, terminator };
  }
  throw await diagnoseEnd(source, layout);
}

/** Reads the end of the stream as a sequential decoder would and returns its failure. */
async function diagnoseEnd(source: Source, layout: LayoutParams): Promise<StreamV2Error> {
  const w = fullSegmentWireSize(layout);
  const first = Math.max(0, Math.floor((source.size - HEADER_SIZE) / w) - 1);
  const reader = new SegmentReader(layout, undefined, first);
  try {
    for (let at = HEADER_SIZE + first * w; at < source.size; ) {
      const chunk = await source.read(at, Math.min(w, source.size - at));
      for (let off = 0; off < chunk.length; ) off = reader.feed(chunk, off).next;
      at += chunk.length;
    }
    reader.finish();
  } catch (e) {
    if (StreamV2Error.is(e)) return e;
    throw e;
  }
  return new StreamV2Error('BAD_FRAME', 'the stream does not end where its size says it should');
}
