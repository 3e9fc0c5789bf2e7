/**
 * The 1.0 surface (issue 21): no public way to choose a salt or a nonce, in the declarations or
 * at run time; the vectors' test-only reference encoder is not in the package; and the CLI is a
 * proof of the public API: it imports nothing but the package's Node entry.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { DecryptSegmentTransform, EncryptSegmentTransform, encryptBlob, StreamV2Error } from '#lib';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (f: string) => readFileSync(join(root, f), 'utf8');

it('the declarations have no option that chooses a salt, a nonce or a backend', () => {
  for (const f of ['dist/index.d.ts', 'dist/node.d.ts']) {
    const dts = read(f).replace(/\/\*[\s\S]*?\*\//g, ''); // declarations, not their docs
    // `salt` is only the header's field (read-only, a parsed header's), never an option.
    expect(dts.match(/\bsalt\??:/g), f).toEqual(['salt:']);
    expect(dts, f).toMatch(/readonly salt: Uint8Array;/);
    for (const knob of ['nonce', 'backend', 'itemBytes', 'HighWaterMark']) expect(dts, f).not.toContain(knob);
  }
});

it('an old option (salt, backend, a high-water mark) is refused with BAD_ARGUMENT and what to do instead', async () => {
  const key = new Uint8Array(32);
  const opts = [{ salt: new Uint8Array(32) }, { backend: 'noble' }, { readableHighWaterMark: 0 }, { itemBytes: 1 }];
  for (const o of opts) {
    for (const make of [
      () => new EncryptSegmentTransform(key, o as never),
      () => new DecryptSegmentTransform(key, o as never),
      () => encryptBlob(new Blob([new Uint8Array(10)]), key, o as never),
    ]) {
      let e: unknown;
      try {
        await make();
      } catch (x) {
        e = x;
      }
      expect(StreamV2Error.is(e) && e.code, JSON.stringify(Object.keys(o))).toBe('BAD_ARGUMENT');
      expect(String(e)).toContain('removed in 1.0');
    }
  }
});

it('the package holds no test-only code (the reference encoder lives in test/)', () => {
  const pkg = JSON.parse(read('package.json')) as { files: string[] };
  expect(pkg.files).toEqual(['dist', 'docs']);
  for (const f of readdirSync(join(root, 'dist'), { recursive: true }) as string[]) {
    if (f.endsWith('.js')) expect(read(join('dist', f)), f).not.toContain('referenceCiphertext');
  }
});

it('the CLI imports nothing of the library but its public Node entry', () => {
  const dir = join(root, 'src/cli');
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
    const imports = [...read(join('src/cli', f)).matchAll(/from '([^']+)'/g)].map((m) => m[1] as string);
    for (const spec of imports) {
      const ok = spec.startsWith('node:') || spec.startsWith('./') || spec === '../node.js';
      expect(ok, `src/cli/${f} imports ${spec}`).toBe(true);
    }
  }
});
