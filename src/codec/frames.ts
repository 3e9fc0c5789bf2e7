/**
 * The DATA frames of a segment (spec §4): seal and open them, hash them. Pure: no I/O, no
 * workers; the same functions run inline and inside workers, so every path gives the same bytes.
 * A frame range is `count` consecutive DATA frames of a segment: contiguous plaintext on one
 * side, the frames in wire layout on the other.
 */
import type { FrameCrypto } from '../crypto/types.js';
import { StreamV2Error } from '../errors.js';
import { FRAME_DATA, FRAME_HEADER_SIZE, HEADER_SIZE } from '../format/constants.js';
import { frameAad, frameNonce, readFrameHeader, writeFrameHeader } from '../format/frame.js';
import { dataFrameWireSize } from '../format/sizes.js';
import { type FrameRange, rangePlaintextSize, rangeWireSize } from './range.js';

/** Bytes of one frame hash (SHA-256). */
export const HASH_SIZE = 32;

/**
 * Seals the DATA frames of an item into `wire`, in wire layout from offset 0 (`wire` has at
 * least {@link rangeWireSize} bytes, every one of which is written). `plaintext` is the item's
 * plaintext, contiguous; without it, each frame's plaintext already sits in its body's place in
 * `wire` ({@link dataBodies}) and is sealed there. Returns the frame hashes
 * (spec §4: frame_hash_i = SHA-256(frame_header_i ‖ body_i)), 32 bytes each, in order.
 */
export async function sealDataFrames(
  fc: FrameCrypto,
  header: Uint8Array,
  plaintext: Uint8Array | undefined,
  wire: Uint8Array,
  r: FrameRange,
): Promise<Uint8Array> {
  // Outputs may be uninitialized memory: a short plaintext must not leave stale bytes on the wire.
  if ((plaintext && plaintext.length !== rangePlaintextSize(r)) || wire.length < rangeWireSize(r)) {
    throw new StreamV2Error('BAD_ARGUMENT', 'work item buffers do not fit its frames', {
      segmentIndex: r.segmentIndex,
    });
  }
  const hashes = new Uint8Array(r.count * HASH_SIZE);
  const aad = frameAad(header, new Uint8Array(FRAME_HEADER_SIZE)); // frame header rewritten per frame
  let off = 0;
  for (let i = 0; i < r.count; i++) {
    const frameIndex = r.firstFrame + i;
    const length = i === r.count - 1 ? r.lastLength : r.frameSize;
    const end = off + dataFrameWireSize(length);
    const bodyAt = off + FRAME_HEADER_SIZE;
    writeFrameHeader(wire, off, { segmentIndex: r.segmentIndex, frameIndex, frameType: FRAME_DATA, flags: 0, length });
    aad.set(wire.subarray(off, bodyAt), HEADER_SIZE);
    const body = plaintext
      ? plaintext.subarray(i * r.frameSize, i * r.frameSize + length)
      : wire.subarray(bodyAt, bodyAt + length);
    // node:crypto and noble answer at once: await only a promise (a microtask less per call).
    const sealing = fc.cipher.seal(frameNonce(r.segmentIndex, frameIndex), body, wire.subarray(bodyAt, end), aad);
    if (sealing) await sealing;
    const hash = fc.sha256(wire.subarray(off, end));
    hashes.set(hash instanceof Promise ? await hash : hash, i * HASH_SIZE);
    off = end;
  }
  return hashes;
}

/** An item's opened DATA frames: each frame's plaintext in a buffer of its own, and the frame hashes. */
export interface OpenedFrames {
  frames: Uint8Array[];
  hashes: Uint8Array;
}

/**
 * Opens the DATA frames of an item: `wire` holds them in wire layout from offset 0, their
 * headers checked by the reader against the item's place; each frame's length comes from its
 * header. Each frame's plaintext comes in the buffer the cipher made (`FrameCipher.open`);
 * {@link joinFrames} puts them where the caller wants them, once the whole item verified (a
 * worker: over the spent ciphertext of the segment it read).
 * @throws StreamV2Error `AUTH_FAILED` (with segment and frame index) or `BAD_FRAME`
 */
export async function openDataFrames(
  fc: FrameCrypto,
  header: Uint8Array,
  wire: Uint8Array,
  r: Pick<FrameRange, 'segmentIndex' | 'firstFrame' | 'count'>,
  plaintextLength: number,
): Promise<OpenedFrames> {
  const hashes = new Uint8Array(r.count * HASH_SIZE);
  const frames: Uint8Array[] = [];
  const aad = frameAad(header, new Uint8Array(FRAME_HEADER_SIZE)); // frame header rewritten per frame
  let off = 0;
  let plain = 0;
  for (let i = 0; i < r.count; i++) {
    const frameIndex = r.firstFrame + i;
    const position = { segmentIndex: r.segmentIndex, frameIndex };
    const length = off + FRAME_HEADER_SIZE <= wire.length ? readFrameHeader(wire, off).length : Infinity;
    const end = off + dataFrameWireSize(length);
    if (end > wire.length || plain + length > plaintextLength) {
      throw new StreamV2Error('BAD_FRAME', 'frame runs past its work item', position);
    }
    const hash = fc.sha256(wire.subarray(off, end)); // await only a promise, as in sealDataFrames
    hashes.set(hash instanceof Promise ? await hash : hash, i * HASH_SIZE);
    aad.set(wire.subarray(off, off + FRAME_HEADER_SIZE), HEADER_SIZE);
    const sealed = wire.subarray(off + FRAME_HEADER_SIZE, end);
    const opening = fc.cipher.open(frameNonce(r.segmentIndex, frameIndex), sealed, aad);
    const opened = opening instanceof Promise ? await opening : opening;
    if (!opened) throw new StreamV2Error('AUTH_FAILED', 'a DATA frame failed to authenticate', position);
    frames.push(opened);
    plain += length;
    off = end;
  }
  if (plain !== plaintextLength)
    throw new StreamV2Error('BAD_FRAME', 'frames and plaintext length disagree', {
      segmentIndex: r.segmentIndex,
    });
  return { frames, hashes };
}

/**
 * The frames' plaintext, one after another, in `into` from offset 0 (it has room for all of
 * it). `into` may be the wire buffer they were opened from: frame i's plaintext lands before
 * frame i's body, so only spent ciphertext is overwritten.
 */
export function joinFrames(frames: readonly Uint8Array[], into: Uint8Array): Uint8Array {
  let at = 0;
  for (const f of frames) {
    into.set(f, at);
    at += f.length;
  }
  return into.subarray(0, at);
}

/**
 * The frame hashes of the `count` DATA frames at the start of `wire` (frame headers already
 * checked by the reader): what the keyless check feeds to {@link checkDigest}.
 */
export async function hashDataFrames(
  sha256: FrameCrypto['sha256'],
  wire: Uint8Array,
  count: number,
): Promise<Uint8Array> {
  const hashes = new Uint8Array(count * HASH_SIZE);
  let off = 0;
  for (let i = 0; i < count; i++) {
    const end = off + dataFrameWireSize(readFrameHeader(wire, off).length);
    hashes.set(await sha256(wire.subarray(off, end)), i * HASH_SIZE);
    off = end;
  }
  return hashes;
}
