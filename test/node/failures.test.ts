/** Crash, abort, cancel, wrong secrets and hostile headers: no panic, nothing lost, nothing hangs. */

import { afterAll, describe, expect, it } from 'vitest';
import { ciphertextSize, DecryptSegmentTransform, EncryptSegmentTransform, StreamV2Error, WorkerPool } from '#lib';
import { bindPlatform } from '../../src/bind.js';
import { hex, randomBytes, run, sameBytes, within } from '../helpers.js';
import { standInPlatform } from './stand-in.js';

const key = () => crypto.getRandomValues(new Uint8Array(32));
const MiB = 1024 * 1024;

/** An endless plaintext source (pull-based, so backpressure holds). */
function endless(chunk = 256 * 1024): ReadableStream<Uint8Array> {
  const data = new Uint8Array(chunk);
  return new ReadableStream({ pull: (c) => c.enqueue(data) }, { highWaterMark: 0 });
}

/** Public classes (of `#lib`, or of a test platform) to make a round trip with. */
type Api = Pick<typeof import('#lib'), 'EncryptSegmentTransform' | 'DecryptSegmentTransform'>;

async function roundTrip(pool: WorkerPool, api: Api = { EncryptSegmentTransform, DecryptSegmentTransform }) {
  const k = key();
  const pt = randomBytes(3 * MiB + 5);
  const enc = await run(new api.EncryptSegmentTransform(k, { workers: pool }), [pt]);
  expect(enc.error).toBeUndefined();
  const dec = await run(new api.DecryptSegmentTransform(k, { workers: pool }), [enc.output]);
  expect(dec.error).toBeUndefined();
  expect(sameBytes(dec.output, pt)).toBe(true);
}

describe('worker crash', () => {
  // Stand-in workers that a test can kill as a crash would (the pool hears of the death just
  // the same): no test hook in the pool itself.
  const workers: Array<{ die(reason: Error): void }> = [];
  const api = bindPlatform(standInPlatform({ onSpawn: (w) => void workers.push(w) }));
  const pool = new api.WorkerPool({ size: 2 });
  afterAll(() => pool.terminate());
  const crash = () => {
    for (const w of workers.splice(0)) w.die(new Error('worker crashed (killed by the test)'));
  };

  for (const side of ['encrypt', 'decrypt'] as const) {
    it(`a worker dying mid-${side} errors the pipeline with WORKER_FAILED and the pool stays usable`, async () => {
      await pool.start(); // every worker answering (until then, segments may run on this thread)
      const k = key();
      let seen = 0;
      let source = endless();
      if (side === 'decrypt') source = source.pipeThrough(new EncryptSegmentTransform(k, { workers: 0 }));
      const transform =
        side === 'encrypt'
          ? new api.EncryptSegmentTransform(k, { workers: pool })
          : new api.DecryptSegmentTransform(k, { workers: pool });
      const done = source.pipeThrough(transform).pipeTo(
        new WritableStream({
          write(c) {
            seen += c.length;
            if (seen > 4 * MiB && seen - c.length <= 4 * MiB) crash();
          },
        }),
      );
      const error = await within(
        done.then(
          () => undefined,
          (e: unknown) => e,
        ),
        15_000,
      );
      expect(StreamV2Error.is(error)).toBe(true);
      expect((error as StreamV2Error).code).toBe('WORKER_FAILED');
      await within(roundTrip(pool, api), 15_000);
    });
  }
});

describe('abort and cancel', () => {
  const pool = new WorkerPool({ size: 2 });
  afterAll(() => pool.terminate());

  for (const workers of [0, 'pool'] as const) {
    const w = () => (workers === 0 ? 0 : pool);
    it(`a cancelled reader stops an endless encrypt promptly (workers=${workers})`, async () => {
      const readable = endless().pipeThrough(new EncryptSegmentTransform(key(), { workers: w() }));
      const reader = readable.getReader();
      for (let i = 0; i < 5; i++) await reader.read();
      await within(reader.cancel('enough'), 10_000);
      if (workers === 'pool') await within(roundTrip(pool), 15_000);
    });

    it(`an aborted writer errors the readable side promptly (workers=${workers})`, async () => {
      const t = new DecryptSegmentTransform(key(), { workers: w() });
      const writer = t.writable.getWriter();
      const reader = t.readable.getReader();
      void writer.write(new Uint8Array(10)).catch(() => {});
      await within(writer.abort(new Error('user abort')), 10_000);
      await expect(within(reader.read(), 10_000)).rejects.toThrow();
    });

    it(`an aborted pipe (AbortSignal) rejects promptly mid-stream (workers=${workers})`, async () => {
      const ac = new AbortController();
      let n = 0;
      const done = endless()
        .pipeThrough(new EncryptSegmentTransform(key(), { workers: w() }))
        .pipeTo(new WritableStream({ write: () => void (++n === 10 && ac.abort()) }), { signal: ac.signal });
      await expect(within(done, 10_000)).rejects.toThrow();
      if (workers === 'pool') await within(roundTrip(pool), 15_000);
    });
  }

  it('a terminated pool fails its streams with ABORTED instead of hanging', async () => {
    const own = new WorkerPool({ size: 1 });
    const done = endless()
      .pipeThrough(new EncryptSegmentTransform(key(), { workers: own }))
      .pipeTo(new WritableStream());
    setTimeout(() => void own.terminate(), 200);
    const error = await within(
      done.then(
        () => undefined,
        (e: unknown) => e,
      ),
      10_000,
    );
    expect((error as StreamV2Error).code).toBe('ABORTED');
  });
});

describe('secrets and hostile headers', () => {
  it('a wrong key gives WRONG_KEY, a wrong kind of secret too (spec §3)', async () => {
    const k = key();
    const enc = await run(new EncryptSegmentTransform(k, { workers: 0 }), [new Uint8Array(1000)]);
    const wrong = await run(new DecryptSegmentTransform(key(), { workers: 0 }), [enc.output]);
    expect((wrong.error as StreamV2Error).code).toBe('WRONG_KEY');
    const kind = await run(new DecryptSegmentTransform({ passphrase: 'x' }, { workers: 0 }), [enc.output]);
    expect((kind.error as StreamV2Error).code).toBe('WRONG_KEY');
    const p = await run(new EncryptSegmentTransform({ passphrase: 'pw' }, { logN: 4, workers: 0 }), [
      new Uint8Array(9),
    ]);
    const raw = await run(new DecryptSegmentTransform(k, { workers: 0 }), [p.output]);
    expect((raw.error as StreamV2Error).code).toBe('WRONG_KEY');
    const wrongPass = await run(new DecryptSegmentTransform({ passphrase: 'pw ' }, { workers: 0 }), [p.output]);
    expect((wrongPass.error as StreamV2Error).code).toBe('WRONG_KEY');
  });

  it('refuses a huge scrypt cost before doing any scrypt work', async () => {
    // A valid-looking passphrase header with log_n 63: must fail at once, not run scrypt.
    const header = hex(`5356320001010${'1'}3f0000001000000003${'00'.repeat(64)}`);
    const started = performance.now();
    const r = await run(new DecryptSegmentTransform({ passphrase: 'pw' }, { workers: 0 }), [header]);
    expect((r.error as StreamV2Error).code).toBe('LIMIT_EXCEEDED');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses a segment over the limit before allocating it', async () => {
    // frame_size 2^24 × frames_per_segment 65536 = 2^40 bytes per segment.
    const header = hex(`53563200010100000100000000010000${'00'.repeat(64)}`);
    const r = await run(new DecryptSegmentTransform(key(), { workers: 0 }), [header]);
    expect((r.error as StreamV2Error).code).toBe('LIMIT_EXCEEDED');
    // Limits stop at 1 GiB (what one buffer can hold); a 1 GiB segment passes, then fails the MAC.
    expect(() => new DecryptSegmentTransform(key(), { limits: { maxSegmentBytes: 2 ** 40 } })).toThrow(/BAD_ARGUMENT/);
    const gib = hex(`53563200010100000100000000000040${'00'.repeat(64)}`); // 2^24 × 64 = 2^30
    const ok = await run(new DecryptSegmentTransform(key(), { workers: 0, limits: { maxSegmentBytes: 2 ** 30 } }), [
      gib,
    ]);
    expect((ok.error as StreamV2Error).code).toBe('WRONG_KEY');
  });

  it('bad arguments throw BAD_ARGUMENT at construction, without echoing the secret', () => {
    const secret = new Uint8Array(31).fill(0xab);
    for (const make of [
      () => new EncryptSegmentTransform(secret),
      () => new EncryptSegmentTransform(key(), { frameSize: 0 }),
      () => new EncryptSegmentTransform(key(), { framesPerSegment: 65537 }),
      () => new EncryptSegmentTransform(key(), { suite: 'rot13' as never }),
      () => new EncryptSegmentTransform(key(), { workers: -1 }),
      () => new DecryptSegmentTransform(key(), { limits: { maxLogN: 64 } }),
      () => new EncryptSegmentTransform(key(), { suite: 'toString' as never }),
      () => new EncryptSegmentTransform({ passphrase: 'pw' }, { logN: 31 }),
      () => new EncryptSegmentTransform({ passphrase: '' }),
      () => new EncryptSegmentTransform(key(), { frameSize: 2 ** 24, framesPerSegment: 65536 }),
      () => ciphertextSize(10, { frameSize: 0 }),
    ]) {
      let error: unknown;
      try {
        make();
      } catch (e) {
        error = e;
      }
      expect((error as StreamV2Error).code).toBe('BAD_ARGUMENT');
      expect((error as Error).message).not.toMatch(/ab,?\s*ab|abab/i);
    }
  });

  it('an empty passphrase: refused for encrypting, accepted for decrypting (spec §3 allows it)', () => {
    expect(() => new EncryptSegmentTransform({ passphrase: '' })).toThrow(/BAD_ARGUMENT/);
    expect(() => new DecryptSegmentTransform({ passphrase: '' })).not.toThrow();
  });

  it('a non-Uint8Array chunk errors the stream with BAD_ARGUMENT', async () => {
    const r = await run(new EncryptSegmentTransform(key(), { workers: 0 }), ['text' as unknown as Uint8Array]);
    expect((r.error as StreamV2Error).code).toBe('BAD_ARGUMENT');
  });
});
