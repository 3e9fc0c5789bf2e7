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
  // Outputs may be uninitialized memory: a short plaintext must not leave stale bytes on the wire.
  if (plaintext.length !== rangePlaintextSize(r) || wire.length < rangeWireSize(r)) {
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
    const length = off + FRAME_HEADER_SIZE <= wire.length ? readFrameHeader(wire, off).length : Infinity;
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
async function digestValue(
  sha256: FrameCrypto['sha256'],
  header: Uint8Array,
  segmentIndex: number,
  hashes: Uint8Array,
): Promise<Uint8Array> {
  // segment_index (8) ‖ d (4) is laid out as the nonce of the DIGEST frame (frame d).
  const position = frameNonce(segmentIndex, hashes.length / HASH_SIZE);
  const input = new Uint8Array(DIGEST_LABEL.length + HEADER_SIZE + position.length + hashes.length);
  input.set(DIGEST_LABEL, 0);
  input.set(header.subarray(0, HEADER_SIZE), DIGEST_LABEL.length);
  input.set(position, DIGEST_LABEL.length + HEADER_SIZE);
  input.set(hashes, DIGEST_LABEL.length + HEADER_SIZE + position.length);
  return sha256(input);
}

/**
 * The DIGEST (frame d, its payload in the AAD) and TERMINATOR (frame d + 1) of the segment tail
 * at `offset` of `buf`: where each tag sits, and its AAD (spec §4). Both seal empty plaintext.
 */
function tailTags(header: Uint8Array, buf: Uint8Array, offset: number, d: number) {
  const frame = (at: number, payloadLength: number, frameIndex: number, name: string) => {
    const tagAt = at + FRAME_HEADER_SIZE + payloadLength;
    return {
      name,
      frameIndex,
      aad: frameAad(header, buf.subarray(at), buf.subarray(at + FRAME_HEADER_SIZE, tagAt)),
      tag: buf.subarray(tagAt, tagAt + TAG_SIZE),
    };
  };
  return [frame(offset, DIGEST_PAYLOAD_SIZE, d, 'DIGEST'), frame(offset + DIGEST_FRAME_SIZE, 0, d + 1, 'TERMINATOR')];
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
  const term = offset + DIGEST_FRAME_SIZE;
  writeFrameHeader(buf, term, segmentIndex, d + 1, FRAME_TERMINATOR, final ? FLAG_FINAL : 0, 0);
  for (const t of tailTags(header, buf, offset, d)) {
    await fc.cipher.seal(frameNonce(segmentIndex, t.frameIndex), NOTHING, t.tag, t.aad);
  }
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
  await checkDigest(fc.sha256, header, buf, offset, segmentIndex, hashes);
  for (const t of tailTags(header, buf, offset, hashes.length / HASH_SIZE)) {
    if (!(await fc.cipher.open(frameNonce(segmentIndex, t.frameIndex), t.tag, NOTHING, t.aad))) {
      throw new StreamV2Error('AUTH_FAILED', `the ${t.name} frame failed to authenticate`, {
        segmentIndex,
        frameIndex: t.frameIndex,
      });
    }
  }
}

/** Byte equality (the digest value is public, so timing does not matter here). */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
