/**
 * The pure segment codec: seal and open the DATA frames of a work item, and the DIGEST and
 * TERMINATOR that close a segment (spec §4, §5). No I/O, no workers: the same functions run
 * inline and inside workers, so every path gives the same bytes.
 *
 * A work item is `count` consecutive DATA frames of a segment: contiguous plaintext on one side,
 * the frames in wire layout on the other.
 */
import type { FrameCrypto } from '../crypto/types.js';
import { StreamV2Error } from '../errors.js';
import {
  DIGEST_ALG_SHA256,
  DIGEST_FRAME_SIZE,
  DIGEST_LABEL,
  DIGEST_PAYLOAD_SIZE,
  FLAG_FINAL,
  FRAME_DATA,
  FRAME_DIGEST,
  FRAME_HEADER_SIZE,
  FRAME_TERMINATOR,
  HEADER_SIZE,
  TAG_SIZE,
} from '../format/constants.js';
import { frameAad, frameNonce, readFrameHeader, writeFrameHeader } from '../format/frame.js';
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

const HASH_SIZE = 32;
/** The empty plaintext of DIGEST and TERMINATOR tags (spec §4). */
const NOTHING = new Uint8Array(0);

/** Plaintext bytes of the DATA frames of `r`. */
export function rangePlaintextSize(r: FrameRange): number {
  return r.count === 0 ? 0 : (r.count - 1) * r.frameSize + r.lastLength;
}

/** Wire bytes of the DATA frames of `r`. */
export function rangeWireSize(r: FrameRange): number {
  return dataFramesWireSize(r.frameSize, rangePlaintextSize(r));
}

/**
 * Seals the DATA frames of an item: `plaintext` (the item's plaintext, contiguous) goes into
 * `wire` in wire layout from offset 0 (`wire` has at least {@link rangeWireSize} bytes, every
 * one of which is written). Returns the frame hashes
 * (spec §4: frame_hash_i = SHA-256(frame_header_i ‖ body_i)), 32 bytes each, in order.
 */
export async function sealDataFrames(
  fc: FrameCrypto,
  header: Uint8Array,
  plaintext: Uint8Array,
  wire: Uint8Array,
  r: FrameRange,
): Promise<Uint8Array> {
  const hashes = new Uint8Array(r.count * HASH_SIZE);
  const aad = frameAad(header, new Uint8Array(FRAME_HEADER_SIZE)); // frame header rewritten per frame
  let off = 0;
  for (let i = 0; i < r.count; i++) {
    const frameIndex = r.firstFrame + i;
    const length = i === r.count - 1 ? r.lastLength : r.frameSize;
    const end = off + dataFrameWireSize(length);
    writeFrameHeader(wire, off, r.segmentIndex, frameIndex, FRAME_DATA, 0, length);
    aad.set(wire.subarray(off, off + FRAME_HEADER_SIZE), HEADER_SIZE);
    const body = plaintext.subarray(i * r.frameSize, i * r.frameSize + length);
    await fc.cipher.seal(
      frameNonce(r.segmentIndex, frameIndex),
      body,
      wire.subarray(off + FRAME_HEADER_SIZE, end),
      aad,
    );
    hashes.set(await fc.sha256(wire.subarray(off, end)), i * HASH_SIZE);
    off = end;
  }
  return hashes;
}

/**
 * Opens the DATA frames of an item (`wire` starts at its first frame; frame headers were
 * already checked against their positions by the reader, spec §6.2) into `plaintext`,
 * contiguous from offset 0. Returns the frame hashes. `plaintext` is only meaningful if this
 * resolves: a failed frame may leave unauthenticated bytes in it.
 *
 * @throws StreamV2Error `AUTH_FAILED` with the failing frame's position, `BAD_FRAME` if the
 *   frames do not fit the buffers
 */
export async function openDataFrames(
  fc: FrameCrypto,
  header: Uint8Array,
  wire: Uint8Array,
  plaintext: Uint8Array,
  r: Pick<FrameRange, 'segmentIndex' | 'firstFrame' | 'count'>,
): Promise<Uint8Array> {
  const hashes = new Uint8Array(r.count * HASH_SIZE);
  const aad = frameAad(header, new Uint8Array(FRAME_HEADER_SIZE)); // frame header rewritten per frame
  let off = 0;
  let plain = 0;
  for (let i = 0; i < r.count; i++) {
    const frameIndex = r.firstFrame + i;
    const position = { segmentIndex: r.segmentIndex, frameIndex };
    const { length } = readFrameHeader(wire, off);
    const end = off + dataFrameWireSize(length);
    if (end > wire.length || plain + length > plaintext.length) {
      throw new StreamV2Error('BAD_FRAME', 'frame runs past its work item', position);
    }
    hashes.set(await fc.sha256(wire.subarray(off, end)), i * HASH_SIZE);
    aad.set(wire.subarray(off, off + FRAME_HEADER_SIZE), HEADER_SIZE);
    const sealed = wire.subarray(off + FRAME_HEADER_SIZE, end);
    const out = plaintext.subarray(plain, plain + length);
    if (!(await fc.cipher.open(frameNonce(r.segmentIndex, frameIndex), sealed, out, aad))) {
      throw new StreamV2Error('AUTH_FAILED', 'a DATA frame failed to authenticate', position);
    }
    plain += length;
    off = end;
  }
  if (plain !== plaintext.length)
    throw new StreamV2Error('BAD_FRAME', 'frames and plaintext length disagree', {
      segmentIndex: r.segmentIndex,
    });
  return hashes;
}

/**
 * spec §4: value = SHA-256("stream_v2 digest" ‖ header ‖ segment_index (8) ‖ d (4) ‖ frame
 * hashes). Needs no key: the keyless check recomputes it from the wire bytes.
 */
export async function digestValue(
  sha256: FrameCrypto['sha256'],
  header: Uint8Array,
  segmentIndex: number,
  hashes: Uint8Array,
): Promise<Uint8Array> {
  const d = hashes.length / HASH_SIZE;
  const input = new Uint8Array(DIGEST_LABEL.length + HEADER_SIZE + 12 + hashes.length);
  const view = new DataView(input.buffer);
  let p = 0;
  input.set(DIGEST_LABEL, p);
  p += DIGEST_LABEL.length;
  input.set(header.subarray(0, HEADER_SIZE), p);
  p += HEADER_SIZE;
  view.setUint32(p, Math.floor(segmentIndex / 2 ** 32));
  view.setUint32(p + 4, segmentIndex >>> 0);
  view.setUint32(p + 8, d);
  input.set(hashes, p + 12);
  return sha256(input);
}

/**
 * Writes the DIGEST and TERMINATOR frames of a segment at `offset` of `buf` (spec §4).
 * @param hashes - the frame hashes of all d DATA frames of the segment, in order
 * @param final - set FINAL on the terminator (last segment of the stream)
 */
export async function sealSegmentTail(
  fc: FrameCrypto,
  header: Uint8Array,
  buf: Uint8Array,
  offset: number,
  segmentIndex: number,
  hashes: Uint8Array,
  final: boolean,
): Promise<void> {
  const d = hashes.length / HASH_SIZE;
  const payloadAt = offset + FRAME_HEADER_SIZE;
  writeFrameHeader(buf, offset, segmentIndex, d, FRAME_DIGEST, 0, DIGEST_PAYLOAD_SIZE);
  buf[payloadAt] = DIGEST_ALG_SHA256;
  buf.set(await digestValue(fc.sha256, header, segmentIndex, hashes), payloadAt + 1);
  const payload = buf.subarray(payloadAt, payloadAt + DIGEST_PAYLOAD_SIZE);
  const digestAad = frameAad(header, buf.subarray(offset), payload);
  const digestTag = buf.subarray(payloadAt + DIGEST_PAYLOAD_SIZE, offset + DIGEST_FRAME_SIZE);
  await fc.cipher.seal(frameNonce(segmentIndex, d), NOTHING, digestTag, digestAad);

  const term = offset + DIGEST_FRAME_SIZE;
  writeFrameHeader(buf, term, segmentIndex, d + 1, FRAME_TERMINATOR, final ? FLAG_FINAL : 0, 0);
  const termAad = frameAad(header, buf.subarray(term));
  const termBody = buf.subarray(term + FRAME_HEADER_SIZE, term + FRAME_HEADER_SIZE + TAG_SIZE);
  await fc.cipher.seal(frameNonce(segmentIndex, d + 1), NOTHING, termBody, termAad);
}

/**
 * spec §4: checks the DIGEST payload of the frame at `offset` of `buf` against the value
 * recomputed from the frame hashes. Needs no key (the keyless verify uses it too).
 * @throws StreamV2Error `DIGEST_MISMATCH`
 */
export async function checkDigest(
  sha256: FrameCrypto['sha256'],
  header: Uint8Array,
  buf: Uint8Array,
  offset: number,
  segmentIndex: number,
  hashes: Uint8Array,
): Promise<void> {
  const valueAt = offset + FRAME_HEADER_SIZE + 1; // after the alg byte
  const expected = await digestValue(sha256, header, segmentIndex, hashes);
  if (!equalBytes(expected, buf.subarray(valueAt, valueAt + expected.length))) {
    throw new StreamV2Error('DIGEST_MISMATCH', 'segment digest does not match its DATA frames', {
      segmentIndex,
      frameIndex: hashes.length / HASH_SIZE,
    });
  }
}

/**
 * Checks the DIGEST value against the recomputed one, then the DIGEST and TERMINATOR tags
 * (spec §6.2). Frame headers were checked by the reader.
 * @throws StreamV2Error `DIGEST_MISMATCH` or `AUTH_FAILED`
 */
export async function openSegmentTail(
  fc: FrameCrypto,
  header: Uint8Array,
  buf: Uint8Array,
  offset: number,
  segmentIndex: number,
  hashes: Uint8Array,
): Promise<void> {
  const d = hashes.length / HASH_SIZE;
  const payloadAt = offset + FRAME_HEADER_SIZE;
  const payload = buf.subarray(payloadAt, payloadAt + DIGEST_PAYLOAD_SIZE);
  await checkDigest(fc.sha256, header, buf, offset, segmentIndex, hashes);
  const digestTag = buf.subarray(payloadAt + DIGEST_PAYLOAD_SIZE, offset + DIGEST_FRAME_SIZE);
  const digestAad = frameAad(header, buf.subarray(offset), payload);
  if (!(await fc.cipher.open(frameNonce(segmentIndex, d), digestTag, NOTHING, digestAad))) {
    throw new StreamV2Error('AUTH_FAILED', 'the DIGEST frame failed to authenticate', {
      segmentIndex,
      frameIndex: d,
    });
  }
  const term = offset + DIGEST_FRAME_SIZE;
  const termTag = buf.subarray(term + FRAME_HEADER_SIZE, term + FRAME_HEADER_SIZE + TAG_SIZE);
  if (
    !(await fc.cipher.open(frameNonce(segmentIndex, d + 1), termTag, NOTHING, frameAad(header, buf.subarray(term))))
  ) {
    throw new StreamV2Error('AUTH_FAILED', 'the TERMINATOR frame failed to authenticate', {
      segmentIndex,
      frameIndex: d + 1,
    });
  }
}

/** Byte equality (the digest value is public, so timing does not matter here). */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
