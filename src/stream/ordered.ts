/**
 * In-order, bounded output of a transform. Segments are pushed as promises in stream order and
 * enqueued in that order as they settle; at most `limit` are in flight, and no new one starts
 * while the reader's queue is full. The first failure in stream order errors the stream after
 * the segments before it were released, and drops the rest. A cancelled reader or aborted
 * writer stops everything at once.
 */
import { StreamV2Error } from '../errors.js';

/** Where the output goes (a TransformStream's controller). */
export interface OutputSink {
  enqueue(chunk: Uint8Array): void;
  error(reason: unknown): void;
  /** Room left in the reader's queue (its high-water mark minus the bytes queued). */
  readonly desiredSize: number | null;
}

/** The longest pause between two looks at the reader's queue while it is full. */
const MAX_POLL_MS = 16;

export class OrderedOutput {
  private chain: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private inFlightBytes = 0;
  private failure: unknown;
  private failed = false;
  /** The reader went away (cancelled during flush): not a failure of the stream. */
  private readerGone = false;
  private waiters: Array<() => void> = [];
  /** The most bytes held at once (see {@link OrderedOutput.heldBytes}). */
  peakHeldBytes = 0;

  constructor(
    private readonly sink: OutputSink,
    private readonly limit: number,
    /** The reader's queue size in bytes (the readable side's high-water mark). */
    private readonly readableHighWaterMark: number,
    /** Runs once when the output fails or stops (releases pools and keys). */
    private readonly onEnd: () => void = () => {},
  ) {}

  /** The first failure, if any. */
  get error(): unknown {
    return this.failed ? this.failure : undefined;
  }

  /** Bytes held now: the segments in flight (input and output) and the reader's queue. */
  get heldBytes(): number {
    return this.inFlightBytes + this.queuedBytes();
  }

  /**
   * Adds the next segment of the stream. `onRelease` runs just before it is enqueued (counters,
   * progress); a throw there fails the stream like a failed segment.
   * @param bytes - what the segment holds while in flight (input and output buffers)
   */
  push(work: Promise<Uint8Array>, onRelease: (chunk: Uint8Array) => void, bytes = 0): void {
    work.catch(() => {}); // settled in order below, or dropped if the stream already failed
    this.throwIfFailed();
    this.inFlight++;
    this.inFlightBytes += bytes;
    this.notePeak();
    this.chain = this.chain.then(async () => {
      try {
        if (this.failed) return;
        const chunk = await work;
        if (this.failed) return;
        onRelease(chunk);
        this.enqueue(chunk);
      } catch (e) {
        this.fail(e);
      } finally {
        this.inFlight--;
        this.inFlightBytes -= bytes;
        this.wake();
      }
    });
  }

  /** Adds a failure at the current stream position: it wins over nothing before it. */
  pushError(error: unknown): void {
    this.push(Promise.reject(error), () => {});
  }

  /**
   * Resolves when another segment may start: fewer than `limit` in flight and room in the
   * reader's queue. Without the second condition one huge write would seal its whole input
   * into the queue of a reader that does not read. Rejects once the stream failed.
   */
  async waitForRoom(): Promise<void> {
    let pause = 1;
    for (;;) {
      this.throwIfFailed();
      if (this.inFlight >= this.limit) {
        await new Promise<void>((resolve) => this.waiters.push(resolve));
      } else if (this.readerIsFull()) {
        // The controller tells nothing when the reader takes a chunk: look again shortly.
        await sleep(pause);
        pause = Math.min(2 * pause, MAX_POLL_MS);
      } else {
        return;
      }
    }
  }

  /**
   * Resolves once everything pushed was released; rejects with the first failure. A reader
   * that went away while the writer was closing is not a failure: its cancel() resolves.
   */
  async drain(): Promise<void> {
    await this.chain;
    if (this.readerGone) return;
    this.throwIfFailed();
  }

  /**
   * Ends a `transform()` call. When the stream was stopped while it ran (the reader cancelled),
   * it resolves one task later: Node clears the transformer's algorithms at once on cancel but
   * errors the writable side only after the cancel promise, a microtask later, and a write that
   * resolved in between would have Node run the next queued write into the cleared algorithm
   * (a raw TypeError for the writer). A task later the writable side is errored, and the queued
   * writes reject with the reason.
   */
  async endWrite(): Promise<void> {
    if (this.failed) await sleep(0);
  }

  /** Stops at once (reader cancelled, writer aborted): pending work is dropped. */
  stop(reason: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.failure = StreamV2Error.is(reason) ? reason : new StreamV2Error('ABORTED', 'the stream was cancelled');
    this.wake();
    this.onEnd();
  }

  /**
   * Enqueues a released chunk. Once flush has started, a cancelled reader is not reported to
   * the transformer (streams spec: cancel then waits for flush), so the controller refuses the
   * chunk instead: that means the reader is gone, and the rest of the work is dropped.
   */
  private enqueue(chunk: Uint8Array): void {
    try {
      this.sink.enqueue(chunk);
    } catch {
      this.readerGone = true;
      this.stop(undefined);
      return;
    }
    this.notePeak();
  }

  private fail(e: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.failure = e;
    try {
      this.sink.error(e);
    } catch {
      // The stream may already be closed or errored.
    }
    this.wake();
    this.onEnd();
  }

  /** Bytes waiting in the reader's queue. */
  private queuedBytes(): number {
    const desired = this.sink.desiredSize;
    return desired === null ? 0 : Math.max(0, this.readableHighWaterMark - desired);
  }

  /** Full: something is queued and the queue reached its mark (a mark of 0 allows one chunk). */
  private readerIsFull(): boolean {
    const queued = this.queuedBytes();
    return queued > 0 && queued >= this.readableHighWaterMark;
  }

  private notePeak(): void {
    this.peakHeldBytes = Math.max(this.peakHeldBytes, this.heldBytes);
  }

  private throwIfFailed(): void {
    if (this.failed) throw this.failure;
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

/** A pause that never keeps a Node process alive by itself. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms) as { unref?: () => void };
    timer.unref?.();
  });
}
