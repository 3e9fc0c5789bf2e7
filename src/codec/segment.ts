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
import { dataFrameWireSize } from '../format/sizes.js';
import { type FrameRange, rangePlaintextSize, rangeWireSize } from './range.js';

const HASH_SIZE = 32;
/** The empty plaintext of DIGEST and TERMINATOR tags (spec §4). */
const NOTHING = new Uint8Array(0);

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
    writeFrameHeader(wire, off, r.segmentIndex, frameIndex, FRAME_DATA, 0, length);
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

/** A tail frame's tag (at `at` of `buf`, after a payload of `payloadLength`) and its AAD (spec §4). */
function tailTag(
  header: Uint8Array,
  buf: Uint8Array,
  at: number,
  payloadLength: number,
  frameIndex: number,
  name: string,
) {
  const tagAt = at + FRAME_HEADER_SIZE + payloadLength;
  return {
    name,
    frameIndex,
    aad: frameAad(header, buf.subarray(at), buf.subarray(at + FRAME_HEADER_SIZE, tagAt)),
    tag: buf.subarray(tagAt, tagAt + TAG_SIZE),
  };
}

/**
 * The DIGEST (frame d, its payload in the AAD) and TERMINATOR (frame d + 1) of the segment tail
 * at `offset` of `buf`: where each tag sits, and its AAD (spec §4). Both seal empty plaintext.
 */
function tailTags(header: Uint8Array, buf: Uint8Array, offset: number, d: number) {
  return [
    tailTag(header, buf, offset, DIGEST_PAYLOAD_SIZE, d, 'DIGEST'),
    tailTag(header, buf, offset + DIGEST_FRAME_SIZE, 0, d + 1, 'TERMINATOR'),
  ];
}

/** Opens tail tags (empty plaintext). @throws StreamV2Error `AUTH_FAILED` */
async function openTags(fc: FrameCrypto, segmentIndex: number, tags: ReturnType<typeof tailTag>[]): Promise<void> {
  for (const t of tags) {
    if (!(await fc.cipher.open(frameNonce(segmentIndex, t.frameIndex), t.tag, t.aad))) {
      throw new StreamV2Error('AUTH_FAILED', `the ${t.name} frame failed to authenticate`, {
        segmentIndex,
        frameIndex: t.frameIndex,
      });
    }
  }
}

/**
 * Checks the tag of one TERMINATOR (frame `frameIndex` at `offset` of `buf`, header already
 * checked). A random-access reader checks the last one before any segment: it authenticates
 * where the stream ends, hence its plaintext size (spec §8).
 * @throws StreamV2Error `AUTH_FAILED`
 */
export function openTerminator(
  fc: FrameCrypto,
  header: Uint8Array,
  buf: Uint8Array,
  offset: number,
  segmentIndex: number,
  frameIndex: number,
): Promise<void> {
  return openTags(fc, segmentIndex, [tailTag(header, buf, offset, 0, frameIndex, 'TERMINATOR')]);
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
  await openTags(fc, segmentIndex, tailTags(header, buf, offset, hashes.length / HASH_SIZE));
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

/** Byte equality (the digest value is public, so timing does not matter here). */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
