/**
 * The DATA frames of a segment (spec §4): seal and open them, hash them. Pure: no I/O, no
 * workers; the same functions run inline and inside workers, so every path gives the same bytes.
 * A frame range is `count` consecutive DATA frames of a segment: contiguous plaintext on one
 * side, the frames in wire layout on the other.
 */
import type { FrameCrypto, MaybePromise } from '../crypto/types.js';
import { StreamV2Error } from '../errors.js';
import { FRAME_DATA, FRAME_HEADER_SIZE } from '../format/constants.js';
import { frameAad, frameNonce, readFrameHeader, writeFrameHeader } from '../format/frame.js';
import { dataFrameWireSize } from '../format/sizes.js';
import { type FrameRange, rangePlaintextSize, rangeWireSize } from './range.js';

/** Bytes of one frame hash (SHA-256). */
export const HASH_SIZE = 32;

/**
 * Frames of one item in flight at once when the backend answers with promises (WebCrypto). The
 * engines do WebCrypto's work off the calling thread and hand the answer back: one frame at a
 * time leaves that work serial, behind a thread hop per call (Firefox: a fifth of what four in
 * flight give, docs/BENCHMARKS.md). Four is what the bench's Web Worker ceiling keeps in flight.
 */
const FRAMES_IN_FLIGHT = 4;

/**
 * `job(0)` … `job(count - 1)`, their answers in order. Synchronous answers (node:crypto, noble)
 * run one after another with no promise in between; promised ones run up to
 * {@link FRAMES_IN_FLIGHT} at a time. A failed job stops new ones, lets those in flight settle
 * (they write into the caller's buffers), then the first failure in frame order is thrown.
 */
async function eachFrame<T>(count: number, job: (i: number) => MaybePromise<T>): Promise<T[]> {
  const out = new Array<T>(count);
  const failed: { i: number; e: unknown }[] = [];
  let next = 0;
  const lane = async () => {
    while (next < count && failed.length === 0) {
      const i = next++;
      try {
        const r = job(i);
        out[i] = r instanceof Promise ? await r : r;
      } catch (e) {
        failed.push({ i, e });
      }
    }
  };
  const first = lane();
  // A synchronous backend finished every frame in the first lane, before any await.
  if (next < count) await Promise.all([first, ...Array.from({ length: FRAMES_IN_FLIGHT - 1 }, lane)]);
  else await first;
  if (failed.length) throw failed.reduce((x, y) => (y.i < x.i ? y : x)).e;
  return out;
}

/** `then()` once `before` settles, at once when it is no promise (a frame's hash needs its sealed body). */
function after<T>(before: MaybePromise<void>, then: () => MaybePromise<T>): MaybePromise<T> {
  return before instanceof Promise ? before.then(then) : then();
}

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
  const full = dataFrameWireSize(r.frameSize); // every frame but the last is full
  await eachFrame(r.count, (i) => {
    const frameIndex = r.firstFrame + i;
    const length = i === r.count - 1 ? r.lastLength : r.frameSize;
    const off = i * full;
    const end = off + dataFrameWireSize(length);
    const bodyAt = off + FRAME_HEADER_SIZE;
    writeFrameHeader(wire, off, { segmentIndex: r.segmentIndex, frameIndex, frameType: FRAME_DATA, flags: 0, length });
    // An AAD of its own per frame: frames in flight together must not share one to rewrite.
    const aad = frameAad(header, wire.subarray(off, bodyAt));
    const body = plaintext
      ? plaintext.subarray(i * r.frameSize, i * r.frameSize + length)
      : wire.subarray(bodyAt, bodyAt + length);
    const sealing = fc.cipher.seal(frameNonce(r.segmentIndex, frameIndex), body, wire.subarray(bodyAt, end), aad);
    return after(sealing, () => {
      const hash = fc.sha256(wire.subarray(off, end));
      return hash instanceof Promise ? hash.then((h) => hashes.set(h, i * HASH_SIZE)) : hashes.set(hash, i * HASH_SIZE);
    });
  });
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
 * worker: over the spent ciphertext of the segment it read). Errors come in frame order, as
 * if the frames were opened one by one.
 * @throws StreamV2Error `AUTH_FAILED` (with segment and frame index) or `BAD_FRAME`
 */
export async function openDataFrames(
  fc: FrameCrypto,
  header: Uint8Array,
  wire: Uint8Array,
  r: Pick<FrameRange, 'segmentIndex' | 'firstFrame' | 'count'>,
  plaintextLength: number,
): Promise<OpenedFrames> {
  // The frames' places first (no crypto): up to the first one that does not fit.
  const places: { off: number; end: number }[] = [];
  let misfit: StreamV2Error | undefined;
  let off = 0;
  let plain = 0;
  for (let i = 0; i < r.count; i++) {
    const length = off + FRAME_HEADER_SIZE <= wire.length ? readFrameHeader(wire, off).length : Infinity;
    const end = off + dataFrameWireSize(length);
    if (end > wire.length || plain + length > plaintextLength) {
      const position = { segmentIndex: r.segmentIndex, frameIndex: r.firstFrame + i };
      misfit = new StreamV2Error('BAD_FRAME', 'frame runs past its work item', position);
      break;
    }
    places.push({ off, end });
    plain += length;
    off = end;
  }
  const hashes = new Uint8Array(r.count * HASH_SIZE);
  const frames = await eachFrame(places.length, (i) => {
    const { off, end } = places[i] as { off: number; end: number };
    const position = { segmentIndex: r.segmentIndex, frameIndex: r.firstFrame + i };
    const hash = fc.sha256(wire.subarray(off, end));
    const aad = frameAad(header, wire.subarray(off, off + FRAME_HEADER_SIZE));
    const opening = fc.cipher.open(
      frameNonce(r.segmentIndex, position.frameIndex),
      wire.subarray(off + FRAME_HEADER_SIZE, end),
      aad,
    );
    const done = (h: Uint8Array, opened: Uint8Array | undefined) => {
      hashes.set(h, i * HASH_SIZE);
      if (!opened) throw new StreamV2Error('AUTH_FAILED', 'a DATA frame failed to authenticate', position);
      return opened;
    };
    if (!(hash instanceof Promise) && !(opening instanceof Promise)) return done(hash, opening);
    // Both settle before the frame does (not Promise.all, which fails at the first rejection):
    // a failed frame leaves no call of it still reading `wire` once this function has thrown.
    return Promise.allSettled([hash, opening]).then(([h, o]) => {
      if (h.status === 'rejected') throw h.reason;
      if (o.status === 'rejected') throw o.reason;
      return done(h.value, o.value);
    });
  });
  if (misfit) throw misfit;
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
  const ends: number[] = [];
  for (let i = 0, off = 0; i < count; i++) {
    off += dataFrameWireSize(readFrameHeader(wire, off).length);
    ends.push(off);
  }
  await eachFrame(count, (i) => {
    const hash = sha256(wire.subarray(ends[i - 1] ?? 0, ends[i]));
    return hash instanceof Promise ? hash.then((h) => hashes.set(h, i * HASH_SIZE)) : hashes.set(hash, i * HASH_SIZE);
  });
  return hashes;
}
