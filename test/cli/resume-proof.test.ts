/**
 * What `encrypt --resume` must prove before it appends (issue 20, F3 and F7; spec §8): that the
 * partial file is, byte for byte, this encryption of IN. A partial file with no whole segment
 * proves nothing (its header may be another stream's: sealing IN under that salt would reuse
 * its nonces), so the run starts afresh under a new salt and says so. Damage anywhere in the
 * partial file, not only in its last segments, is refused with the damage's code, and a change
 * of IN in any segment with SOURCE_CHANGED; either way the partial file is left as it was.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, pattern, tempDir } from './cli.js';

const KEY_HEX = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
// 3000-byte segments of 3 frames: 10000 bytes make 4 segments of `W` wire bytes (the last shorter).
const LAYOUT = ['--frame-size', '1000', '--frames-per-segment', '3'];
const FRAME = 18 + 1000 + 16;
const W = 3 * FRAME + (18 + 33 + 16) + (18 + 16);
const AFRESH =
  /^note: '.*' holds no whole segment to prove IN is the file it was made from; starting afresh under a new salt$/m;

describe('stream-v2 encrypt --resume proves the whole partial file', () => {
  const t = tempDir();
  const key = t.path('key');
  const plain = pattern(10_000);
  const other = pattern(10_000, 9); // another plaintext, encrypted under the same key
  let whole: Buffer;
  let foreign: Buffer;
  const partialOf = (out: string) => t.path(`.${out}.stream-v2-partial`);
  const resume = (out: string, input = t.path('plain')) =>
    cli(['encrypt', '--key-file', key, '--resume', '-o', t.path(out), input]);
  const decrypts = async (out: string) => {
    const dec = await cli(['decrypt', '--key-file', key, t.path(out)]);
    expect(dec.code, dec.stderr).toBe(0);
    expect(new Uint8Array(dec.stdout)).toEqual(plain);
  };
  beforeAll(async () => {
    writeFileSync(key, KEY_HEX);
    writeFileSync(t.path('plain'), plain);
    writeFileSync(t.path('other'), other);
    for (const [input, out] of [
      ['plain', 'whole'],
      ['other', 'foreign'],
    ] as const) {
      const r = await cli(['encrypt', '--key-file', key, ...LAYOUT, '-o', t.path(out), t.path(input)]);
      expect(r.code, r.stderr).toBe(0);
    }
    whole = readFileSync(t.path('whole'));
    foreign = readFileSync(t.path('foreign'));
  });
  afterAll(() => t.remove());

  it('F3: a partial file with no whole segment starts afresh under a new salt (same layout), and says so', async () => {
    // The header alone, the header and a frame header (the same for any plaintext), all but a byte of segment 0.
    for (const cut of [80, 80 + 18, 80 + W - 1]) {
      const out = `afresh-${cut}`;
      writeFileSync(partialOf(out), whole.subarray(0, cut));
      const r = await resume(out);
      expect(r.code, `${cut}: ${r.stderr}`).toBe(0);
      const got = readFileSync(t.path(out));
      expect(got.subarray(16, 48).equals(whole.subarray(16, 48)), `${cut}: a new salt`).toBe(false);
      expect(r.stderr).toMatch(AFRESH);
      expect(got.subarray(0, 16).equals(whole.subarray(0, 16)), `${cut}: the same layout`).toBe(true);
      expect(got.length).toBe(whole.length);
      await decrypts(out);
      expect(existsSync(partialOf(out))).toBe(false);
    }
  });

  it("F3: another stream's header planted as the partial file (alone, or with a zero tail) is not used", async () => {
    for (const [out, planted] of [
      ['planted', foreign.subarray(0, 80)],
      ['planted-zeros', Buffer.concat([foreign.subarray(0, 80), Buffer.alloc(W + 3)])], // cut back to the header
    ] as const) {
      writeFileSync(partialOf(out), planted);
      const r = await resume(out);
      expect(r.code, r.stderr).toBe(0);
      const got = readFileSync(t.path(out));
      // Under the planted salt, got ⊕ foreign would be plain ⊕ other (keystream reuse).
      expect(got.subarray(16, 48).equals(foreign.subarray(16, 48)), out).toBe(false);
      const at = 80 + 18; // the first DATA frame's ciphertext
      const xor = got.subarray(at, at + 1000).map((b, i) => b ^ (foreign[at + i] as number));
      expect(
        Buffer.from(xor).equals(Buffer.from(plain.subarray(0, 1000).map((b, i) => b ^ (other[i] as number)))),
      ).toBe(false);
      expect(r.stderr).toMatch(AFRESH);
      await decrypts(out);
    }
  });

  it('F3: with a passphrase, starting afresh keeps the header scrypt cost and asks nothing more', async () => {
    const env = { SV2_PASS: 'correct horse' };
    const made = await cli(
      ['encrypt', '--passphrase-env', 'SV2_PASS', '--log-n', '10', '-o', t.path('pass-whole'), t.path('plain')],
      { env },
    );
    expect(made.code, made.stderr).toBe(0);
    writeFileSync(partialOf('pass'), readFileSync(t.path('pass-whole')).subarray(0, 80));
    const r = await cli(
      ['encrypt', '--passphrase-env', 'SV2_PASS', '--resume', '-o', t.path('pass'), t.path('plain')],
      {
        env,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(AFRESH);
    const info = JSON.parse((await cli(['inspect', '--json', t.path('pass')])).stdout.toString()) as { logN: number };
    expect(info.logN).toBe(10);
  });

  it('F7: damage in a whole segment before the resume point is refused with its code; nothing is written', async () => {
    const cut = 80 + 2 * W + 500; // ends in segment 2: segments 0 and 1 are whole
    for (const [what, offset, code] of [
      ['a ciphertext byte of segment 0', 80 + 18 + 5, /AUTH_FAILED|DIGEST_MISMATCH/],
      ['the DIGEST value of segment 0', 80 + 3 * FRAME + 18 + 1 + 3, /AUTH_FAILED|DIGEST_MISMATCH/],
      ['a frame header in segment 0', 80 + FRAME + 11, /BAD_FRAME/],
      ['a tag in segment 1', 80 + W + FRAME - 1, /AUTH_FAILED|DIGEST_MISMATCH/],
    ] as const) {
      const out = `damaged-${offset}`;
      const partial = Buffer.from(whole.subarray(0, cut));
      partial[offset] = (partial[offset] as number) ^ 0x04;
      writeFileSync(partialOf(out), partial);
      const r = await resume(out);
      expect(r.code, `${what}: ${r.stderr}`).toBe(1);
      expect(r.lastLine, what).toMatch(/^error: [A-Z_]+: the partial file '.*' is damaged: .*; it is left as it was/);
      expect(r.lastLine.split(':')[1]?.trim(), what).toMatch(code);
      expect(readFileSync(partialOf(out)).equals(partial), what).toBe(true);
      expect(existsSync(t.path(out)), what).toBe(false);
    }
  });

  it('F7: a change of IN in an early segment only is refused with SOURCE_CHANGED', async () => {
    const cut = 80 + 2 * W + 500;
    const changed = Uint8Array.from(plain);
    changed[10] = (changed[10] as number) ^ 0x01; // segment 0
    writeFileSync(t.path('changed'), changed);
    const before = Buffer.from(whole.subarray(0, cut));
    writeFileSync(partialOf('early'), before);
    const r = await resume('early', t.path('changed'));
    expect(r.code, r.stderr).toBe(1);
    expect(r.lastLine).toMatch(/^error: SOURCE_CHANGED: IN is not the file .* was made from \(segment 0 differs\)/);
    expect(readFileSync(partialOf('early')).equals(before)).toBe(true);
    expect(existsSync(t.path('early'))).toBe(false);
  });
});
