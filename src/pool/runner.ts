/**
 * Where a stream's segments are worked on: on a worker pool, or inline (`workers: 0`), with
 * the same codec either way (worker-api.ts). The runner takes a segment's input, bytes or a
 * place in a source, and decides where the work runs: a source that workers can read
 * themselves is read there (no file bytes through this thread); anything else is read here
 * into a buffer of the library's own and handed over.
 */
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { transfer } from 'comlink';
import { type ScryptFn, scryptMaxmem } from '../codec/keys.js';
import type { SessionKey } from '../crypto/select.js';
import { StreamV2Error, toStreamV2Error } from '../errors.js';
import type { LayoutParams } from '../format/sizes.js';
import { allocator, type Platform } from '../platform/types.js';
import { readOwned, type Source } from '../source/source.js';
import type { Budget } from './budget.js';
import { budgetFor, defaultPoolOn, poolOn, WorkerPool } from './pool.js';
import type { JobInput, JobResult, Transferred, WorkerApi } from './protocol.js';
import { Recycler } from './recycler.js';
import { createWorkerApi, viewOf } from './worker-api.js';

/** Jobs a stream runs on its own thread while its pool's first worker starts (see `run`). */
const COLD_JOBS = 4;

/** The `workers` option: a count (0 = inline) or a shared pool. */
export type WorkersOption = number | WorkerPool;

/** A segment's input: bytes of the library's own (from offset 0 of their buffer, given up), or a place in a source. */
export type SegmentInput =
  | { readonly bytes: Uint8Array }
  | { readonly source: Source; readonly offset: number; readonly length: number };

/** The part of the worker API that segment jobs use. */
type JobApi = Pick<WorkerApi, 'seal' | 'open' | 'check' | 'openEnd'>;

export class SegmentRunner {
  /** The budget this stream's segments are granted from: its pool's, or its own inline. */
  readonly budget: Budget;
  /** Input buffers handed to workers and back (the pool's, or this runner's own inline). */
  readonly recycler: Recycler;
  private readonly pool: WorkerPool | undefined;
  private readonly ownsPool: boolean;
  private readonly inline: WorkerApi;
  private coldJobs = 0;

  /** @param platform - passed in by the public API (bound by the package entry point) */
  constructor(
    readonly platform: Platform,
    workers: WorkersOption | undefined,
  ) {
    if (workers instanceof WorkerPool) {
      this.pool = workers;
      this.ownsPool = false;
    } else if (workers === undefined) {
      this.pool = defaultPoolOn(platform);
      this.ownsPool = false;
    } else if (Number.isInteger(workers) && workers >= 0 && workers <= 256) {
      this.pool = workers === 0 ? undefined : poolOn(platform, workers);
      this.ownsPool = workers > 0;
    } else {
      throw new StreamV2Error('BAD_ARGUMENT', 'workers must be an integer in 0..256 or a WorkerPool');
    }
    this.budget = this.pool?.budget ?? budgetFor(0);
    this.recycler = this.pool?.recycler ?? new Recycler(2, allocator(platform));
    this.inline = createWorkerApi(platform.backends, platform.allocUninitialized);
  }

  /** scrypt off the main thread: the platform's native one, else a pool worker. */
  readonly scrypt: ScryptFn = (password, salt, logN) => {
    const native = this.platform.nativeScrypt;
    if (native) return native(password, salt, logN);
    if (this.pool) return this.pool.run((api) => api.scrypt(password, salt, logN));
    // workers: 0 on the Web platform: noble's async scrypt yields to the event loop.
    return scryptAsync(password, salt, { N: 2 ** logN, r: 8, p: 1, dkLen: 32, maxmem: scryptMaxmem(logN) });
  };

  /** Seals segment `segmentIndex` whole (spec §4); its input is the plaintext. Returns the wire bytes. */
  async seal(session: SessionKey, frameSize: number, segmentIndex: number, final: boolean, input: SegmentInput) {
    const job = (i: JobInput) => ({ session, frameSize, segmentIndex, final, input: i });
    const r = await this.job(input, job, (api, j) => api.seal(j));
    return viewOf(r.output as NonNullable<JobResult['output']>);
  }

  /** Opens segment `segmentIndex` whole (spec §6.2, §6.3); its input is the wire bytes. Returns the plaintext. */
  async open(session: SessionKey, layout: LayoutParams, segmentIndex: number, last: boolean, input: SegmentInput) {
    const job = (i: JobInput) => ({ session, layout, segmentIndex, last, input: i });
    const r = await this.job(input, job, (api, j) => api.open(j));
    return viewOf(r.output as NonNullable<JobResult['output']>);
  }

  /**
   * Checks segment `segmentIndex` without the key (spec §4). Returns its DIGEST value as checked.
   * @throws StreamV2Error `DIGEST_MISMATCH`, `BAD_FRAME`, `TRUNCATED`, `TRAILING_DATA`
   */
  async check(header: Uint8Array, layout: LayoutParams, segmentIndex: number, last: boolean, input: SegmentInput) {
    const job = (i: JobInput) => ({ header, layout, segmentIndex, last, input: i });
    const r = await this.job(input, job, (api, j) => api.check(j));
    return r.digest as Uint8Array;
  }

  /**
   * Authenticates where a stream ends: `bytes` (the library's own) are its last DATA frame,
   * DIGEST and TERMINATOR (source/end.ts). @throws StreamV2Error `AUTH_FAILED`
   */
  async openEnd(session: SessionKey, segmentIndex: number, dataFrames: number, bytes: Uint8Array) {
    const job = (i: JobInput) => ({ session, segmentIndex, dataFrames, input: i as { bytes: Transferred } });
    await this.job({ bytes }, job, (api, j) => api.openEnd(j));
  }

  /** A stream ended: no worker, nor this thread, keeps its frame key. */
  forget(sessionId: string): void {
    void this.inline.forget(sessionId);
    this.pool?.forget(sessionId);
  }

  /** Releases a pool this runner created for itself. */
  close(): void {
    if (this.ownsPool) void this.pool?.terminate();
  }

  /**
   * Runs a job where it belongs. A source that workers read themselves goes to a worker as a
   * place (never inline: only workers read Blobs and files themselves); anything else is read
   * here into a buffer of the library's own, then handed over, and comes back to be recycled.
   */
  private async job<J>(
    input: SegmentInput,
    make: (input: JobInput) => J,
    call: (api: JobApi, job: J) => Promise<JobResult>,
  ) {
    const pool = this.pool;
    if ('source' in input && pool && input.source.workerSource) {
      const job = make({ source: input.source.workerSource, offset: input.offset, length: input.length });
      return pool.run((api) => call(api, job));
    }
    const bytes =
      'bytes' in input ? input.bytes : await readOwned(input.source, input.offset, input.length, this.recycler.take);
    if (bytes.byteOffset !== 0) throw new StreamV2Error('BAD_ARGUMENT', 'a job must own its buffer');
    const buffer = bytes.buffer as ArrayBuffer;
    // Comlink transfers what is marked on a call's own argument (not on a nested object): the
    // job itself is marked, so its buffer moves, never is copied.
    const job = transfer(make({ bytes: { buffer, length: bytes.length } }), [buffer]);
    const r = await this.run((api) => call(api, job));
    if (r.input) this.recycler.give(r.input);
    return r;
  }

  /**
   * Runs a job on a pool worker, or on this thread through the very same worker API. A worker
   * takes tens of milliseconds to start (a fresh isolate and our module); until the first one
   * answers, a stream's first COLD_JOBS jobs run here, so a short stream is not slower with a
   * pool than without (README, Start-up). No more: past that the stream is long, and this
   * thread's time is better spent feeding the workers than competing with their start for the
   * cores (measured: a 1 GiB stream lost up to 30 %).
   */
  private run<T>(call: (api: JobApi) => Promise<T>): Promise<T> {
    const pool = this.pool;
    if (pool && (this.coldJobs >= COLD_JOBS || !pool.cold)) return pool.run(call);
    if (pool) {
      this.coldJobs++;
      pool.warm();
    }
    // As on the pool (pool.run): whatever a backend throws reaches the reader with a code.
    return call(this.inline).catch((e: unknown) => {
      throw toStreamV2Error(e);
    });
  }
}
