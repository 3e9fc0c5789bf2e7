/**
 * In-order, bounded output of a transform. Segments are pushed as promises in stream order and
 * enqueued in that order as they settle; at most `limit` are in flight. The first failure in
 * stream order errors the stream after the segments before it were released, and drops the
 * rest. A cancelled reader or aborted writer stops everything at once.
 */
import { StreamV2Error } from '../errors.js';

/** Where the output goes. */
export interface OutputSink {
  enqueue(chunk: Uint8Array): void;
  error(reason: unknown): void;
}

export class OrderedOutput {
  private chain: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private failure: unknown;
  private failed = false;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly sink: OutputSink,
    private readonly limit: number,
    /** Runs once when the output fails or stops (releases pools and keys). */
    private readonly onEnd: () => void = () => {},
  ) {}

  /** The first failure, if any. */
  get error(): unknown {
    return this.failed ? this.failure : undefined;
  }

  /**
   * Adds the next segment of the stream. `onRelease` runs just before it is enqueued (counters,
   * progress); a throw there fails the stream like a failed segment.
   */
  push(work: Promise<Uint8Array>, onRelease: (chunk: Uint8Array) => void): void {
    this.throwIfFailed();
    this.inFlight++;
    work.catch(() => {}); // settled in order below; never an unhandled rejection
    this.chain = this.chain.then(async () => {
      try {
        if (this.failed) return;
        const chunk = await work;
        if (this.failed) return;
        onRelease(chunk);
        this.sink.enqueue(chunk);
      } catch (e) {
        this.fail(e);
      } finally {
        this.inFlight--;
        this.wake();
      }
    });
  }

  /** Adds a failure at the current stream position: it wins over nothing before it. */
  pushError(error: unknown): void {
    this.push(Promise.reject(error), () => {});
  }

  /** Resolves when another segment may start; rejects once the stream failed. */
  async waitForRoom(): Promise<void> {
    while (this.inFlight >= this.limit) {
      this.throwIfFailed();
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.throwIfFailed();
  }

  /** Resolves once everything pushed was released; rejects with the first failure. */
  async drain(): Promise<void> {
    await this.chain;
    this.throwIfFailed();
  }

  /** Stops at once (reader cancelled, writer aborted): pending work is dropped. */
  stop(reason: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.failure = StreamV2Error.is(reason) ? reason : new StreamV2Error('ABORTED', 'the stream was cancelled');
    this.wake();
    this.onEnd();
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

  private throwIfFailed(): void {
    if (this.failed) throw this.failure;
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
