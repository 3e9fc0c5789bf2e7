/**
 * `decrypt --range START-END` over real files: exactly the plaintext bytes asked for, read
 * from the covering segments only; strict parsing; a file IN only.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, pattern, tempDir } from './cli.js';

const KEY_HEX = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
// 3000-byte segments of 3 frames: 10000 bytes make 4 segments (spec §5).
const LAYOUT = ['--frame-size', '1000', '--frames-per-segment', '3'];

describe('stream-v2 decrypt --range', () => {
  const t = tempDir();
  const key = t.path('key');
  const plain = pattern(10_000);
  const decrypt = (range: string, file = t.path('c'), ...more: string[]) =>
    cli(['decrypt', '--key-file', key, '--range', range, ...more, file]);
  beforeAll(async () => {
    writeFileSync(key, KEY_HEX);
    writeFileSync(t.path('plain'), plain);
    const enc = await cli(['encrypt', '--key-file', key, ...LAYOUT, '-o', t.path('c'), t.path('plain')]);
    expect(enc.code, enc.stderr).toBe(0);
  });
  afterAll(() => t.remove());

  it('gives exactly plaintext [START, END), either side omitted, to stdout and to -o', async () => {
    const cases: [string, number, number][] = [
      ['2500-7100', 2500, 7100],
      ['3000-6000', 3000, 6000],
      ['-10', 0, 10],
      ['9990-', 9990, 10_000],
      ['0-', 0, 10_000],
      ['-', 0, 10_000],
      ['4321-4321', 4321, 4321],
      ['10000-10000', 10_000, 10_000],
    ];
    for (const [range, start, end] of cases) {
      const r = await decrypt(range);
      expect(r.code, `${range}: ${r.stderr}`).toBe(0);
      expect(new Uint8Array(r.stdout), range).toEqual(plain.subarray(start, end));
    }
    const out = t.path('range-out');
    const r = await decrypt('1234-8765', t.path('c'), '-o', out);
    expect(r.code, r.stderr).toBe(0);
    expect(new Uint8Array(readFileSync(out))).toEqual(plain.subarray(1234, 8765));
  });

  it('reads only the covering segments: damage outside the range is not seen, inside it is', async () => {
    const wire = new Uint8Array(readFileSync(t.path('c')));
    const at = 80 + 18 + 100; // a ciphertext byte of segment 0's first frame
    wire[at] = (wire[at] as number) ^ 0x01;
    writeFileSync(t.path('c-bad0'), wire);
    const outside = await decrypt('3000-', t.path('c-bad0'));
    expect(outside.code, outside.stderr).toBe(0);
    expect(new Uint8Array(outside.stdout)).toEqual(plain.subarray(3000));
    const inside = await decrypt('2999-3001', t.path('c-bad0'));
    expect(inside.code).toBe(1);
    expect(inside.lastLine).toMatch(/^error: AUTH_FAILED: /);
    expect(inside.stdout.length).toBe(0);
    // The whole file, no --range: the damage fails it.
    const whole = await cli(['decrypt', '--key-file', key, t.path('c-bad0')]);
    expect(whole.code).toBe(1);
    expect(whole.lastLine).toMatch(/^error: AUTH_FAILED: /);
  });

  it('malformed or reversed ranges, and ranges past the end, are usage errors (exit 2)', async () => {
    for (const bad of ['5-3', 'a-b', '1-2-3', '', '12', '-1-', ' 1-2', '1.5-2', '99999999999999999999-']) {
      const r = await decrypt(bad);
      expect(r.code, bad).toBe(2);
      expect(r.lastLine, bad).toMatch(/^error: USAGE: --range must be START-END/);
    }
    for (const past of ['0-10001', '10001-', '20000-30000']) {
      const r = await decrypt(past);
      expect(r.code, past).toBe(2);
      expect(r.lastLine, past).toMatch(/^error: USAGE: --range .* is outside the plaintext \(10000 bytes\)/);
    }
  });

  it('needs IN to be a file: on stdin it is a usage error; encrypt does not take it', async () => {
    const r = await cli(['decrypt', '--key-file', key, '--range', '0-10'], { input: readFileSync(t.path('c')) });
    expect(r.code).toBe(2);
    expect(r.lastLine).toMatch(/^error: USAGE: --range needs IN to be a regular file/);
    const e = await cli(['encrypt', '--key-file', key, '--range', '0-10', t.path('plain')]);
    expect(e.code).toBe(2);
    expect(e.lastLine).toMatch(/^error: USAGE: encrypt does not take --range/);
    expect((await cli(['decrypt', '--help'])).stdout.toString()).toMatch(/--range START-END +only plaintext bytes/);
  });
});
