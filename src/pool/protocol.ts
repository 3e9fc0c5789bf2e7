/**
 * The worker protocol: types only, shared by the pool and the workers. Buffers travel by
 * transfer (Comlink.transfer), never by copy; only the 32-byte key and 80-byte header are
 * cloned with each item. Inputs come back with the result, so callers recycle them; outputs are
 * new buffers, since they are handed on to the stream's reader.
 */

import type { FrameRange } from '../codec/range.js';
import type { SessionKey } from '../crypto/select.js';
import type { LayoutParams } from '../format/sizes.js';
import type { WorkerSource } from '../random/source.js';

/** A buffer handed over whole: `bytes` covers `[0, length)` of `buffer`. */
export interface Transferred {
  readonly buffer: ArrayBuffer;
  readonly length: number;
}

/**
 * Seal the DATA frames of `range`: `data` holds their plaintext, contiguous. The worker writes
 * the frames into a new buffer with `room` spare bytes at its end (for the segment tail).
 */
export interface SealItem {
  readonly session: SessionKey;
  readonly range: FrameRange;
  readonly data: Transferred;
  readonly room: number;
}

/**
 * Seal the DATA frames of `range`, their plaintext read by the worker from `source` at
 * `offset` (random access: the main thread copies no plaintext). Only Blobs that can be cloned
 * to workers, or a Node file by path (`openFile`), come here.
 */
export interface BlobSealItem {
  readonly session: SessionKey;
  readonly range: FrameRange;
  readonly source: WorkerSource;
  readonly offset: number;
  readonly room: number;
}

/**
 * Open the DATA frames of `range` (headers already checked by the reader against it): `data`
 * holds them in wire layout from offset 0.
 */
export interface OpenItem {
  readonly session: SessionKey;
  readonly range: FrameRange;
  readonly data: Transferred;
}

/**
 * Check a segment's DIGEST value without the key (spec §4): `data` holds the whole segment in
 * wire layout from offset 0, its frame headers already checked by the reader.
 */
export interface DigestItem {
  readonly header: Uint8Array;
  readonly segmentIndex: number;
  /** Number of DATA frames (d). */
  readonly dataFrames: number;
  /** Offset of the DIGEST frame in the segment. */
  readonly tailOffset: number;
  readonly data: Transferred;
}

/**
 * Read segment `index` of a stream from `source` in the worker, check its frame headers against
 * its place (spec §6.2), then open it whole (`session` given: DATA frames, DIGEST, TERMINATOR,
 * spec §6.3) or check its DIGEST value without the key.
 */
export interface BlobSegmentItem {
  readonly session?: SessionKey;
  readonly header: Uint8Array;
  readonly layout: LayoutParams;
  readonly source: WorkerSource;
  readonly index: number;
  readonly wireOffset: number;
  readonly wireLength: number;
  /** It is the stream's last segment (it must carry FINAL). */
  readonly last: boolean;
}

/**
 * An item's output in a new buffer (wire bytes for seal, plaintext for open), the frame
 * hashes, and the input buffer handed back so the caller can reuse it.
 */
export interface ItemResult {
  readonly output: Transferred;
  readonly hashes: Uint8Array;
  readonly input: ArrayBuffer;
}

/** What a pool worker exposes through Comlink. */
export interface WorkerApi {
  seal(item: SealItem): Promise<ItemResult>;
  open(item: OpenItem): Promise<ItemResult>;
  /**
   * Like `seal`, reading the plaintext from a Blob or file (a file's straight into the frame
   * bodies); `input` is empty: no buffer of the caller's to hand back.
   */
  sealBlob(item: BlobSealItem): Promise<ItemResult>;
  /** Reads, checks and opens (or keylessly checks) a segment from a Blob or file; the plaintext when opened. */
  segmentFromBlob(item: BlobSegmentItem): Promise<Transferred | undefined>;
  /** Checks a segment's DIGEST value (keyless); rejects with `DIGEST_MISMATCH`. */
  digest(item: DigestItem): Promise<void>;
  /** Answers at once: the pool's sign that a started worker is ready for items. */
  ping(): Promise<true>;
  /** spec §3 scrypt, off the main thread. */
  scrypt(password: Uint8Array, salt: Uint8Array, logN: number): Promise<Uint8Array>;
}
