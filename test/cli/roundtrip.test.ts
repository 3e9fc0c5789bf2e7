/** End-to-end round trips through the built CLI: files, pipes, both suites, all secret kinds. */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, pattern, tempDir } from './cli.js';

const KEY_HEX = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
// Small frames and segments: several segments from a few KiB.
const LAYOUT = ['--frame-size', '1000', '--frames-per-segment', '3'];

describe('stream-v2 CLI round trips', () => {
  const t = tempDir();
  const plain = pattern(10_000);
  beforeAll(() => {
    writeFileSync(t.path('key.hex'), `  ${KEY_HEX}\n`);
    writeFileSync(t.path('key.raw'), Buffer.from(KEY_HEX, 'hex'));
    writeFileSync(t.path('pass.txt'), 'correct horse\nsecond line is ignored\n');
    writeFileSync(t.path('plain'), plain);
    writeFileSync(t.path('empty'), new Uint8Array(0));
  });
  afterAll(() => t.remove());

  for (const suite of ['aes-256-gcm', 'chacha20-poly1305']) {
    it(`files, ${suite}, hex key file`, async () => {
      const c = t.path(`c-${suite}`);
      const p = t.path(`p-${suite}`);
      const enc = await cli([
        'encrypt',
        '--key-file',
        t.path('key.hex'),
        '--suite',
        suite,
        ...LAYOUT,
        '-o',
        c,
        t.path('plain'),
      ]);
      expect(enc.code, enc.stderr).toBe(0);
      expect(enc.stdout.length).toBe(0);
      const dec = await cli(['decrypt', '--key-file', t.path('key.raw'), '-o', p, c]);
      expect(dec.code, dec.stderr).toBe(0);
      expect(new Uint8Array(readFileSync(p))).toEqual(plain);
      expect(statSync(p).mode & 0o777).toBe(0o600);
      const info = await cli(['inspect', '--json', c]);
      expect(info.code, info.stderr).toBe(0);
      const json = JSON.parse(info.stdout.toString());
      expect(json).toMatchObject({ suite, kdf: 'raw', frameSize: 1000, framesPerSegment: 3, segments: 4 });
      expect(json).toMatchObject({ plaintextBytes: 10_000, ciphertextBytes: statSync(c).size, complete: true });
    });

    it(`pipes, ${suite}, workers 0 and 2`, async () => {
      for (const workers of ['0', '2']) {
        const args = ['--key-file', t.path('key.hex'), '--workers', workers];
        const enc = await cli(['encrypt', ...args, '--suite', suite, ...LAYOUT], { input: plain });
        expect(enc.code, enc.stderr).toBe(0);
        const dec = await cli(['decrypt', ...args, '-'], { input: enc.stdout });
        expect(dec.code, dec.stderr).toBe(0);
        expect(new Uint8Array(dec.stdout)).toEqual(plain);
      }
    });
  }

  it('passphrase via env and via file (log_n 10)', async () => {
    const enc = await cli(['encrypt', '--passphrase-env', 'SV2_PASS', '--log-n', '10', ...LAYOUT], {
      input: plain,
      env: { SV2_PASS: 'correct horse' },
    });
    expect(enc.code, enc.stderr).toBe(0);
    writeFileSync(t.path('c-pass'), enc.stdout);
    const dec = await cli(['decrypt', '--passphrase-file', t.path('pass.txt'), t.path('c-pass')]);
    expect(dec.code, dec.stderr).toBe(0);
    expect(new Uint8Array(dec.stdout)).toEqual(plain);
    const info = await cli(['inspect', t.path('c-pass')]);
    expect(info.stdout.toString()).toMatch(/kdf:\s+scrypt, log_n 10/);
  });

  it('an empty input', async () => {
    const c = t.path('c-empty');
    const enc = await cli(['encrypt', '--key-file', t.path('key.hex'), '-o', c, t.path('empty')]);
    expect(enc.code, enc.stderr).toBe(0);
    expect(statSync(c).size).toBeGreaterThan(80);
    const dec = await cli(['decrypt', '--key-file', t.path('key.hex'), '-o', t.path('p-empty'), c]);
    expect(dec.code, dec.stderr).toBe(0);
    expect(statSync(t.path('p-empty')).size).toBe(0);
    const piped = await cli(['decrypt', '--key-file', t.path('key.hex')], { input: readFileSync(c) });
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout.length).toBe(0);
  });

  it('verify: keyless and keyed pass a clean stream, catch a flipped digest byte', async () => {
    const c = t.path('c-verify');
    await cli(['encrypt', '--key-file', t.path('key.hex'), ...LAYOUT, '-o', c, t.path('plain')]);
    const clean = await cli(['verify', c]);
    expect(clean.code, clean.stderr).toBe(0);
    // Keyless: the library's verifyDigests, one verdict line.
    expect(clean.stdout.toString()).toMatch(/^OK: 4 segments, 10000 plaintext bytes .*not authenticated.*\n$/);
    const piped = await cli(['verify'], { input: readFileSync(c) });
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout.toString()).toBe(clean.stdout.toString());
    const keyed = await cli(['verify', '--key-file', t.path('key.hex'), c]);
    expect(keyed.code, keyed.stderr).toBe(0);
    expect(keyed.stdout.toString()).toMatch(
      /^(segment \d+: .*authenticated\n){4}OK: 4 segments, 10000 plaintext bytes/,
    );

    // spec §4/§5: segment 1's DIGEST value starts 18 + 1 bytes into its DIGEST frame.
    const wire = new Uint8Array(readFileSync(c));
    const full = 3 * (18 + 1000 + 16) + (18 + 33 + 16) + (18 + 16);
    const at = 80 + full + 3 * (18 + 1000 + 16) + 18 + 1 + 5;
    wire[at] = (wire[at] as number) ^ 0x01;
    writeFileSync(t.path('c-flipped'), wire);
    const bad = await cli(['verify', t.path('c-flipped')]);
    expect(bad.code).toBe(1);
    expect(bad.lastLine).toMatch(/^error: DIGEST_MISMATCH: .*segment 1/);
    expect(bad.stdout.toString()).toBe('FAILED: DIGEST_MISMATCH\n');
    const badPiped = await cli(['verify'], { input: wire });
    expect(badPiped.code).toBe(1);
    expect(badPiped.lastLine).toMatch(/^error: DIGEST_MISMATCH: .*segment 1/);
    const badKeyed = await cli(['verify', '--key-file', t.path('key.hex'), t.path('c-flipped')]);
    expect(badKeyed.code).toBe(1);
    expect(badKeyed.lastLine).toMatch(/^error: (DIGEST_MISMATCH|AUTH_FAILED): /);
  });

  it('keygen: 64 lowercase hex and a newline; -o gives mode 0600 and refuses to overwrite', async () => {
    const out = await cli(['keygen']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout.toString()).toMatch(/^[0-9a-f]{64}\n$/);
    const k = t.path('new.key');
    const a = await cli(['keygen', '-o', k]);
    expect(a.code, a.stderr).toBe(0);
    expect(statSync(k).mode & 0o777).toBe(0o600);
    const first = readFileSync(k, 'utf8');
    expect(first).toMatch(/^[0-9a-f]{64}\n$/);
    const again = await cli(['keygen', '-o', k]);
    expect(again.code).toBe(1);
    expect(again.lastLine).toMatch(/^error: IO: .*exists/);
    expect(readFileSync(k, 'utf8')).toBe(first);
    const forced = await cli(['keygen', '--force', '-o', k]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(k, 'utf8')).not.toBe(first);
    expect(statSync(k).mode & 0o777).toBe(0o600);
    // A generated key works.
    const enc = await cli(['encrypt', '--key-file', k], { input: plain });
    const dec = await cli(['decrypt', '--key-file', k], { input: enc.stdout });
    expect(new Uint8Array(dec.stdout)).toEqual(plain);
  });

  it('--help, --version, and the process exits promptly', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout.toString()).toMatch(/usage: stream-v2/);
    const ver = await cli(['--version']);
    expect(ver.stdout.toString()).toMatch(/^stream-v2 \d+\.\d+\.\d+/);
    // The default pool's idle workers must not keep the process alive.
    const enc = await cli(['encrypt', '--key-file', t.path('key.hex')], { input: plain });
    expect(enc.code).toBe(0);
    expect(enc.ms).toBeLessThan(10_000);
  });
});
