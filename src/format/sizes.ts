/** Sizes that follow from the header alone (spec §5). */
import { checkInt, StreamV2Error } from '../errors.js';
import {
  DEFAULTS,
  FRAME_HEADER_SIZE,
  HEADER_SIZE,
  MAX_FRAME_SIZE,
  MAX_FRAMES_PER_SEGMENT,
  SEGMENT_TAIL_SIZE,
  TAG_SIZE,
} from './constants.js';

/** The two header fields that fix the layout. */
export interface LayoutParams {
  /** Plaintext bytes per full DATA frame. */
  frameSize: number;
  /** DATA frames per non-final segment. */
  framesPerSegment: number;
}

/** Wire size of a DATA frame holding `length` plaintext bytes. */
export function dataFrameWireSize(length: number): number {
  return FRAME_HEADER_SIZE + length + TAG_SIZE;
}

/** Plaintext bytes in a full segment: S = frame_size × frames_per_segment. */
export function segmentPlaintextSize(p: LayoutParams): number {
  return p.frameSize * p.framesPerSegment;
}

/** spec §5: wire size W of a full segment. */
export function fullSegmentWireSize(p: LayoutParams): number {
  return p.framesPerSegment * dataFrameWireSize(p.frameSize) + SEGMENT_TAIL_SIZE;
}

/** Wire size of the DATA frames carrying `plaintextBytes` bytes, every frame full but the last. */
export function dataFramesWireSize(frameSize: number, plaintextBytes: number): number {
  return Math.ceil(plaintextBytes / frameSize) * (FRAME_HEADER_SIZE + TAG_SIZE) + plaintextBytes;
}

/** Wire size of a segment holding `plaintextBytes` (≤ S) bytes. */
export function segmentWireSize(p: LayoutParams, plaintextBytes: number): number {
  return dataFramesWireSize(p.frameSize, plaintextBytes) + SEGMENT_TAIL_SIZE;
}

/** spec §5: n = max(1, ceil(P / S)). */
export function segmentCount(plaintextBytes: number, p: LayoutParams): number {
  return Math.max(1, Math.ceil(plaintextBytes / segmentPlaintextSize(p)));
}

/**
 * The exact ciphertext size of a `plaintextBytes`-byte plaintext (spec §5: a pure function of
 * P and the header), header included.
 *
 * @param plaintextBytes - plaintext size P, a safe non-negative integer
 * @param params - frame size and frames per segment (default {@link DEFAULTS})
 * @throws StreamV2Error `BAD_ARGUMENT` for a bad argument, or a size beyond 2^53 − 1
 */
export function ciphertextSize(plaintextBytes: number, params: Partial<LayoutParams> = {}): number {
  if (!Number.isSafeInteger(plaintextBytes) || plaintextBytes < 0) {
    throw new StreamV2Error('BAD_ARGUMENT', 'plaintextBytes must be a non-negative safe integer');
  }
  const p = checkedLayout(params);
  const s = segmentPlaintextSize(p);
  const n = segmentCount(plaintextBytes, p);
  const last = plaintextBytes - (n - 1) * s;
  return safeSize(HEADER_SIZE + (n - 1) * fullSegmentWireSize(p) + segmentWireSize(p, last));
}

/**
 * Refuses a size beyond `Number.MAX_SAFE_INTEGER`: past 2^53 a number no longer counts bytes
 * exactly, and an inexact size would pass for a real one. Any intermediate that overflowed
 * makes the result overflow too, so checking the result is enough.
 * @throws StreamV2Error `BAD_ARGUMENT`
 */
export function safeSize(bytes: number): number {
  if (!Number.isSafeInteger(bytes)) {
    throw new StreamV2Error('BAD_ARGUMENT', 'the size exceeds Number.MAX_SAFE_INTEGER bytes');
  }
  return bytes;
}

/**
 * The plaintext size of a `wireSize`-byte stream (header included), or undefined when no
 * plaintext has that wire size. Exact inverse of {@link ciphertextSize}: non-final segments are
 * all W bytes (spec §5), so the count of whole W slots and the rest fix the last segment.
 */
export function plaintextSizeOf(wireSize: number, p: LayoutParams): number | undefined {
  const rest = wireSize - HEADER_SIZE;
  if (!Number.isSafeInteger(wireSize) || rest < SEGMENT_TAIL_SIZE) return undefined;
  const w = fullSegmentWireSize(p);
  const full = Math.floor(rest / w);
  const last = rest - full * w;
  if (last === 0) return full * segmentPlaintextSize(p);
  // The last segment holds d DATA frames of x = 34·d + plaintext bytes, every frame full but the last.
  const x = last - SEGMENT_TAIL_SIZE;
  if (x < 0) return undefined;
  if (x === 0) return full === 0 ? 0 : undefined; // spec §5: only segment 0 may be empty
  const perFrame = FRAME_HEADER_SIZE + TAG_SIZE;
  const d = Math.ceil(x / (perFrame + p.frameSize));
  const plain = x - perFrame * d;
  if (plain <= (d - 1) * p.frameSize || plain > d * p.frameSize) return undefined;
  return full * segmentPlaintextSize(p) + plain;
}

/**
 * The plaintext size of a stream of `ciphertextBytes` bytes, header included: the exact inverse
 * of {@link ciphertextSize}. A reader that knows the size of what it reads catches truncation
 * and trailing bytes with it before reading a single segment.
 *
 * @param ciphertextBytes - ciphertext size in bytes, the 80-byte header included
 * @param params - frame size and frames per segment of the stream's header (default {@link DEFAULTS})
 * @throws StreamV2Error `BAD_ARGUMENT` when no plaintext has this ciphertext size with this layout
 */
export function plaintextSize(ciphertextBytes: number, params: Partial<LayoutParams> = {}): number {
  const p = checkedLayout(params);
  const size = plaintextSizeOf(ciphertextBytes, p);
  if (size === undefined) {
    throw new StreamV2Error(
      'BAD_ARGUMENT',
      `no plaintext has a ciphertext size of ${ciphertextBytes} bytes with this layout`,
    );
  }
  return size;
}

/** A layout with its defaults filled in and checked. */
function checkedLayout(params: Partial<LayoutParams>): LayoutParams {
  const p = {
    frameSize: params.frameSize ?? DEFAULTS.frameSize,
    framesPerSegment: params.framesPerSegment ?? DEFAULTS.framesPerSegment,
  };
  checkInt('frameSize', p.frameSize, 1, MAX_FRAME_SIZE);
  checkInt('framesPerSegment', p.framesPerSegment, 1, MAX_FRAMES_PER_SEGMENT);
  return p;
}
