/** Frame headers, nonces and associated data (spec §4). */
import { FRAME_HEADER_SIZE, HEADER_SIZE, NONCE_SIZE } from './constants.js';

/** A decoded 18-byte frame header (spec §4). */
export interface FrameHeader {
  /** High and low 32 bits of segment_index (kept apart: it may exceed 2^53 on hostile input). */
  segmentHigh: number;
  segmentLow: number;
  frameIndex: number;
  frameType: number;
  flags: number;
  length: number;
}

const TWO_32 = 2 ** 32;

/** A frame header's fields as the encoder writes them (spec §4). */
export interface FrameHeaderFields {
  segmentIndex: number;
  frameIndex: number;
  frameType: number;
  flags: number;
  length: number;
}

/** Writes a frame header at `offset` of `out` (spec §4: the segment index as two big-endian u32). */
export function writeFrameHeader(out: Uint8Array, offset: number, fields: FrameHeaderFields): void {
  const { segmentIndex, frameIndex, frameType, flags, length } = fields;
  const view = new DataView(out.buffer, out.byteOffset + offset, FRAME_HEADER_SIZE);
  view.setUint32(0, Math.floor(segmentIndex / TWO_32));
  view.setUint32(4, segmentIndex >>> 0);
  view.setUint32(8, frameIndex);
  view.setUint8(12, frameType);
  view.setUint8(13, flags);
  view.setUint32(14, length);
}

/** Reads the frame header at `offset` of `bytes`. */
export function readFrameHeader(bytes: Uint8Array, offset: number): FrameHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, FRAME_HEADER_SIZE);
  return {
    segmentHigh: view.getUint32(0),
    segmentLow: view.getUint32(4),
    frameIndex: view.getUint32(8),
    frameType: view.getUint8(12),
    flags: view.getUint8(13),
    length: view.getUint32(14),
  };
}

/** True when the header's segment_index equals `segmentIndex` (exact, even past 2^53). */
export function isSegment(frame: FrameHeader, segmentIndex: number): boolean {
  return frame.segmentHigh === Math.floor(segmentIndex / TWO_32) && frame.segmentLow === segmentIndex >>> 0;
}

/**
 * spec §4: nonce = segment_index (8) ‖ frame_index (4). Nonces only ever come from positions;
 * no caller of the codec can hand one in.
 */
export function frameNonce(segmentIndex: number, frameIndex: number): Uint8Array {
  const nonce = new Uint8Array(NONCE_SIZE);
  const view = new DataView(nonce.buffer);
  view.setUint32(0, Math.floor(segmentIndex / TWO_32));
  view.setUint32(4, segmentIndex >>> 0);
  view.setUint32(8, frameIndex);
  return nonce;
}

/**
 * spec §4: aad = header (80) ‖ frame_header (18) [‖ payload, for the DIGEST tag].
 * @param frameHeader - the 18 frame-header bytes (a view into the wire buffer)
 */
export function frameAad(header: Uint8Array, frameHeader: Uint8Array, payload?: Uint8Array): Uint8Array {
  const aad = new Uint8Array(HEADER_SIZE + FRAME_HEADER_SIZE + (payload?.length ?? 0));
  aad.set(header, 0);
  aad.set(frameHeader.subarray(0, FRAME_HEADER_SIZE), HEADER_SIZE);
  if (payload) aad.set(payload, HEADER_SIZE + FRAME_HEADER_SIZE);
  return aad;
}
