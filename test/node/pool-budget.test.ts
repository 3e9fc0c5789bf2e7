/**
 * One memory budget per pool (pool/budget.ts): many streams on one pool hold the budget plus one
 * segment each at most, take turns, give everything back however they end, and a stream whose
 * reader never reads cannot stop the others. Checked with the pool's own accounting
 * (`heldBytes`, `peakHeldBytes`), never with a wall clock or RSS.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DecryptSegmentTransform, EncryptSegmentTransform, StreamV2Error, WorkerPool } from '#lib';
import { bindPlatform } from '../../src/bind.js';
import { concat, run, sameBytes, seededBytes, within } from '../helpers.js';
import { standInPlatform } from './stand-in.js';

const MiB = 1024 * 1024;
const KEY = seededBytes(32, 0xb0d6);
/** Wire bytes of a full default segment (1 MiB of plaintext): the most a stream stages. */
const W = 16 * (18 + 65536 + 16) + (18 + 33 + 16) + (18 + 16);
/** Bytes a default segment holds in flight: its plaintext and its wire bytes. */
const COST = MiB + W;

/** The pool's budget returns to nothing held, once everything on it has settled. */
async function budgetReturns(pool: WorkerPool): Promise<void> {
  await vi.waitFor(() => expect(pool.heldBytes).toBe(0), { timeout: 10_000, interval: 20 });
}

/** One encrypt → decrypt pipe of `plaintext` on `pool`, in 64 KiB chunks; resolves with the output. */
async function pipe(pool: WorkerPool, plaintext: Uint8Array, layout = {}): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let i = 0;
  await new ReadableStream<Uint8Array>(
    {
      pull(c) {
        if (i >= plaintext.length) return c.close();
        c.enqueue(plaintext.subarray(i, i + 64 * 1024));
        i += 64 * 1024;
      },
    },
    { highWaterMark: 0 },
  )
    .pipeThrough(new EncryptSegmentTransform(KEY, { workers: pool, ...layout }))
    .pipeThrough(new DecryptSegmentTransform(KEY, { workers: pool }))
    .pipeTo(new WritableStream({ write: (c) => void chunks.push(c) }));
  return concat(chunks);
}

describe('one budget per pool', () => {
  const pool = new WorkerPool({ size: 2 });
  afterAll(() => pool.terminate());

  it('64 streams (32 pipes) on 2 workers hold at most the budget plus one segment per stream; every stream byte-exact', async () => {
    expect(pool.budgetBytes).toBe(7 * COST); // (2 × size + 3) default segments
    const inputs = Array.from({ length: 32 }, (_, k) => seededBytes(3 * MiB + k * 4099, 1 + k));
    const outputs = await within(Promise.all(inputs.map((p) => pipe(pool, p))), 60_000, '32 pipes');
    for (const [k, out] of outputs.entries()) expect(sameBytes(out, inputs[k] as Uint8Array), `pipe ${k}`).toBe(true);
    // The budget, one segment of demand past it (budget.ts), and one staged segment per stream.
    expect(pool.peakHeldBytes).toBeLessThanOrEqual(pool.budgetBytes + COST + 64 * W);
    // Far below what 64 streams held when each kept 2 × size + 2 segments of its own.
    expect(pool.peakHeldBytes).toBeLessThan(64 * 6 * COST);
    await budgetReturns(pool);
  });

  it('a stream whose reader never reads cannot take the budget from the others; cancelling it gives everything back', async () => {
    const endless = new ReadableStream<Uint8Array>({ pull: (c) => c.enqueue(new Uint8Array(256 * 1024)) });
    const stalled = endless.pipeThrough(new EncryptSegmentTransform(KEY, { workers: pool }));
    const reader = stalled.getReader();
    await reader.read(); // the header: the stream is going
    await vi.waitFor(() => expect(pool.heldBytes).toBeGreaterThan(0));
    const inputs = Array.from({ length: 4 }, (_, k) => seededBytes(4 * MiB + k, 50 + k));
    const outputs = await within(
      Promise.all(inputs.map((p) => pipe(pool, p))),
      60_000,
      'pipes beside a stalled reader',
    );
    for (const [k, out] of outputs.entries()) expect(sameBytes(out, inputs[k] as Uint8Array)).toBe(true);
    // It holds read-ahead, never more than the budget less its reserve (budget.ts).
    expect(pool.heldBytes).toBeLessThanOrEqual(pool.budgetBytes);
    await reader.cancel('enough');
    await budgetReturns(pool);
  });
});

describe('the budget returns to full after every kind of ending', () => {
  const pool = new WorkerPool({ size: 2 });
  // Workers a test can kill as a crash would (stand-ins: no test hook in the pool).
  const spawned: Array<{ die(reason: Error): void }> = [];
  const standInApi = bindPlatform(standInPlatform({ onSpawn: (w) => void spawned.push(w) }));
  const standIns = new standInApi.WorkerPool({ size: 2 });
  afterAll(() => Promise.all([pool.terminate(), standIns.terminate()]));
  const data = seededBytes(6 * MiB, 77);
  const reason = new Error('stopped by the caller');

  /** A source of `data` in 256 KiB chunks that may fail or stop after `cut` bytes. */
  function sourceOf(cut: number, fail: boolean) {
    let at = 0;
    return new ReadableStream<Uint8Array>(
      {
        pull(c) {
          if (at >= cut && fail) return c.error(new Error('the source failed'));
          if (at >= data.length) return c.close();
          c.enqueue(data.subarray(at, at + 256 * 1024));
          at += 256 * 1024;
        },
      },
      { highWaterMark: 0 },
    );
  }

  const endings: Array<[string, () => Promise<unknown>]> = [
    ['close', () => run(new EncryptSegmentTransform(KEY, { workers: pool }), [data])],
    [
      'cancel during write',
      async () => {
        const r = sourceOf(Infinity, false)
          .pipeThrough(new EncryptSegmentTransform(KEY, { workers: pool }))
          .getReader();
        for (let i = 0; i < 3; i++) await r.read();
        await r.cancel(reason);
      },
    ],
    [
      'cancel during flush',
      async () => {
        const t = new EncryptSegmentTransform(KEY, { workers: pool });
        const w = t.writable.getWriter();
        const writing = w.write(data).catch(() => {});
        const closing = w.close().catch(() => {});
        const r = t.readable.getReader();
        for (let i = 0; i < 6; i++) await r.read(); // the write went through: the flush has begun
        await r.cancel(reason);
        await Promise.all([writing, closing]);
      },
    ],
    [
      'abort',
      async () => {
        const t = new EncryptSegmentTransform(KEY, { workers: pool });
        const w = t.writable.getWriter();
        const reading = t.readable.pipeTo(new WritableStream()).catch(() => {});
        await w.write(data.subarray(0, 3 * MiB));
        await w.abort(reason);
        await reading;
      },
    ],
    [
      'a source that errors',
      () =>
        sourceOf(3 * MiB, true)
          .pipeThrough(new EncryptSegmentTransform(KEY, { workers: pool }))
          .pipeTo(new WritableStream())
          .catch(() => {}),
    ],
    [
      'a damaged stream (decrypt fails)',
      async () => {
        const sealed = await run(new EncryptSegmentTransform(KEY, { workers: 0 }), [data]);
        const bad = sealed.output.slice();
        bad[80 + 3 * W + 100] = (bad[80 + 3 * W + 100] as number) ^ 1;
        const r = await run(new DecryptSegmentTransform(KEY, { workers: pool }), [bad]);
        expect(StreamV2Error.is(r.error) && r.error.code).toBe('AUTH_FAILED');
      },
    ],
    [
      'a worker killed mid-segment',
      async () => {
        await standIns.start();
        let seen = 0;
        const e = await sourceOf(Infinity, false)
          .pipeThrough(new standInApi.EncryptSegmentTransform(KEY, { workers: standIns }))
          .pipeTo(
            new WritableStream({
              write(c) {
                seen += c.length;
                if (seen > 2 * MiB && seen - c.length <= 2 * MiB)
                  for (const w of spawned.splice(0)) w.die(new Error('killed'));
              },
            }),
          )
          .catch((x: unknown) => x);
        expect(StreamV2Error.is(e) && e.code).toBe('WORKER_FAILED');
        await budgetReturns(standIns);
      },
    ],
  ];
  for (const [name, ending] of endings) {
    it(name, async () => {
      await within(ending(), 30_000, name);
      await budgetReturns(pool);
      expect(sameBytes(await pipe(pool, data.subarray(0, 2 * MiB + 3)), data.subarray(0, 2 * MiB + 3))).toBe(true);
    });
  }
});
