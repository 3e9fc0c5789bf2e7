/**
 * The segment codec: seal, open and keylessly check one whole segment (its DATA frames, DIGEST
 * and TERMINATOR, spec §4, §5). The segment is the unit of work: a worker (or the calling
 * thread, with the very same functions) does all of a segment's crypto, so the thread that
 * keeps a stream's order needs no frame key. Pure: no I/O, no workers.
 */
import type { FrameCrypto } from '../crypto/types.js';
import { StreamV2Error } from '../errors.js';
import { SEGMENT_TAIL_SIZE, TERMINATOR_FRAME_SIZE } from '../format/constants.js';
import { readFrameHeader } from '../format/frame.js';
import { dataFrameWireSize } from '../format/sizes.js';
import { hashDataFrames, openDataFrames, sealDataFrames } from './frames.js';
import { rangeWireSize, segmentRange } from './range.js';
import type { WireSegment } from './reader.js';
import { checkDigest, openSegmentTail, openTerminator, sealSegmentTail } from './tail.js';

/** Which segment of which stream: what every frame's nonce and AAD derive from (spec §4). */
export interface SegmentId {
  /** The stream's 80-byte header (the AAD of every frame). */
  readonly header: Uint8Array;
  readonly segmentIndex: number;
  /** Plaintext bytes of each full DATA frame (the header's frame_size). */
  readonly frameSize: number;
}

/**
 * Seals a whole segment into `wire` (exactly its wire size, every byte written): its DATA
 * frames, then DIGEST and TERMINATOR, FINAL on the last segment of the stream (spec §4).
 * @param plaintext - the segment's plaintext, contiguous; or, with `length`, already in place
 *   in the frame bodies of `wire` (`dataBodies`), where it is sealed
 */
export async function sealSegment(
  fc: FrameCrypto,
  id: SegmentId,
  final: boolean,
  plaintext: Uint8Array | { readonly length: number },
  wire: Uint8Array,
): Promise<void> {
  const range = segmentRange(id.segmentIndex, id.frameSize, plaintext.length);
  const inPlace = !(plaintext instanceof Uint8Array);
  if (wire.length !== rangeWireSize(range) + SEGMENT_TAIL_SIZE) {
    throw new StreamV2Error('BAD_ARGUMENT', 'a segment buffer does not fit its frames', {
      segmentIndex: id.segmentIndex,
    });
  }
  const hashes = await sealDataFrames(fc, id.header, inPlace ? undefined : plaintext, wire, range);
  const tail = { header: id.header, buf: wire, offset: rangeWireSize(range), segmentIndex: id.segmentIndex };
  await sealSegmentTail(fc, tail, hashes, final);
}

/**
 * Opens a segment whose frame headers were checked against their positions: every DATA frame,
 * then the DIGEST value and tag and the TERMINATOR tag. Returns each frame's plaintext only
 * once all of them verified (spec §6.3: nothing of a failing segment is released).
 * @throws StreamV2Error `AUTH_FAILED`, `DIGEST_MISMATCH` or `BAD_FRAME`
 */
export async function openSegment(fc: FrameCrypto, id: SegmentId, seg: WireSegment): Promise<Uint8Array[]> {
  const range = segmentRange(seg.segmentIndex, id.frameSize, seg.plaintextLength);
  const { frames, hashes } = await openDataFrames(fc, id.header, seg.bytes, range, seg.plaintextLength);
  await openSegmentTail(fc, tailOf(id, seg), hashes);
  return frames;
}

/**
 * Checks a segment's DIGEST value without the key (spec §4): recomputed from its DATA frames'
 * wire bytes, whose headers were checked. Not checked: any tag.
 * @throws StreamV2Error `DIGEST_MISMATCH`
 */
export async function checkSegment(sha256: FrameCrypto['sha256'], id: SegmentId, seg: WireSegment): Promise<void> {
  const hashes = await hashDataFrames(sha256, seg.bytes, seg.dataFrames);
  await checkDigest(sha256, tailOf(id, seg), hashes);
}

function tailOf(id: SegmentId, seg: WireSegment) {
  return { header: id.header, buf: seg.bytes, offset: seg.tailOffset, segmentIndex: seg.segmentIndex };
}

/**
 * Authenticates where a stream ends, from its last bytes alone (random access, spec §8): the
 * last DATA frame of the last segment (its frame header, hence its length, is in its AAD) and
 * the FINAL TERMINATOR. Together they fix the plaintext size: the segment count, the DATA
 * frames of the last segment, and the last frame's length (the TERMINATOR alone leaves that
 * length free within a frame). `end` is that DATA frame (when the segment has one), the DIGEST
 * frame and the TERMINATOR, their frame headers checked against their places.
 * @throws StreamV2Error `AUTH_FAILED`
 */
export async function openStreamEnd(
  fc: FrameCrypto,
  id: Omit<SegmentId, 'frameSize'>,
  dataFrames: number,
  end: Uint8Array,
): Promise<void> {
  if (dataFrames > 0) {
    const length = readFrameHeader(end, 0).length;
    const range = { segmentIndex: id.segmentIndex, firstFrame: dataFrames - 1, count: 1 };
    await openDataFrames(fc, id.header, end.subarray(0, dataFrameWireSize(length)), range, length);
  }
  const at = { header: id.header, buf: end, offset: end.length - TERMINATOR_FRAME_SIZE, segmentIndex: id.segmentIndex };
  await openTerminator(fc, at, dataFrames + 1);
}
