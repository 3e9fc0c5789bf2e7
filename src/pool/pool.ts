/**
 * A pool of workers behind Comlink, and the memory budget of all the streams that use it. Jobs
 * go to the least-loaded worker. Comlink never rejects a call whose worker died (comlink issue
 * #601), so the pool tracks every pending call itself, rejects them with `WORKER_FAILED` when
 * their worker dies, and starts a replacement.
 */
import { type Remote, wrap } from 'comlink';
import { checkInt, optionsOf, StreamV2Error, toStreamV2Error } from '../errors.js';
import { DEFAULTS } from '../format/constants.js';
import { fullSegmentWireSize, segmentPlaintextSize } from '../format/sizes.js';
import { allocator, boundClass, type Platform, platformOf, type WorkerHandle } from '../platform/types.js';
import { Budget } from './budget.js';
import { installErrorTransfer } from './comlink-errors.js';
import type { WorkerApi } from './protocol.js';
import { Recycler } from './recycler.js';

/** Options of {@link WorkerPool}. */
export interface WorkerPoolOptions {
  /** Number of workers (default: the number of logical cores, at most 8). */
  size?: number;
  /**
   * Stop a worker after this many idle milliseconds; it restarts on the next item. Default: 2000
   * on the Web platform (so Deno processes can exit and browsers get memory back), never in Node
   * (idle workers are unref'd there).
   */
  idleTimeoutMs?: number;
  /**
   * The memory budget of all the streams on this pool together, in bytes: segments in flight
   * and done but not yet taken by their readers (input and output buffers), in both
   * directions, random-access reads, `encryptBlob` and `verifyDigests` included. Default:
   * `(2 × size + 3)` segments of the default layout (plaintext and wire, about 2 MiB each):
   * enough to keep every worker busy across a round trip, whatever the number of streams
   * (README, Memory). Each stream besides holds at most the segment it is forming.
   */
  budgetBytes?: number;
}

/** Bytes a segment of the default layout holds in flight: its plaintext and its wire bytes. */
export const DEFAULT_SEGMENT_COST = segmentPlaintextSize(DEFAULTS) + fullSegmentWireSize(DEFAULTS);

/**
 * The budget of a pool of `size` workers: a stream keeps `2 × size + 2` segments in flight at
 * most, and one more segment of the budget is the reserve that only a stream whose reader
 * waits may use (budget.ts). Inline (`size` 0), each stream keeps one segment, as alone: no
 * bound is shared, since nothing but the calling thread is shared.
 */
export function budgetFor(size: number, budgetBytes?: number): Budget {
  if (size === 0) return new Budget(Number.POSITIVE_INFINITY, 0, Number.POSITIVE_INFINITY, 1, Number.POSITIVE_INFINITY);
  const laneSegments = 2 * size + 2;
  const limit = budgetBytes ?? (laneSegments + 1) * DEFAULT_SEGMENT_COST;
  const reserve = Math.min(DEFAULT_SEGMENT_COST, Math.floor(limit / 2));
  return new Budget(limit, reserve, limit - reserve, laneSegments, laneSegments + 1);
}

interface Slot {
  handle: WorkerHandle;
  api: Remote<WorkerApi>;
  pending: Set<(e: StreamV2Error) => void>;
  answered: boolean;
  idleTimer?: ReturnType<typeof setTimeout> | undefined;
}

/** Consecutive deaths of workers that never answered before the pool pauses starting more. */
const MAX_FAILED_STARTS = 3;
/** First pause after that; it doubles with each failed retry, up to {@link MAX_RETRY_MS}. */
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 30_000;

/**
 * A pool of crypto workers (Web Workers, or worker_threads in Node). Share one pool between
 * many transforms with the `workers` option; {@link WorkerPool.terminate} stops it.
 */
export class WorkerPool {
  /** Number of workers. */
  readonly size: number;
  /** @internal the memory budget of the streams on this pool */
  readonly budget: Budget;
  /** @internal the input buffers its streams hand to workers and get back */
  readonly recycler: Recycler;
  private readonly platform: Platform;
  private readonly idleTimeoutMs: number | undefined;
  private readonly slots: Slot[] = [];
  private failedStarts = 0;
  /** While workers fail to start: no new try before this time (ms), then a doubled pause. */
  private retryAt = 0;
  private retryMs = FIRST_RETRY_MS;
  private terminated = false;

  constructor(opts?: WorkerPoolOptions) {
    const options = optionsOf(opts, 'options', ['size', 'idleTimeoutMs', 'budgetBytes']);
    // The entry point's subclass carries the platform; the library's own pools get it passed in.
    const platform = platformOf(new.target);
    this.platform = platform;
    installErrorTransfer();
    const size = options.size ?? Math.min(8, Math.max(1, platform.hardwareConcurrency()));
    if (!Number.isInteger(size) || size < 1 || size > 256) {
      throw new StreamV2Error('BAD_ARGUMENT', `pool size must be an integer in 1..256, got ${size}`);
    }
    this.size = size;
    checkInt('budgetBytes', options.budgetBytes, 1, Number.MAX_SAFE_INTEGER);
    this.budget = budgetFor(size, options.budgetBytes);
    this.recycler = new Recycler(this.budget.laneSegments + 2, allocator(platform));
    this.idleTimeoutMs = options.idleTimeoutMs ?? platform.idleWorkerMs;
    if (this.idleTimeoutMs !== undefined && !(this.idleTimeoutMs >= 0)) {
      throw new StreamV2Error('BAD_ARGUMENT', 'idleTimeoutMs must be a non-negative number');
    }
  }

  /**
   * True once a worker answered (and none has died before answering since).
   * @internal
   */
  get ready(): boolean {
    return this.slots.some((s) => s.answered);
  }

  /**
   * True while no worker answered yet and none failed to start: the first is starting, or will
   * be by {@link WorkerPool.warm}. The runner runs items on its own thread meanwhile.
   * @internal
   */
  get cold(): boolean {
    return !this.terminated && this.failedStarts === 0 && !this.ready;
  }

  /**
   * Starts a worker, if none is there, and asks it to answer (`ready` once it has).
   * @internal
   */
  warm(): void {
    if (this.slots.length === 0 && !this.terminated) void this.run((api) => api.ping()).catch(() => {});
  }

  /** The memory budget of all the streams on this pool together, in bytes (see {@link WorkerPoolOptions.budgetBytes}). */
  get budgetBytes(): number {
    return this.budget.limit;
  }

  /**
   * Bytes the streams on this pool hold now: segments in flight or waiting for their readers
   * (within {@link WorkerPool.budgetBytes}) and the segments they are forming (one at most each).
   */
  get heldBytes(): number {
    return this.budget.heldBytes;
  }

  /** The most bytes held at once so far (see {@link WorkerPool.heldBytes}). */
  get peakHeldBytes(): number {
    return this.budget.peakHeldBytes;
  }

  /**
   * Has every started worker forget a stream's frame key (its stream ended): no worker keeps
   * a key past its stream.
   * @internal
   */
  forget(sessionId: string): void {
    for (const slot of this.slots) void slot.api.forget(sessionId).catch(() => {});
  }

  /** True once {@link WorkerPool.terminate} was called. */
  get isTerminated(): boolean {
    return this.terminated;
  }

  /**
   * Runs `call` on the least-loaded worker. Rejects with `WORKER_FAILED` if that worker dies
   * first, and with `ABORTED` if the pool is terminated first.
   * @internal Comlink's types stay out of the public declarations (stripInternal).
   */
  run<T>(call: (api: Remote<WorkerApi>) => Promise<T>): Promise<T> {
    const refused = this.refusal();
    if (refused) return Promise.reject(refused);
    let slot: Slot;
    try {
      slot = this.pick();
    } catch (e) {
      return Promise.reject(startFailed(e));
    }
    return this.runOn(slot, call);
  }

  /**
   * Starts every worker now and resolves once each has answered. A page can start the pool
   * while its user picks a file, a server at boot: the first stream then pays no start-up.
   * Without it, workers start as work comes, and a stream's first items run on the calling
   * thread until one answers.
   * @throws StreamV2Error `WORKER_FAILED` (a worker could not start), `ABORTED` (terminated)
   */
  async start(): Promise<void> {
    const refused = this.refusal();
    if (refused) throw refused;
    const waiting = this.slots.filter((s) => !s.answered);
    try {
      while (this.slots.length < this.size) waiting.push(this.spawn());
    } catch (e) {
      throw startFailed(e);
    }
    await Promise.all(waiting.map((slot) => this.runOn(slot, (api) => api.ping())));
  }

  /** Why a call cannot run now (terminated, or pausing after failed starts); undefined if it can. */
  private refusal(): StreamV2Error | undefined {
    if (this.terminated) return new StreamV2Error('ABORTED', 'the worker pool was terminated');
    if (this.failedStarts >= MAX_FAILED_STARTS && Date.now() < this.retryAt) {
      // Fail fast for a while instead of spawning doomed workers, but never for good: a later
      // call tries again (the cause, e.g. memory or a missing file, may have gone).
      const wait = this.retryAt - Date.now();
      return new StreamV2Error('WORKER_FAILED', `workers fail to start; next try in ${wait} ms`);
    }
    return undefined;
  }

  private runOn<T>(slot: Slot, call: (api: Remote<WorkerApi>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const fail = (e: StreamV2Error) => reject(e);
      if (slot.pending.size === 0) this.busy(slot);
      slot.pending.add(fail);
      const settle = () => {
        if (slot.pending.delete(fail) && slot.pending.size === 0) this.idle(slot);
      };
      Promise.resolve()
        .then(() => call(slot.api))
        .then(
          (v) => {
            slot.answered = true;
            this.failedStarts = 0;
            this.retryMs = FIRST_RETRY_MS;
            settle();
            resolve(v);
          },
          (e) => {
            slot.answered = true;
            settle();
            reject(toStreamV2Error(e));
          },
        );
    });
  }

  /** Terminates every worker; pending and later calls reject with `ABORTED`. */
  async terminate(): Promise<void> {
    if (this.terminated) return;
    this.terminated = true;
    for (const slot of this.slots.splice(0))
      this.kill(slot, new StreamV2Error('ABORTED', 'the worker pool was terminated'));
  }

  private busy(slot: Slot): void {
    clearTimeout(slot.idleTimer);
    slot.idleTimer = undefined;
    slot.handle.ref();
  }

  private idle(slot: Slot): void {
    slot.handle.unref();
    if (this.idleTimeoutMs === undefined) return;
    slot.idleTimer = setTimeout(() => {
      const i = this.slots.indexOf(slot);
      if (i < 0 || slot.pending.size > 0) return;
      this.slots.splice(i, 1);
      slot.handle.terminate();
    }, this.idleTimeoutMs);
  }

  private pick(): Slot {
    if (this.slots.length < this.size) {
      // Start workers lazily, one per call until the pool is full.
      const idle = this.slots.find((s) => s.pending.size === 0);
      if (idle) return idle;
      return this.spawn();
    }
    let best = this.slots[0] as Slot;
    for (const s of this.slots) if (s.pending.size < best.pending.size) best = s;
    return best;
  }

  private spawn(): Slot {
    const handle = this.platform.spawnWorker();
    const slot: Slot = { handle, api: wrap<WorkerApi>(handle.endpoint), pending: new Set(), answered: false };
    handle.onFailure((reason) => this.onDeath(slot, reason));
    this.slots.push(slot);
    return slot;
  }

  private onDeath(slot: Slot, reason: Error): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return; // already handled (error and exit both fire in Node)
    this.slots.splice(i, 1);
    if (!slot.answered && ++this.failedStarts >= MAX_FAILED_STARTS) {
      this.retryAt = Date.now() + this.retryMs;
      this.retryMs = Math.min(2 * this.retryMs, MAX_RETRY_MS);
    }
    this.kill(slot, new StreamV2Error('WORKER_FAILED', `a worker died: ${reason.message}`, {}, { cause: reason }));
    // The replacement starts lazily on the next call.
  }

  private kill(slot: Slot, error: StreamV2Error): void {
    clearTimeout(slot.idleTimer);
    for (const fail of slot.pending) fail(error);
    slot.pending.clear();
    slot.handle.unref();
    slot.handle.terminate();
  }
}

function startFailed(e: unknown): StreamV2Error {
  return new StreamV2Error('WORKER_FAILED', `a worker could not start: ${String(e)}`, {}, { cause: e });
}

/** A pool on `platform` (of `size` workers, default one per core): the class bound to it, as the entries bind it. */
export function poolOn(platform: Platform, size?: number): WorkerPool {
  return new (boundClass(WorkerPool, platform))(size === undefined ? {} : { size });
}

const defaultPools = new WeakMap<Platform, WorkerPool>();

/** The lazily created pool of `platform` that transforms use when `workers` is not given. */
export function defaultPoolOn(platform: Platform): WorkerPool {
  let pool = defaultPools.get(platform);
  if (!pool || pool.isTerminated) {
    pool = poolOn(platform);
    defaultPools.set(platform, pool);
  }
  return pool;
}
