/**
 * The platform is passed in (issue 9 §1): each entry point binds its own platform to the public
 * API, importing a module configures nothing, and two platforms live side by side.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { bindPlatform } from '../../src/bind.js';
import { StreamV2Error } from '../../src/errors.js';
import { nodePlatform } from '../../src/platform/node.js';
import type { Platform } from '../../src/platform/types.js';
import { EncryptSegmentTransform as Unbound } from '../../src/stream/encrypt.js';
import { randomBytes, run, sameBytes } from '../helpers.js';

const dist = (name: string) => new URL(`../../dist/${name}`, import.meta.url).href;

/** The value exports the published declarations promise (the Web entry's, or the Node entry's). */
function declaredValues(file = 'index.d.ts'): string[] {
  const dts = readFileSync(new URL(`../../dist/${file}`, import.meta.url), 'utf8');
  const names = [...dts.matchAll(/^export declare (?:function|class|const) (\w+)/gm)].map((m) => m[1] as string);
  return [...new Set(names)].sort();
}

it('both entry points export every value their declarations promise, and nothing else', async () => {
  const node = await import(dist('node.js'));
  const browser = await import(dist('browser.js'));
  const declared = declaredValues();
  expect(declared).toContain('encryptBlob');
  expect(declared).toContain('EncryptSegmentTransform');
  expect(Object.keys(node).sort()).toEqual(declaredValues('node.d.ts'));
  expect(Object.keys(browser).sort()).toEqual(declared);
  // openFile only where it works: Node's entry and declarations have it, the Web's have not.
  expect(declaredValues('node.d.ts')).toEqual([...declared, 'openFile'].sort());
});

it('a public class used without an entry point refuses with a code (nothing was set by an import)', () => {
  let caught: unknown;
  try {
    new Unbound(new Uint8Array(32));
  } catch (e) {
    caught = e;
  }
  expect(StreamV2Error.is(caught) && caught.code).toBe('BAD_ARGUMENT');
  expect(String((caught as Error).message)).toMatch(/entry point/);
});

it('two platforms side by side: each bound API starts workers on its own platform only', async () => {
  let spawned = 0;
  const counting: Platform = {
    ...nodePlatform,
    spawnWorker: () => {
      spawned++;
      return nodePlatform.spawnWorker();
    },
  };
  const mine = bindPlatform(counting);
  const real = bindPlatform(nodePlatform);
  const key = randomBytes(32);
  const pt = randomBytes(200_000);
  const enc = await run(new real.EncryptSegmentTransform(key, { workers: 1, frameSize: 1024 }), [pt]);
  expect(spawned).toBe(0);
  const pool = new mine.WorkerPool({ size: 1 });
  try {
    const dec = await run(new mine.DecryptSegmentTransform(key, { workers: pool }), [enc.output]);
    expect(sameBytes(dec.output, pt)).toBe(true);
    expect(spawned).toBe(1);
    expect(mine.getDefaultPool()).not.toBe(real.getDefaultPool());
  } finally {
    await pool.terminate();
  }
});

it('bound classes keep their names, instanceof and subclassing', async () => {
  const { EncryptSegmentTransform } = bindPlatform(nodePlatform);
  class Mine extends EncryptSegmentTransform {}
  const t = new Mine(randomBytes(32), { workers: 0 });
  expect(t).toBeInstanceOf(Unbound);
  expect(t).toBeInstanceOf(EncryptSegmentTransform);
  expect(EncryptSegmentTransform.name).toBe('EncryptSegmentTransform');
  const out = await run(t, [randomBytes(1000)]);
  expect(out.error).toBeUndefined();
});
