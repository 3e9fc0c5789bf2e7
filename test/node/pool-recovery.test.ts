/**
 * A pool whose workers fail to start (here: the worker file is missing) must not stay broken
 * once they can start again. A copy of the built package is used so that its worker file can
 * be taken away and put back without touching dist/.
 */
import { cpSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { randomBytes, sameBytes } from '../helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
// Inside node_modules, so the copy resolves comlink and @noble like dist/ does.
const copy = mkdtempSync(join(root, 'node_modules', '.stream-v2-pool-test-'));
cpSync(join(root, 'dist'), copy, { recursive: true });
afterAll(() => rmSync(copy, { recursive: true, force: true }));

type Lib = typeof import('#lib');

async function roundTrip(lib: Lib, pool: InstanceType<Lib['WorkerPool']>): Promise<unknown> {
  const key = crypto.getRandomValues(new Uint8Array(32));
  const pt = randomBytes(300_000);
  try {
    const ct = await new Response(
      new Blob([pt as Uint8Array<ArrayBuffer>])
        .stream()
        .pipeThrough(new lib.EncryptSegmentTransform(key, { workers: pool })),
    ).arrayBuffer();
    const back = await new Response(
      new Blob([ct]).stream().pipeThrough(new lib.DecryptSegmentTransform(key, { workers: pool })),
    ).arrayBuffer();
    return sameBytes(new Uint8Array(back), pt) ? 'ok' : 'wrong bytes';
  } catch (e) {
    return e;
  }
}

it('after workers failed to start, the pool starts them again once they can (back-off, not for good)', async () => {
  const lib = (await import(pathToFileURL(join(copy, 'node.js')).href)) as Lib;
  const worker = join(copy, 'worker.node.js');
  const pool = new lib.WorkerPool({ size: 1 });
  try {
    renameSync(worker, `${worker}.away`);
    for (let i = 0; i < 4; i++) {
      const e = await roundTrip(lib, pool);
      expect(lib.StreamV2Error.is(e) && e.code).toBe('WORKER_FAILED');
    }
    renameSync(`${worker}.away`, worker);
    // The pool fails fast during its back-off, then tries again: within a few seconds it works.
    let result: unknown;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      result = await roundTrip(lib, pool);
      if (result === 'ok') break;
      expect(lib.StreamV2Error.is(result) && result.code).toBe('WORKER_FAILED');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(result).toBe('ok');
  } finally {
    await pool.terminate();
  }
});
