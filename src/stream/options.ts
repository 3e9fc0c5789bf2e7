/** Options and telemetry shared by both transforms, and their checks. */
import type { BackendName } from '../crypto/types.js';
import { checkInt, StreamV2Error } from '../errors.js';
import type { WorkersOption } from '../pool/engine.js';

/** Counters of a transform, updated as each segment is released. */
export interface Telemetry {
  /** Segments released (encrypt: sealed and enqueued; decrypt: verified and enqueued). */
  segments: number;
  dataFrames: number;
  digestFrames: number;
  terminatorFrames: number;
  /** Plaintext bytes released (decrypt) or sealed (encrypt). */
  plaintextBytes: number;
  /** Wire bytes, header included, of what was released. */
  ciphertextBytes: number;
}

/** Options both transforms take. */
export interface CommonOptions {
  /**
   * Workers: a count (`0` runs everything inline on this thread), or a {@link WorkerPool} to
   * share. Default: the shared default pool (one worker per core, at most 8).
   */
  workers?: WorkersOption;
  /** Called with a snapshot of the telemetry after every released segment. */
  onProgress?: (telemetry: Readonly<Telemetry>) => void;
  /** Force one crypto backend (default: the fastest present; see README). */
  backend?: BackendName;
  /** Bytes the writable side queues before it signals backpressure (default 1 MiB). */
  writableHighWaterMark?: number;
  /**
   * Bytes the readable side hands out ahead of its reader's reads (default 0: a segment goes
   * out when the reader asks for it; until then it waits, counted in the pool's budget).
   */
  readableHighWaterMark?: number;
}

/** A fresh, zeroed telemetry record. */
export function newTelemetry(): Telemetry {
  return {
    segments: 0,
    dataFrames: 0,
    digestFrames: 0,
    terminatorFrames: 0,
    plaintextBytes: 0,
    ciphertextBytes: 0,
  };
}

/** Default bytes the writable side queues before backpressure. */
const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;

/**
 * The byte-counting queuing strategies of both sides. `size` must never throw nor return a
 * negative number: the streams spec then errors only the writable side and a pipe hangs. A
 * chunk that is not a Uint8Array counts 1 and is refused by {@link checkChunk} in `transform`.
 */
export function strategies(o: CommonOptions): [QueuingStrategy<Uint8Array>, QueuingStrategy<Uint8Array>] {
  checkInt('writableHighWaterMark', o.writableHighWaterMark, 0, 2 ** 31);
  checkInt('readableHighWaterMark', o.readableHighWaterMark, 0, 2 ** 31);
  const size = (chunk: unknown) => (chunk instanceof Uint8Array ? chunk.byteLength : 1);
  return [
    { highWaterMark: o.writableHighWaterMark ?? DEFAULT_HIGH_WATER_MARK, size },
    { highWaterMark: o.readableHighWaterMark ?? 0, size },
  ];
}

/** Checks an input chunk. */
export function checkChunk(chunk: unknown): asserts chunk is Uint8Array {
  if (!(chunk instanceof Uint8Array)) {
    throw new StreamV2Error('BAD_ARGUMENT', 'stream chunks must be Uint8Array');
  }
}

/** Counts one released segment (its DATA frames, DIGEST and TERMINATOR) and reports progress. */
export function countSegment(
  o: CommonOptions,
  t: Telemetry,
  dataFrames: number,
  plaintextBytes: number,
  wireBytes: number,
): void {
  t.segments++;
  t.dataFrames += dataFrames;
  t.digestFrames++;
  t.terminatorFrames++;
  t.plaintextBytes += plaintextBytes;
  t.ciphertextBytes += wireBytes;
  o.onProgress?.({ ...t });
}
