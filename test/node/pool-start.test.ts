/**
 * Start-up (issue 12 §1): until a pool's first worker answers, a stream's items run on the
 * calling thread with the same codec (at most 4 of a stream's items), so a short stream is not
 * slower with a pool than without. Blob items always go to the workers (they read the Blob
 * themselves). `start()` starts every worker and resolves when all answered.
 */
import { afterEach, expect, it } from 'vitest';
import { bindPlatform } from '../../src/bind.js';
import { StreamV2Error } from '../../src/errors.js';
import type { Platform } from '../../src/platform/types.js';
import { randomBytes, run, sameBytes } from '../helpers.js';
import { isReference } from '../reference.js';
import { standInPlatform } from './stand-in.js';

/** Calls the stand-in workers served, by method. */
const served = new Map<string, number>();
const pools: { terminate(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.terminate()));
  served.clear();
});

/** A platform whose workers answer only after `delayMs` (a slow isolate start), or never start. */
function slowPlatform(delayMs: number, fails = false): Platform {
  const onCall = (name: string) => void served.set(name, (served.get(name) ?? 0) + 1);
  return standInPlatform({ startMs: delayMs, fails: () => fails, onCall });
}

const key = randomBytes(32);
const sealed = (pt: Uint8Array, workers: unknown, api = bindPlatform(slowPlatform(0))) =>
  run(new api.EncryptSegmentTransform(key, { workers: workers as 0 }), [pt]);

it('a short stream on a pool whose worker is still starting runs here: done long before the worker answers, same bytes', async () => {
  const api = bindPlatform(slowPlatform(5_000));
  const pool = new api.WorkerPool({ size: 2 });
  pools.push(pool);
  const pt = randomBytes(3 * 2 ** 20 + 5);
  const t0 = performance.now();
  const out = await sealed(pt, pool, api);
  expect(performance.now() - t0).toBeLessThan(3_000);
  expect(out.error).toBeUndefined();
  // The same bytes as inline: the reference encoder's, under the salt it chose.
  expect(await isReference(key, pt, out.output)).toBe(true);
  expect(served.get('seal') ?? 0).toBe(0); // no item reached a worker
});

it('a long stream runs at most 4 items here while the worker starts, then waits for the workers', async () => {
  const api = bindPlatform(slowPlatform(300));
  const pool = new api.WorkerPool({ size: 2 });
  pools.push(pool);
  const pt = randomBytes(2 ** 20);
  const chunks = Array.from({ length: 24 }, () => pt); // 24 MiB, all in memory
  const out = await run(new api.EncryptSegmentTransform(key, { workers: pool }), chunks);
  expect(out.error).toBeUndefined();
  expect(served.get('seal')).toBe(20); // 24 segments, 4 of them here
  const dec = await run(new api.DecryptSegmentTransform(key, { workers: pool }), [out.output]);
  expect(dec.output.length).toBe(24 * 2 ** 20);
});

it('Blob items wait for a worker (workers read the Blob themselves), never run here', async () => {
  const api = bindPlatform(slowPlatform(200));
  const pool = new api.WorkerPool({ size: 2 });
  pools.push(pool);
  const pt = randomBytes(2 ** 20 + 7);
  const enc = await api.encryptBlob(new Blob([pt as Uint8Array<ArrayBuffer>]), key, { workers: pool });
  const wire = await enc.read(0, enc.ciphertextSize);
  enc.close();
  expect(served.get('seal') ?? 0).toBe(2); // both segments sealed by a worker reading the Blob
  const dec = await run(new api.DecryptSegmentTransform(key, { workers: 0 }), [wire]);
  expect(sameBytes(dec.output, pt)).toBe(true);
});

it('start() resolves once every worker answered; WORKER_FAILED when they cannot start; ABORTED after terminate', async () => {
  const api = bindPlatform(slowPlatform(50));
  const pool = new api.WorkerPool({ size: 2 });
  pools.push(pool);
  await pool.start();
  expect(served.get('ping')).toBe(2);
  await pool.start(); // already started: nothing more to wait for
  expect(served.get('ping')).toBe(2);

  const broken = new (bindPlatform(slowPlatform(5, true)).WorkerPool)({ size: 2 });
  pools.push(broken);
  const e = await broken.start().catch((x: unknown) => x);
  expect(StreamV2Error.is(e) && e.code).toBe('WORKER_FAILED');
  // After a failed start, a stream no longer runs here: its items report the failure.
  const out = await sealed(randomBytes(1000), broken, bindPlatform(slowPlatform(5, true)));
  expect(StreamV2Error.is(out.error) && out.error.code).toBe('WORKER_FAILED');

  await pool.terminate();
  const aborted = await pool.start().catch((x: unknown) => x);
  expect(StreamV2Error.is(aborted) && aborted.code).toBe('ABORTED');
});
