/**
 * The one base of both transforms: a writable side that hands whole segments to the runner in
 * turn, and the ordered window's pull-driven readable side. What differs, the encoder and the
 * decoder, is a {@link TransformSide} (stream/encrypt.ts, stream/decrypt.ts).
 *
 * The public classes extend `TransformStream` (so `instanceof` and every `pipeThrough` work);
 * their `readable` and `writable` are these two streams, because the readable side must see its
 * reader's pulls (a standard transformer cannot), which is what gives a segment room (no
 * polling) and lets a stream whose reader waits go first on a shared pool (pool/budget.ts).
 */
import { type Platform, platformOf } from '../platform/types.js';
import type { Grant } from '../pool/budget.js';
import { SegmentRunner } from '../pool/runner.js';
import { OrderedWindow } from '../pool/window.js';
import { type Progress, ProgressCounter, type StreamOptions, WRITABLE_STRATEGY } from './options.js';

/** What a transform's codec side does with its input, through {@link SegmentStreams}. */
export interface TransformSide {
  /** Before the first chunk (the encoder writes the header). */
  start(): Promise<void>;
  write(chunk: Uint8Array): Promise<void>;
  /** After the last chunk: the last segment, and the end-of-stream checks. */
  end(): Promise<void>;
  /** Releases the keys and the runner's own pool (idempotent). */
  close(): void;
}

/** What a segment counts for, once it is handed out. */
export interface SegmentCount {
  readonly plaintextBytes: number;
  readonly wireBytes: number;
}

/** The two sides of a transform over one ordered window, as a {@link TransformSide} uses them. */
export class SegmentStreams {
  readonly counter: ProgressCounter;
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  private readonly window: OrderedWindow;
  private writer!: WritableStreamDefaultController;
  private readonly side: TransformSide;

  /** @param side - makes the codec side (before the writable side starts, which is at once) */
  constructor(
    readonly runner: SegmentRunner,
    private readonly options: StreamOptions,
    side: (streams: SegmentStreams) => TransformSide,
  ) {
    this.counter = new ProgressCounter(() => this.window.lane);
    this.window = new OrderedWindow(runner.budget, {
      onFailure: (e) => this.failed(e),
      onCancel: (reason) => this.errorWriter(reason),
      onEnd: () => this.release(),
      keepEmpty: true,
    });
    this.readable = this.window.readable;
    this.side = side(this);
    this.writable = new WritableStream<Uint8Array>(
      {
        start: (c) => {
          this.writer = c;
          return this.guard(() => this.side.start());
        },
        write: (chunk) => this.guard(() => this.side.write(chunk)),
        close: () =>
          this.guard(async () => {
            await this.side.end();
            this.window.end();
            await this.window.settled();
            this.side.close(); // all work done: no key is needed any more
          }),
        abort: (reason) => {
          this.window.stop(reason, true);
          this.side.close();
        },
      },
      WRITABLE_STRATEGY,
    );
  }

  /** Sets the bytes of the side's own buffer that holds the segment being formed. */
  stage(bytes: number): void {
    this.window.lane.stage(bytes);
  }

  /** Hands out bytes that need no work (the header), in order. */
  emit(bytes: Uint8Array): void {
    this.window.push(Promise.resolve(bytes));
  }

  /**
   * Waits for this stream's turn (room in its share, then the pool's budget), then starts
   * `run`: only then does the side copy or hand over the segment's input. Resolves once the
   * segment is in flight; its input bytes go back to the budget when the work is done, the
   * rest once the reader took it.
   * @param cost - the bytes the segment holds in flight (input and output buffers)
   * @param inputBytes - the part of `cost` that is its input
   */
  async put(cost: number, inputBytes: number, count: SegmentCount, run: () => Promise<Uint8Array>): Promise<void> {
    const grant: Grant = await this.window.lane.acquire(cost);
    const work = run().then((out) => {
      grant.giveBack(inputBytes);
      return out;
    });
    this.window.push(work, grant, () =>
      this.counter.count(count.plaintextBytes, count.wireBytes, this.options.onProgress),
    );
  }

  /** Runs a side's step; a failure fails the stream at its place (after what came before it). */
  private async guard(step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (e) {
      this.window.pushError(e);
      this.window.end();
      // The keys (and a pool of the stream's own) go once the work before the failure is done.
      void this.window
        .settled()
        .catch(() => {})
        .finally(() => this.side.close());
      throw e;
    }
  }

  /** A segment failed: no more writes (the segments before it still go to the reader). */
  private failed(e: unknown): void {
    this.window.lane.fail(e);
    this.errorWriter(e);
  }

  private errorWriter(reason: unknown): void {
    try {
      this.writer.error(reason);
    } catch {
      // Already closed or errored.
    }
  }

  /** Once the window ended: the keys and a pool of the stream's own go (after any work in flight). */
  private release(): void {
    this.side.close();
  }
}

/**
 * A transform of whole segments: the base of {@link EncryptSegmentTransform} and
 * {@link DecryptSegmentTransform}.
 */
export abstract class SegmentTransform extends TransformStream<Uint8Array, Uint8Array> {
  private readonly streams: SegmentStreams;

  /**
   * @param side - makes the codec side on the transform's platform and runner
   * @internal the library's own two transforms only
   */
  protected constructor(options: StreamOptions, side: (platform: Platform, streams: SegmentStreams) => TransformSide) {
    super();
    const platform = platformOf(new.target);
    const streams = new SegmentStreams(new SegmentRunner(platform, options.workers), options, (s) => side(platform, s));
    // Own properties over the prototype's getters: pipeThrough and every reader read these.
    Object.defineProperty(this, 'readable', { value: streams.readable, enumerable: true });
    Object.defineProperty(this, 'writable', { value: streams.writable, enumerable: true });
    this.streams = streams;
  }

  /** The transform's progress and the memory it holds, now (see {@link StreamOptions.onProgress}). */
  get progress(): Progress {
    return this.streams.counter.snapshot();
  }
}
