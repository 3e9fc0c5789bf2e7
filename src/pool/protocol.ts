/**
 * The worker protocol: types only, shared by the pool and the workers. Buffers travel by
 * transfer (Comlink.transfer), never by copy; only the 32-byte key and 80-byte header are
 * cloned with each item.
 */

import type { FrameRange } from '../codec/segment.js';
import type { SessionKey } from '../crypto/select.js';

/** A buffer handed over whole: `bytes` covers `[0, length)` of `buffer`. */
export interface Transferred {
  readonly buffer: ArrayBuffer;
  readonly length: number;
}

/** Seal the DATA frames of `range`; plaintext sits at the body positions of `data`. */
export interface SealItem {
  readonly session: SessionKey;
  readonly range: FrameRange;
  readonly data: Transferred;
}

/** Open the DATA frames of `range` (headers already checked by the reader). */
export interface OpenItem {
  readonly session: SessionKey;
  readonly range: Pick<FrameRange, 'segmentIndex' | 'firstFrame' | 'count'>;
  readonly data: Transferred;
}

/** The sealed (or opened, compacted) bytes come back in the same buffer, with frame hashes. */
export interface ItemResult {
  readonly data: Transferred;
  readonly hashes: Uint8Array;
  /** For open: plaintext bytes at the start of `data`. */
  readonly plaintextLength: number;
}

/** What a pool worker exposes through Comlink. */
export interface WorkerApi {
  seal(item: SealItem): Promise<ItemResult>;
  open(item: OpenItem): Promise<ItemResult>;
  /** spec §3 scrypt, off the main thread. */
  scrypt(password: Uint8Array, salt: Uint8Array, logN: number): Promise<Uint8Array>;
  /** Testing hook: the worker dies on its next item, as a crash mid-work would kill it. */
  crashForTesting(): void;
}
