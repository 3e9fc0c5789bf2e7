/**
 * A pool whose workers fail to start must not stay broken once they can start again. The pool
 * runs here over a stand-in platform whose "workers" are Comlink endpoints on this thread: they
 * fail to start while `failing` is set, then serve the real worker API.
 */
import { expect, it } from 'vitest';
import { bindPlatform } from '../../src/bind.js';
import { nodeBackend } from '../../src/crypto/node.js';
import { StreamV2Error } from '../../src/errors.js';
import type { Platform, WorkerHandle } from '../../src/platform/types.js';
import type { WorkerPool as Pool } from '../../src/pool/pool.js';
import { createWorkerApi } from '../../src/pool/worker-api.js';
import { nobleKemBackend } from '../../src/recipients/kem-backend.js';
import { nodeKemBackend } from '../../src/recipients/kem-node.js';
import { randomBytes, run, sameBytes } from '../helpers.js';
import { standInWorker } from './stand-in.js';

let failing = true;
let started = 0;

function spawnWorker(): WorkerHandle {
  started++;
  const dies = failing; // decided now, as a real start would fail or not
  return standInWorker(
    () => createWorkerApi([nodeBackend]),
    () => dies,
    1,
  );
}

const platform: Platform = {
  name: 'node',
  backends: [nodeBackend],
  kemBackends: [nodeKemBackend, nobleKemBackend],
  spawnWorker,
  hardwareConcurrency: () => 1,
  workersReadBlobs: true,
};
// The platform is passed in: the stand-in runs beside the real one, nothing global changes.
const { WorkerPool, EncryptSegmentTransform, DecryptSegmentTransform } = bindPlatform(platform);

async function roundTrip(pool: Pool): Promise<unknown> {
  const key = crypto.getRandomValues(new Uint8Array(32));
  const pt = randomBytes(300_000);
  const enc = await run(new EncryptSegmentTransform(key, { workers: pool }), [pt]);
  if (enc.error) return enc.error;
  const dec = await run(new DecryptSegmentTransform(key, { workers: pool }), [enc.output]);
  if (dec.error) return dec.error;
  return sameBytes(dec.output, pt) ? 'ok' : 'wrong bytes';
}

it('after workers failed to start, the pool starts them again once they can (back-off, not for good)', async () => {
  const pool = new WorkerPool({ size: 1 });
  try {
    // A first start that fails (until then, items would run on this thread: runner.ts).
    expect(StreamV2Error.is(await pool.start().catch((e: unknown) => e))).toBe(true);
    for (let i = 0; i < 3; i++) {
      const e = await roundTrip(pool);
      expect(StreamV2Error.is(e) && e.code).toBe('WORKER_FAILED');
    }
    // During the back-off, calls fail fast without starting doomed workers.
    const before = started;
    const fast = await roundTrip(pool);
    expect(StreamV2Error.is(fast) && fast.message).toMatch(/next try in/);
    expect(started).toBe(before);
    failing = false;
    let result: unknown;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      result = await roundTrip(pool);
      if (result === 'ok') break;
      expect(StreamV2Error.is(result) && result.code).toBe('WORKER_FAILED');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(result).toBe('ok');
  } finally {
    await pool.terminate();
  }
});
