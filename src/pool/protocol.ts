/**
 * The worker protocol: types only, shared by the pool and the workers. The unit of work is a
 * whole segment (spec §4, §5): a worker seals, opens or keylessly checks all of it (DATA
 * frames, DIGEST, TERMINATOR), from bytes handed over or from a place in a source it reads
 * itself; the calling thread keeps the header, the keys' set-up and the order. Buffers travel
 * by transfer (Comlink.transfer), never by copy; only the 32-byte key and the 80-byte header are
 * cloned with each job. A buffer handed over comes back with the answer, so callers recycle it;
 * outputs are new buffers, handed on to a stream's reader.
 */

import type { SessionKey } from '../crypto/select.js';
import type { LayoutParams } from '../format/sizes.js';
import type { WorkerSource } from '../source/source.js';

/** A buffer handed over whole: the bytes are `[0, length)` of `buffer`. */
export interface Transferred {
  readonly buffer: ArrayBuffer;
  readonly length: number;
}

/**
 * Where a job's input is: bytes handed over (from offset 0 of their buffer), or `length` bytes
 * at `offset` of a source the worker reads itself (a Blob cloned to it, or a file by path).
 */
export type JobInput =
  | { readonly bytes: Transferred }
  | { readonly source: WorkerSource; readonly offset: number; readonly length: number };

/** Seal segment `segmentIndex` of a stream whose `input` is its plaintext. */
export interface SealJob {
  readonly session: SessionKey;
  readonly frameSize: number;
  readonly segmentIndex: number;
  /** It is the stream's last segment: its TERMINATOR carries FINAL (spec §4). */
  readonly final: boolean;
  readonly input: JobInput;
}

/**
 * Open segment `segmentIndex` of a stream whose `input` is its wire bytes: check every frame
 * header against its place (spec §6.2), then open it whole (spec §6.3).
 */
export interface OpenJob {
  readonly session: SessionKey;
  readonly layout: LayoutParams;
  readonly segmentIndex: number;
  /** It is the stream's last segment (it must carry FINAL, and nothing may follow it). */
  readonly last: boolean;
  readonly input: JobInput;
}

/** Check segment `segmentIndex` without the key: frame headers and DIGEST value (spec §4). */
export interface CheckJob {
  readonly header: Uint8Array;
  readonly layout: LayoutParams;
  readonly segmentIndex: number;
  readonly last: boolean;
  readonly input: JobInput;
}

/**
 * Authenticate where a stream ends (random access): `input` is its last DATA frame, DIGEST and
 * TERMINATOR, of segment `segmentIndex` with `dataFrames` DATA frames (codec/segment.ts).
 */
export interface EndJob {
  readonly session: SessionKey;
  readonly segmentIndex: number;
  readonly dataFrames: number;
  readonly input: { readonly bytes: Transferred };
}

/**
 * A job's answer: the output in a new buffer (wire bytes of a sealed segment, plaintext of an
 * opened one; none for a check) and the input buffer handed back for reuse, when there was one
 * to hand back. An opened segment read from a source leaves in the buffer it was read into.
 */
export interface JobResult {
  readonly output?: Transferred;
  readonly input?: ArrayBuffer;
  /** A checked segment's DIGEST value (32 bytes, public), as the check found it. */
  readonly digest?: Uint8Array;
}

/** What a pool worker exposes through Comlink. */
export interface WorkerApi {
  seal(job: SealJob): Promise<JobResult>;
  open(job: OpenJob): Promise<JobResult>;
  check(job: CheckJob): Promise<JobResult>;
  openEnd(job: EndJob): Promise<JobResult>;
  /** Forgets a stream's frame key (its stream ended): the worker keeps no key past its stream. */
  forget(sessionId: string): Promise<void>;
  /** Answers at once: the pool's sign that a started worker is ready for jobs. */
  ping(): Promise<true>;
  /** spec §3 scrypt, off the main thread. */
  scrypt(password: Uint8Array, salt: Uint8Array, logN: number): Promise<Uint8Array>;
}
