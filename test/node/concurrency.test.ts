/**
 * Many pipelines on one shared pool, some aborted or cancelled at random points (while writing,
 * while flushing, after close): the others stay byte-exact; every abort, cancel and close settles
 * (no hang) and rejects, if at all, with a StreamV2Error or the caller's own reason, never a raw
 * TypeError; nothing rejects unhandled; and the pool still works afterwards.
 */

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DecryptSegmentTransform, EncryptSegmentTransform, StreamV2Error, type SuiteName, WorkerPool } from '#lib';
import { chunked, concat, progressWatch, run, sameBytes, seededBytes, within } from '../helpers.js';

const SEED = 0xc0c0_2026;
const PIPELINES = 48;
const MiB = 1024 * 1024;
/** Generous: 48 pipelines share 2 workers on a loaded machine; a hang never settles at all. */
const SETTLE_MS = 30_000;
/**
 * The pipelines' hang detector: an operation fails once no pipeline has moved (a write taken, a
 * chunk read) for SETTLE_MS. A fixed limit per operation failed 40 clean writes of the 128 × 8 MiB
 * case on a loaded 2-core machine, each write waiting its turn behind 127 others.
 */
const watch = progressWatch(SETTLE_MS);
const KEY = seededBytes(32, 0xbeef);

/** Where a pipeline is interfered with. */
type Mode = 'clean' | 'abort-write' | 'cancel-write' | 'cancel-flush' | 'cancel-after-close';

interface Plan {
  id: number;
  mode: Mode;
  size: number;
  suite: SuiteName;
  layout: { frameSize: number; framesPerSegment: number } | null;
  chunkSeed: number;
  maxChunk: number;
  /** Fraction of the input chunks written before an abort or cancel while writing. */
  point: number;
}

const planArb = fc.record({
  mode: fc.constantFrom<Mode>('clean', 'clean', 'abort-write', 'cancel-write', 'cancel-flush', 'cancel-after-close'),
  size: fc.oneof(fc.integer({ min: 0, max: 3 * MiB }), fc.integer({ min: 0, max: 70_000 })),
  suite: fc.constantFrom<SuiteName>('aes-256-gcm', 'chacha20-poly1305'),
  // Default 1 MiB segments, or small ones so that a stream has many segments in flight.
  layout: fc.constantFrom(null, { frameSize: 4096, framesPerSegment: 4 }, { frameSize: 1000, framesPerSegment: 3 }),
  chunkSeed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  maxChunk: fc.constantFrom(1000, 64 * 1024, 700_000, 4 * MiB),
  point: fc.double({ min: 0, max: 1, noNaN: true }),
});

/** The caller's own reason for an abort or cancel: standard streams reject with it as given. */
class UserReason extends Error {}

let pool: WorkerPool;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);

beforeAll(() => {
  pool = new WorkerPool({ size: 2 });
  process.on('unhandledRejection', onUnhandled);
});

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await within(pool.terminate(), 10_000, 'pool.terminate()');
});

/**
 * Waits for `p` to settle. A hang is a problem; so is a rejection with anything but a
 * StreamV2Error or the caller's `reason` (any rejection at all when `reason` is 'any').
 */
async function settles(problems: string[], what: string, p: Promise<unknown>, reason?: unknown): Promise<void> {
  const rejected = p.then(
    () => undefined,
    (e: unknown) => ({ e }),
  );
  let outcome: { e: unknown } | undefined;
  watch.mark(); // a new wait is a step: the clock runs from the last step of any pipeline
  try {
    outcome = await watch.within(rejected, what);
  } catch (hang) {
    problems.push(String(hang));
    return;
  }
  if (outcome === undefined || reason === 'any') return;
  const { e } = outcome;
  if (StreamV2Error.is(e) || (reason !== undefined && e === reason)) return;
  const code = (e as { code?: unknown } | null)?.code;
  problems.push(`${what} rejected with ${String(e)}${code ? ` (${String(code)})` : ''}`);
}

/** Reads until done, an error, or `stop()` says so after a chunk; never throws. */
async function readAll(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  stop: () => boolean = () => false,
): Promise<{ chunks: Uint8Array[]; error: unknown; done: boolean }> {
  const chunks: Uint8Array[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      watch.mark();
      if (done) return { chunks, error: undefined, done: true };
      chunks.push(value);
      if (stop()) return { chunks, error: undefined, done: false };
    }
  } catch (error) {
    return { chunks, error, done: false };
  }
}

function isPrefix(chunks: readonly Uint8Array[], plaintext: Uint8Array): boolean {
  let at = 0;
  for (const c of chunks) {
    if (!sameBytes(c, plaintext.subarray(at, at + c.length))) return false;
    at += c.length;
  }
  return true;
}

/** One encrypt → decrypt pipeline on the shared pool, interfered with as its plan says. */
async function pipeline(plan: Plan, on: WorkerPool = pool): Promise<string[]> {
  const problems: string[] = [];
  watch.mark();
  const reason = new UserReason(`pipeline ${plan.id} stopped by the caller`);
  const plaintext = seededBytes(plan.size, plan.chunkSeed);
  const enc = new EncryptSegmentTransform(KEY, { suite: plan.suite, ...plan.layout, workers: on });
  const dec = new DecryptSegmentTransform(KEY, { workers: on });
  const writer = enc.writable.getWriter();
  const reader = enc.readable.pipeThrough(dec).getReader();
  const input = chunked(plaintext, { seed: plan.chunkSeed, max: plan.maxChunk });
  const cut = Math.floor(plan.point * input.length);
  const writeAll = async (chunks: readonly Uint8Array[]) => {
    for (const c of chunks) {
      await writer.write(c);
      watch.mark();
    }
  };

  switch (plan.mode) {
    case 'clean': {
      const reading = readAll(reader);
      await settles(problems, 'write', writeAll(input));
      await settles(problems, 'close', writer.close());
      const r = await watch.within(reading, 'reading');
      if (r.error !== undefined) problems.push(`failed with ${String(r.error)}`);
      else if (!sameBytes(concat(r.chunks), plaintext)) problems.push('output differs');
      break;
    }
    case 'abort-write': {
      const reading = readAll(reader);
      await settles(problems, 'write', writeAll(input.slice(0, cut)), reason);
      await settles(problems, 'writer.abort()', writer.abort(reason), reason);
      const r = await watch.within(reading, 'reading');
      if (r.error === undefined) problems.push('the reader ended cleanly after an abort');
      else if (!(StreamV2Error.is(r.error) || r.error === reason))
        problems.push(`read rejected with ${String(r.error)}`);
      if (!isPrefix(r.chunks, plaintext)) problems.push('released output is not a prefix of the plaintext');
      break;
    }
    case 'cancel-write': {
      const reading = readAll(reader);
      await settles(problems, 'write', writeAll(input.slice(0, cut)), reason);
      await settles(problems, 'reader.cancel()', reader.cancel(reason), reason);
      const r = await watch.within(reading, 'reading');
      if (!isPrefix(r.chunks, plaintext)) problems.push('released output is not a prefix of the plaintext');
      await settles(problems, 'write after cancel', writer.write(new Uint8Array(10)), reason);
      // The writable is errored by now, and WHATWG streams reject close() on an errored
      // writable with a TypeError of their own (WritableStreamClose): only a hang is wrong here.
      await settles(problems, 'close after cancel', writer.close(), 'any');
      break;
    }
    case 'cancel-flush': {
      // Everything written (not awaited) and the writer closed; one chunk read; then cancel.
      const writes = input.map((c) => settles(problems, 'write', writer.write(c), reason));
      const closing = settles(problems, 'close', writer.close(), reason);
      const first = await watch.within(reader.read(), 'first read').then(
        () => undefined,
        (e: unknown) => e,
      );
      if (first !== undefined && !StreamV2Error.is(first)) problems.push(`first read rejected with ${String(first)}`);
      await settles(problems, 'reader.cancel() during flush', reader.cancel(reason), reason);
      await Promise.all([...writes, closing]);
      break;
    }
    case 'cancel-after-close': {
      // Read on until the writer's close resolved and one more chunk came, then cancel.
      let closed = false;
      const reading = readAll(reader, () => closed);
      await settles(problems, 'write', writeAll(input));
      await settles(
        problems,
        'close',
        writer.close().then(() => {
          closed = true;
        }),
      );
      const r = await watch.within(reading, 'reading');
      if (r.error !== undefined) problems.push(`failed before the cancel with ${String(r.error)}`);
      if (!isPrefix(r.chunks, plaintext)) problems.push('released output is not a prefix of the plaintext');
      await settles(problems, 'reader.cancel() after close', reader.cancel(reason), reason);
      await settles(problems, 'writer.abort() after close', writer.abort(reason), reason);
      break;
    }
  }
  return problems.map((p) => `#${plan.id} ${JSON.stringify({ ...plan, point: +plan.point.toFixed(3) })}: ${p}`);
}

async function cleanRoundTrip(size: number): Promise<void> {
  const plaintext = seededBytes(size, 42);
  const e = await run(new EncryptSegmentTransform(KEY, { workers: pool }), [plaintext]);
  expect(e.error).toBeUndefined();
  const d = await run(new DecryptSegmentTransform(KEY, { workers: pool }), [e.output]);
  expect(d.error).toBeUndefined();
  expect(sameBytes(d.output, plaintext)).toBe(true);
}

describe(`${PIPELINES} pipelines on one pool of 2 (fast-check seed ${SEED})`, () => {
  it('clean ones stay byte-exact; interfered ones settle with StreamV2Errors; nothing unhandled; the pool survives', async () => {
    const plans = fc.sample(planArb, { seed: SEED, numRuns: PIPELINES }).map((p, id) => ({ ...p, id }));
    const problems = (await Promise.all(plans.map((p) => pipeline(p)))).flat();
    // Let late rejections surface before looking for unhandled ones.
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (problems.length > 0 || unhandled.length > 0) console.log(`seed ${SEED}:\n${problems.join('\n')}`);
    expect({ problems, unhandled: unhandled.map(String) }).toEqual({ problems: [], unhandled: [] });
    // Not vacuous: every mode ran.
    expect(new Set(plans.map((p) => p.mode)).size).toBe(5);
    // The pool's budget (pool/budget.ts) is all back, however each pipeline ended.
    await vi.waitFor(() => expect(pool.heldBytes).toBe(0), { timeout: SETTLE_MS, interval: 20 });
    await within(cleanRoundTrip(3 * MiB + 5), SETTLE_MS, 'round trip after');
  });

  /**
   * The attack of issue 20 F15 (128 concurrent pipelines peaked at 2.4 GiB when each stream
   * kept its own 2 × workers + 2 segments): 128 pipelines of 8 MiB, a quarter cancelled at a
   * random point. The pool holds its budget plus one segment per stream at most.
   */
  it('128 pipelines of 8 MiB, mixed cancels: the pool holds its budget plus one segment per stream', async () => {
    const shared = new WorkerPool({ size: 2 });
    try {
      const plans = fc.sample(planArb, { seed: SEED + 1, numRuns: 128 }).map((p, id) => ({
        ...p,
        id,
        size: 8 * MiB,
        layout: null,
        maxChunk: 256 * 1024,
        mode: (id % 4 === 3 ? 'cancel-write' : 'clean') as Mode,
      }));
      const problems = (await Promise.all(plans.map((p) => pipeline(p, shared)))).flat();
      expect(problems).toEqual([]);
      const W = 16 * (18 + 65536 + 16) + 67 + 34;
      expect(shared.peakHeldBytes).toBeLessThanOrEqual(shared.budgetBytes + (MiB + W) + 256 * W);
      await vi.waitFor(() => expect(shared.heldBytes).toBe(0), { timeout: SETTLE_MS, interval: 20 });
    } finally {
      await shared.terminate();
    }
  }, 240_000); // 1 GiB on 2 workers: 43 s quiet, 65 s beside a browser run; the progress watch catches a hang
});

describe('cancel during flush', () => {
  /**
   * Issue 8 item 1 (fixed): a reader cancelled while the transform flushed rejected with
   * `TypeError [ERR_INVALID_STATE]: Invalid state: Unable to enqueue` (the flush kept enqueuing
   * into the cancelled readable, and the cancel shares the flush's promise).
   */
  for (const [side, workers] of [
    ['encrypt', 'pool'],
    ['decrypt', 'pool'],
    ['encrypt', 0],
    ['decrypt', 0],
  ] as const) {
    it(`${side} (workers=${workers}): write 4 MiB, close, read one chunk, cancel: settles without a TypeError`, async () => {
      const w = workers === 0 ? 0 : pool;
      let input = seededBytes(4 * MiB, 7);
      if (side === 'decrypt') {
        const e = await run(new EncryptSegmentTransform(KEY, { workers: 0 }), [input]);
        input = e.output;
      }
      const o = { workers: w };
      const t = side === 'encrypt' ? new EncryptSegmentTransform(KEY, o) : new DecryptSegmentTransform(KEY, o);
      const writer = t.writable.getWriter();
      const reader = t.readable.getReader();
      const writing = writer.write(input);
      const closing = writer.close();
      closing.catch(() => {});
      writing.catch(() => {});
      // The memory bound makes the 4 MiB write wait for the reader: read until it went through
      // (the flush then runs), then one chunk more.
      let wrote = false;
      void writing.then(() => {
        wrote = true;
      });
      let first = await within(reader.read(), SETTLE_MS, 'read');
      while (!wrote && !first.done) first = await within(reader.read(), SETTLE_MS, 'read');
      expect(first.done).toBe(false);
      const problems: string[] = [];
      const reason = new UserReason('enough');
      await settles(problems, 'reader.cancel()', reader.cancel(reason), reason);
      await settles(problems, 'writer.close()', closing, reason);
      await settles(problems, 'writer.write()', writing, reason);
      expect(problems).toEqual([]);
      await within(cleanRoundTrip(MiB), SETTLE_MS, 'round trip after');
    });
  }
});

describe.concurrent('hostile chunks', () => {
  // Issue 8 item 2 (fixed): these hung. A chunk that is not a Uint8Array fails with BAD_ARGUMENT.
  const chunks: Array<[string, unknown]> = [
    ['null', null],
    ['undefined', undefined],
    ['{ byteLength: -1 }', { byteLength: -1 }],
    ['string', 'text'],
  ];
  for (const [name, chunk] of chunks) {
    for (const side of ['encrypt', 'decrypt'] as const) {
      it(`${side}: a ${name} chunk fails the pipe with BAD_ARGUMENT`, async ({ expect }) => {
        const t =
          side === 'encrypt'
            ? new EncryptSegmentTransform(KEY, { workers: 0 })
            : new DecryptSegmentTransform(KEY, { workers: 0 });
        const r = await within(run(t, [chunk as Uint8Array]), 5_000, 'pipe');
        expect(StreamV2Error.is(r.error), String(r.error)).toBe(true);
        expect((r.error as StreamV2Error).code).toBe('BAD_ARGUMENT');
      });
    }
  }
});

describe('the hang detector these tests use', () => {
  it('fails a wait once nothing has moved for its limit, and not while others move', async () => {
    const w = progressWatch(60);
    await expect(w.within(new Promise(() => {}), 'stuck')).rejects.toThrow(/stuck hung/);
    w.mark();
    const ticking = setInterval(() => w.mark(), 15);
    try {
      const slow = new Promise((resolve) => setTimeout(() => resolve('late'), 200));
      await expect(w.within(slow, 'slow')).resolves.toBe('late');
    } finally {
      clearInterval(ticking);
    }
  });
});
