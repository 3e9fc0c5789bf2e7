/**
 * The segment tail (spec §4): the DIGEST frame, its value recomputed from the frame hashes (the
 * keyless check), and the DIGEST and TERMINATOR tags. Pure: no I/O, no workers.
 */
import type { FrameCrypto } from '../crypto/types.js';
import { StreamV2Error } from '../errors.js';
import {
  DIGEST_ALG_SHA256,
  DIGEST_FRAME_SIZE,
  DIGEST_LABEL,
  DIGEST_PAYLOAD_SIZE,
  FLAG_FINAL,
  FRAME_DIGEST,
  FRAME_HEADER_SIZE,
  FRAME_TERMINATOR,
  HEADER_SIZE,
  TAG_SIZE,
} from '../format/constants.js';
import { frameAad, frameNonce, writeFrameHeader } from '../format/frame.js';
import { HASH_SIZE } from './frames.js';

/** The empty plaintext of DIGEST and TERMINATOR tags (spec §4). */
const NOTHING = new Uint8Array(0);

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

/** Where a segment tail is: at `offset` of `buf`, in segment `segmentIndex` of the stream of `header`. */
export interface TailPlace {
  readonly header: Uint8Array;
  readonly buf: Uint8Array;
  readonly offset: number;
  readonly segmentIndex: number;
}

/**
 * Checks the tag of one TERMINATOR (frame `frameIndex` at the place, its header already
 * checked). A random-access reader checks the last one before any segment: it authenticates
 * where the stream ends, hence its plaintext size (spec §8).
 * @throws StreamV2Error `AUTH_FAILED`
 */
export function openTerminator(fc: FrameCrypto, at: TailPlace, frameIndex: number): Promise<void> {
  return openTags(fc, at.segmentIndex, [tailTag(at.header, at.buf, at.offset, 0, frameIndex, 'TERMINATOR')]);
}

/**
 * Writes the DIGEST and TERMINATOR frames of a segment at the place (spec §4).
 * @param hashes - the frame hashes of all d DATA frames of the segment, in order
 * @param final - set FINAL on the terminator (last segment of the stream)
 */
export async function sealSegmentTail(
  fc: FrameCrypto,
  at: TailPlace,
  hashes: Uint8Array,
  final: boolean,
): Promise<void> {
  const { header, buf, offset, segmentIndex } = at;
  const d = hashes.length / HASH_SIZE;
  const payloadAt = offset + FRAME_HEADER_SIZE;
  writeFrameHeader(buf, offset, {
    segmentIndex,
    frameIndex: d,
    frameType: FRAME_DIGEST,
    flags: 0,
    length: DIGEST_PAYLOAD_SIZE,
  });
  buf[payloadAt] = DIGEST_ALG_SHA256;
  buf.set(await digestValue(fc.sha256, header, segmentIndex, hashes), payloadAt + 1);
  const term = offset + DIGEST_FRAME_SIZE;
  writeFrameHeader(buf, term, {
    segmentIndex,
    frameIndex: d + 1,
    frameType: FRAME_TERMINATOR,
    flags: final ? FLAG_FINAL : 0,
    length: 0,
  });
  for (const t of tailTags(header, buf, offset, d)) {
    await fc.cipher.seal(frameNonce(segmentIndex, t.frameIndex), NOTHING, t.tag, t.aad);
  }
}

/**
 * spec §4: checks the DIGEST payload of the frame at the place against the value recomputed
 * from the frame hashes. Needs no key (the keyless check uses it too).
 * @throws StreamV2Error `DIGEST_MISMATCH`
 */
export async function checkDigest(sha256: FrameCrypto['sha256'], at: TailPlace, hashes: Uint8Array): Promise<void> {
  const valueAt = at.offset + FRAME_HEADER_SIZE + 1; // after the alg byte
  const expected = await digestValue(sha256, at.header, at.segmentIndex, hashes);
  if (!equalBytes(expected, at.buf.subarray(valueAt, valueAt + expected.length))) {
    throw new StreamV2Error('DIGEST_MISMATCH', 'segment digest does not match its DATA frames', {
      segmentIndex: at.segmentIndex,
      frameIndex: hashes.length / HASH_SIZE,
    });
  }
}

/**
 * Checks the DIGEST value against the recomputed one, then the DIGEST and TERMINATOR tags
 * (spec §6.2). Frame headers were checked by the reader.
 * @throws StreamV2Error `DIGEST_MISMATCH` or `AUTH_FAILED`
 */
export async function openSegmentTail(fc: FrameCrypto, at: TailPlace, hashes: Uint8Array): Promise<void> {
  await checkDigest(fc.sha256, at, hashes);
  await openTags(fc, at.segmentIndex, tailTags(at.header, at.buf, at.offset, hashes.length / HASH_SIZE));
}

/** Byte equality (the digest value is public, so timing does not matter here). */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
