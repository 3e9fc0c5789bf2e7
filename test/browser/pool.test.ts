import { expect, it } from 'vitest';
import { DecryptSegmentTransform, EncryptSegmentTransform, WorkerPool } from '#lib';
import { randomBytes, run, sameBytes } from '../helpers.js';

it('a pool stops idle workers and starts them again for the next stream', async () => {
  const pool = new WorkerPool({ size: 2, idleTimeoutMs: 50 });
  const key = randomBytes(32);
  for (let round = 0; round < 3; round++) {
    const pt = randomBytes(3 * 1024 * 1024 + round);
    const enc = await run(new EncryptSegmentTransform(key, { workers: pool }), [pt]);
    const dec = await run(new DecryptSegmentTransform(key, { workers: pool }), [enc.output]);
    expect(dec.error).toBeUndefined();
    expect(sameBytes(dec.output, pt)).toBe(true);
    await new Promise((r) => setTimeout(r, 200)); // longer than idleTimeoutMs: the workers stop
  }
  await pool.terminate();
});
