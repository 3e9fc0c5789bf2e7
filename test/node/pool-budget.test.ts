/**
 * One memory budget per pool (pool/budget.ts): many streams on one pool hold the budget plus one
 * segment each at most, take turns, give everything back however they end, and a stream whose
 * reader never reads cannot stop the others. Checked with the pool's own accounting
 * (`heldBytes`, `peakHeldBytes`), never with a wall clock or RSS.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DecryptSegmentTransform, EncryptSegmentTransform, StreamV2Error, WorkerPool } from '#lib';
import { bindPlatform } from '../../src/bind.js';
import { Engine } from '../../src/pool/engine.js';
import { poolOn } from '../../src/pool/pool.js';
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
  afterAll(() => pool.terminate());
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
        const t = new EncryptSegmentTransform(KEY, { workers: pool, readableHighWaterMark: 16 * MiB });
        const w = t.writable.getWriter();
        await w.write(data);
        const closing = w.close().catch(() => {});
        const r = t.readable.getReader();
        await r.read();
        await r.cancel(reason);
        await closing;
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
        await pool.start();
        let seen = 0;
        const e = await sourceOf(Infinity, false)
          .pipeThrough(new EncryptSegmentTransform(KEY, { workers: pool }))
          .pipeTo(
            new WritableStream({
              write(c) {
                seen += c.length;
                if (seen > 2 * MiB && seen - c.length <= 2 * MiB) crashWorker(pool);
              },
            }),
          )
          .catch((x: unknown) => x);
        expect(StreamV2Error.is(e) && e.code).toBe('WORKER_FAILED');
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

/** The pool's test hook (outside the public API): a worker dies mid-work. */
function crashWorker(pool: WorkerPool): void {
  (pool as unknown as Record<symbol, () => void>)[Symbol.for('stream-v2.crashWorker')]?.();
}

describe('turns', () => {
  /**
   * Workers slow enough (3 ms a segment) that work queues up: with a budget of its own per
   * stream, each of 16 long streams would queue 6 segments ahead of a short one (96 segments
   * before its turn); with turns, each gets about one while the short one waits.
   */
  for (const [name, budgetBytes, most] of [
    ['turns (a budget of 2 segments)', 2 * (4096 + 4096 + 200), 3 * 16],
    ['the default budget', undefined, 4 * 16],
  ] as const) {
    it(`a short stream among 16 long ones finishes before any of them, ${name} (counted in segments)`, async () => {
      const api = bindPlatform(standInPlatform({ jobMs: 3 }));
      const pool = new api.WorkerPool({ size: 2, ...(budgetBytes ? { budgetBytes } : {}) });
      try {
        await pool.start();
        const layout = { frameSize: 1024, framesPerSegment: 4 }; // 4 KiB segments
        let longSegments = 0;
        let longDone = 0;
        const longPipes = Array.from({ length: 16 }, async (_, k) => {
          const onProgress = () => void longSegments++;
          const t = new api.EncryptSegmentTransform(KEY, { workers: pool, ...layout, onProgress });
          const r = await run(t, [seededBytes(48 * 4096, 100 + k)]); // 48 segments each
          longDone++;
          return r;
        });
        await vi.waitFor(() => expect(longSegments).toBeGreaterThan(32), { timeout: 10_000, interval: 1 });
        const before = longSegments;
        const short = await run(new api.EncryptSegmentTransform(KEY, { workers: pool, ...layout }), [
          seededBytes(4000, 9),
        ]);
        expect(short.error).toBeUndefined();
        expect(longSegments - before).toBeLessThanOrEqual(most);
        expect(longDone).toBe(0);
        for (const r of await Promise.all(longPipes)) expect(r.error).toBeUndefined();
        await budgetReturns(pool);
      } finally {
        await pool.terminate();
      }
    });
  }
});

describe('keys and buffers in the workers', () => {
  it("every worker forgets a stream's frame key when the stream ends, however it ends", async () => {
    const forgotten: string[] = [];
    const seen = new Set<string>();
    const onCall = (name: string, args: unknown[]) => {
      const a = args[0] as { session?: { id: string } } | string;
      if (name === 'forget') forgotten.push(a as string);
      else if (typeof a === 'object' && a?.session) seen.add(a.session.id);
    };
    const api = bindPlatform(standInPlatform({ onCall }));
    const pool = new api.WorkerPool({ size: 2 });
    try {
      await pool.start();
      const data = seededBytes(3 * MiB, 5);
      const sealed = await run(new api.EncryptSegmentTransform(KEY, { workers: pool }), [data]);
      await run(new api.DecryptSegmentTransform(KEY, { workers: pool }), [sealed.output]);
      const cancelled = new ReadableStream<Uint8Array>({ pull: (c) => c.enqueue(new Uint8Array(MiB)) })
        .pipeThrough(new api.EncryptSegmentTransform(KEY, { workers: pool }))
        .getReader();
      for (let i = 0; i < 3; i++) await cancelled.read();
      await cancelled.cancel();
      const file = await api.openEncrypted(new Blob([sealed.output as Uint8Array<ArrayBuffer>]), KEY, {
        workers: pool,
      });
      await file.read(0, 10);
      file.close();
      await vi.waitFor(() => {
        expect(seen.size).toBe(4);
        // Each stream's id, once to each of the 2 workers.
        for (const id of seen) expect(forgotten.filter((f) => f === id)).toHaveLength(2);
      });
    } finally {
      await pool.terminate();
    }
  });

  it('a segment handed to a worker moves there (its buffer is detached here), never is copied', async () => {
    const platform = standInPlatform();
    const pool = poolOn(platform, 1);
    const engine = new Engine(platform, pool);
    try {
      await pool.start();
      const session = { id: 'move', suite: 'aes-256-gcm' as const, frameKey: KEY, header: new Uint8Array(80).fill(1) };
      const plain = seededBytes(MiB, 3);
      const wire = await engine.seal(session, 65536, 0, true, { bytes: plain });
      expect(wire.length).toBe(W);
      // Comlink copies whatever a call does not mark on its own argument for transfer.
      expect(plain.buffer.byteLength).toBe(0);
    } finally {
      await pool.terminate();
    }
  });
});
