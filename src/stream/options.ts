/** Options and progress shared by both transforms, and their checks. */
import { StreamV2Error } from '../errors.js';
import type { WorkersOption } from '../pool/runner.js';

/** A snapshot of a transform's progress and of the memory it holds. */
export interface Progress {
  /** Segments handed out (encrypt: sealed; decrypt: verified). */
  readonly segments: number;
  /** Plaintext bytes of the segments handed out. */
  readonly plaintextBytes: number;
  /** Wire bytes handed out (encrypt) or taken in and verified (decrypt), header included. */
  readonly ciphertextBytes: number;
  /**
   * Bytes the transform holds now: segments in flight or waiting for the reader (input and
   * output buffers) and the segment it is forming; the caller's own chunks are not counted.
   * Bounded whatever the input chunk size or the reader's speed (README, Memory).
   */
  readonly heldBytes: number;
  /** The most bytes held at once so far. */
  readonly peakHeldBytes: number;
}

/** Options both transforms take. */
export interface StreamOptions {
  /**
   * Workers: a count (`0` runs everything inline on this thread, `N` a pool of the stream's
   * own), or a {@link WorkerPool} to share. Default: the shared default pool (one worker per
   * core, at most 8).
   */
  workers?: WorkersOption;
  /** Called with the transform's {@link Progress} after every segment it hands out. */
  onProgress?: (progress: Progress) => void;
}

/** Bytes the writable side queues before backpressure: the caller's chunks, not the library's. */
export const WRITABLE_HIGH_WATER_MARK = 1024 * 1024;

/**
 * The byte-counting queuing strategy of the writable side. `size` must never throw nor return
 * a negative number: the streams spec then errors only the writable side and a pipe hangs. A
 * chunk that is not a Uint8Array counts 1 and is refused by {@link checkChunk}.
 */
export const WRITABLE_STRATEGY: QueuingStrategy<Uint8Array> = {
  highWaterMark: WRITABLE_HIGH_WATER_MARK,
  size: (chunk: unknown) => (chunk instanceof Uint8Array ? chunk.byteLength : 1),
};

/** Checks an input chunk. */
export function checkChunk(chunk: unknown): asserts chunk is Uint8Array {
  if (!(chunk instanceof Uint8Array)) {
    throw new StreamV2Error('BAD_ARGUMENT', 'stream chunks must be Uint8Array');
  }
}

/** The counters behind a transform's {@link Progress}. */
export class ProgressCounter {
  segments = 0;
  plaintextBytes = 0;
  ciphertextBytes = 0;

  constructor(private readonly held: () => { heldBytes: number; peakHeldBytes: number }) {}

  /** A snapshot. */
  snapshot(): Progress {
    const { heldBytes, peakHeldBytes } = this.held();
    const { segments, plaintextBytes, ciphertextBytes } = this;
    return { segments, plaintextBytes, ciphertextBytes, heldBytes, peakHeldBytes };
  }

  /** Counts one segment handed out, and reports it. */
  count(plaintextBytes: number, wireBytes: number, report: StreamOptions['onProgress']): void {
    this.segments++;
    this.plaintextBytes += plaintextBytes;
    this.ciphertextBytes += wireBytes;
    report?.(this.snapshot());
  }
}
