/**
 * Work-item ranges: which DATA frames of a segment an item holds, and where their plaintext and
 * wire bytes lie (spec §5: every frame full but the segment's last). Pure arithmetic.
 */
import { FRAME_HEADER_SIZE } from '../format/constants.js';
import { dataFramesWireSize, dataFrameWireSize } from '../format/sizes.js';

/** Which DATA frames a work item holds. */
export interface FrameRange {
  segmentIndex: number;
  /** Index (inside the segment) of the item's first frame. */
  firstFrame: number;
  /** Number of DATA frames in the item. */
  count: number;
  /** Plaintext bytes of each frame but the last. */
  frameSize: number;
  /** Plaintext bytes of the item's last frame (1..frameSize). */
  lastLength: number;
}

/** The DATA frames of a whole segment of `plaintextBytes` (spec §5: only the last frame may be short). */
export function segmentRange(segmentIndex: number, frameSize: number, plaintextBytes: number): FrameRange {
  const count = Math.ceil(plaintextBytes / frameSize);
  const lastLength = count === 0 ? 0 : plaintextBytes - (count - 1) * frameSize;
  return { segmentIndex, firstFrame: 0, count, frameSize, lastLength };
}

/** Plaintext bytes of the DATA frames of `r`. */
export function rangePlaintextSize(r: FrameRange): number {
  return r.count === 0 ? 0 : (r.count - 1) * r.frameSize + r.lastLength;
}

/** Wire bytes of the DATA frames of `r`. */
export function rangeWireSize(r: FrameRange): number {
  return dataFramesWireSize(r.frameSize, rangePlaintextSize(r));
}

/**
 * Where the plaintext of each DATA frame of `r` sits in `wire` (spec §4: after its 18-byte
 * frame header, before its tag), in order: a reader can put the plaintext straight there, and
 * the frames are then sealed in place (`sealDataFrames` without a plaintext).
 */
export function dataBodies(wire: Uint8Array, r: FrameRange): Uint8Array[] {
  const bodies: Uint8Array[] = [];
  for (let i = 0, off = 0; i < r.count; i++) {
    const length = i === r.count - 1 ? r.lastLength : r.frameSize;
    bodies.push(wire.subarray(off + FRAME_HEADER_SIZE, off + FRAME_HEADER_SIZE + length));
    off += dataFrameWireSize(length);
  }
  return bodies;
}
