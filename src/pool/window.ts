/**
 * The ordered window: one pull-driven machine for every path (both transforms, random-access
 * reads, `encryptBlob`, `verifyDigests`). Segments are pushed in stream order, each with the
 * budget it was granted; the readable side hands them out in that order when its reader pulls
 * (no polling), and gives each segment's budget back as it leaves. A failure errors the
 * readable side once the segments before it were handed out (spec §6.3: they verified), and
 * drops the rest. A stop (a cancelled reader, an aborted writer) drops everything at once.
 */
import { StreamV2Error } from '../errors.js';
import type { Budget, Grant, Lane } from './budget.js';

interface Entry {
  readonly work: Promise<Uint8Array>;
  readonly grant: Grant | undefined;
  readonly onRelease: ((bytes: Uint8Array) => void) | undefined;
}

/** What the owner of a window hears. */
export interface WindowHooks {
  /** The reader pulled for the first time (a producer that works on demand starts then). */
  onFirstPull?: () => void;
  /** A segment failed (before its turn to be handed out): the producer should stop. */
  onFailure?: (error: unknown) => void;
  /** The reader cancelled (with its reason). */
  onCancel?: (reason: unknown) => void;
  /** Runs once when the window closes, fails or stops (releases keys and pools). */
  onEnd?: () => void;
  /**
   * Hand out empty results too (a transform's reader gets one chunk per segment, an empty
   * plaintext's one empty chunk included); otherwise they are skipped.
   */
  keepEmpty?: boolean;
}

export class OrderedWindow {
  readonly readable: ReadableStream<Uint8Array>;
  /** This stream's share of the budget. */
  readonly lane: Lane;
  private readonly entries: Entry[] = [];
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private pulled = false;
  private pulling = false;
  private ended = false;
  private done = false;
  private failure: unknown;
  private wake: (() => void) | undefined;
  private readonly highWaterMark: number;

  /** @param highWaterMark - bytes handed out ahead of the reader's reads (default 0: on demand) */
  constructor(
    budget: Budget,
    private readonly hooks: WindowHooks = {},
    highWaterMark = 0,
  ) {
    this.highWaterMark = highWaterMark;
    this.lane = budget.lane(() => this.pulling && this.entries.length === 0 && !this.ended);
    this.readable = new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          this.controller = c;
        },
        pull: (c) => this.pull(c),
        cancel: (reason) => {
          this.stop(reason, false);
          this.hooks.onCancel?.(reason);
        },
      },
      { highWaterMark, size: (chunk) => chunk.byteLength },
    );
  }

  /** Bytes handed out and still queued for the reader (only with a high-water mark). */
  get queuedBytes(): number {
    const desired = this.controller?.desiredSize ?? null;
    return desired === null ? 0 : Math.max(0, this.highWaterMark - desired);
  }

  /**
   * Stops the window with `error()` (its readable side errors) when `signal` aborts. Work in
   * flight is dropped; a worker's job that already runs finishes there, unseen.
   */
  abortOn(signal: AbortSignal | undefined, error: () => unknown): void {
    if (!signal) return;
    const onAbort = () => this.stop(error(), true);
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    const onEnd = this.hooks.onEnd;
    this.hooks.onEnd = () => {
      signal.removeEventListener('abort', onAbort);
      onEnd?.();
    };
  }

  /** The first failure or stop, if any. */
  get error(): unknown {
    return this.failure;
  }

  /** Whether the window stopped or failed. */
  get stopped(): boolean {
    return this.failure !== undefined;
  }

  /**
   * Adds the next segment of the stream, with the budget granted for it. `onRelease` runs just
   * before it is handed out (counters, progress); a throw there fails the stream.
   */
  push(work: Promise<Uint8Array>, grant?: Grant, onRelease?: (bytes: Uint8Array) => void): void {
    work.catch((e: unknown) => {
      if (!this.stopped) this.hooks.onFailure?.(e);
    });
    if (this.stopped || this.ended) {
      grant?.release();
      return;
    }
    this.entries.push({ work, grant, onRelease });
    this.poke();
  }

  /** Adds a failure at the current stream position: it wins over nothing before it. */
  pushError(error: unknown): void {
    this.push(Promise.reject(error));
  }

  /** No more segments: the readable side closes once the last was handed out. */
  end(): void {
    this.ended = true;
    this.poke();
  }

  /**
   * Resolves once every segment pushed so far is done (not necessarily handed out); rejects
   * with the first failure in stream order, or the stop's reason.
   */
  async settled(): Promise<void> {
    for (const e of [...this.entries]) await e.work;
    if (this.stopped) throw this.failure;
  }

  /**
   * Stops at once: segments in flight are dropped and their budget given back, a waiting
   * request of this stream is refused. The readable side errors with `reason` when `error`.
   */
  stop(reason: unknown, error: boolean): void {
    if (this.stopped) return;
    this.failure = reason ?? new StreamV2Error('ABORTED', 'the stream was cancelled');
    for (const e of this.entries.splice(0)) e.grant?.release();
    if (error) {
      try {
        this.controller.error(reason);
      } catch {
        // Already closed or errored.
      }
    }
    this.finish();
  }

  private async pull(c: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    if (!this.pulled) {
      this.pulled = true;
      this.hooks.onFirstPull?.();
    }
    this.pulling = true;
    try {
      for (;;) {
        if (this.stopped) return;
        const head = this.entries[0];
        if (!head) {
          if (this.ended) {
            c.close();
            this.finish();
            return;
          }
          this.lane.poke(); // this stream now demands: a waiting request of it may go first
          await new Promise<void>((resolve) => {
            this.wake = resolve;
          });
          continue;
        }
        const bytes = await head.work;
        if (this.stopped) return;
        this.entries.shift();
        head.grant?.release();
        head.onRelease?.(bytes);
        if (bytes.length > 0 || this.hooks.keepEmpty) {
          c.enqueue(bytes);
          this.lane.notePeak(this.queuedBytes);
          return;
        }
      }
    } catch (e) {
      const failure = StreamV2Error.is(e) ? e : new StreamV2Error('SOURCE_FAILED', String(e), {}, { cause: e });
      this.stop(failure, false);
      throw failure;
    } finally {
      this.pulling = false;
    }
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.lane.close(this.failure ?? new StreamV2Error('ABORTED', 'the stream ended'));
    this.poke();
    this.hooks.onEnd?.();
  }
}

/** One segment of a {@link segmentStream}: what it costs while in flight, and its work. */
export interface SegmentJob {
  /** Bytes it holds in flight (input and output buffers). */
  readonly cost: number;
  /** Its bytes to hand out (may be empty: nothing is handed out then). */
  run(grant: Grant): Promise<Uint8Array>;
  /** Runs just before its bytes are handed out. */
  readonly onRelease?: (bytes: Uint8Array) => void;
}

/**
 * A stream of items `[first, end)` (segments, or -1 for a header), worked on in parallel as the
 * reader pulls: each waits for its turn on the budget, then runs; they are handed out in order.
 */
export function segmentStream(
  budget: Budget,
  first: number,
  end: number,
  job: (i: number) => SegmentJob,
  hooks: Pick<WindowHooks, 'onEnd'> & { stops?: ReadonlyArray<[AbortSignal | undefined, () => unknown]> } = {},
): ReadableStream<Uint8Array> {
  const fill = async () => {
    try {
      for (let i = first; i < end && !window.stopped; i++) {
        const j = job(i);
        const grant = await window.lane.acquire(j.cost);
        window.push(j.run(grant), grant, j.onRelease);
      }
      window.end();
    } catch (e) {
      window.pushError(e); // a stop refused the request: then nothing is pushed
    }
  };
  const window: OrderedWindow = new OrderedWindow(budget, { onEnd: hooks.onEnd, onFirstPull: () => void fill() });
  for (const [signal, error] of hooks.stops ?? []) window.abortOn(signal, error);
  return window.readable;
}
