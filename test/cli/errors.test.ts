/** Failures through the built CLI: exit codes, the `error: CODE: message` line, no OUT left behind. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hex, type NegativeVector, negative, type PositiveVector, positive } from '../helpers.js';
import { cli, pattern, tempDir } from './cli.js';

const KEY_HEX = '2ead84db47415a4c9a7a070c7b2797bbe0cd7f82c9b2cb7386f9fe09e5290000';

describe('stream-v2 CLI: every public negative vector', () => {
  const t = tempDir();
  afterAll(() => t.remove());

  for (const raw of negative.vectors) {
    const v = raw as NegativeVector;
    it(v.name, async () => {
      const dir = tempDir();
      try {
        writeFileSync(dir.path('in'), hex(v.ciphertext_hex));
        let secret = ['--passphrase-env', 'SV2_PASS'];
        if (v.key_hex !== undefined) {
          writeFileSync(dir.path('key'), v.key_hex);
          secret = ['--key-file', dir.path('key')];
        }
        const env = { SV2_PASS: v.passphrase ?? '' };
        const codes = new RegExp(`^error: (${v.errors.join('|')}): `);

        // -o: exit 1, the error line, and no OUT (nor temporary file) left behind.
        const file = await cli(['decrypt', ...secret, '-o', dir.path('out'), dir.path('in')], { env });
        expect(file.code, file.stderr).toBe(1);
        expect(file.lastLine).toMatch(codes);
        expect(dir.files()).toEqual(v.key_hex !== undefined ? ['in', 'key'] : ['in']);

        // stdout: only verified segments, a prefix of the valid plaintext (spec §6.3).
        const piped = await cli(['decrypt', ...secret], { env, input: hex(v.ciphertext_hex) });
        expect(piped.code).toBe(1);
        expect(piped.lastLine).toMatch(codes);
        expect(piped.stdout.length).toBeLessThanOrEqual(v.released_max);
        expect(Buffer.from(hex(v.valid_plaintext_hex)).subarray(0, piped.stdout.length)).toEqual(piped.stdout);
        if (v.key_hex !== undefined) expect(file.stderr + piped.stderr).not.toContain(v.key_hex);
      } finally {
        dir.remove();
      }
    });
  }
});

describe('stream-v2 CLI: failures and usage errors', () => {
  const t = tempDir();
  const plain = pattern(5000);
  beforeAll(() => {
    writeFileSync(t.path('key'), KEY_HEX);
    writeFileSync(t.path('other.key'), KEY_HEX.replace(/^2e/, '2f'));
    writeFileSync(t.path('plain'), plain);
  });
  afterAll(() => t.remove());

  it('wrong key: WRONG_KEY, exit 1, no OUT, no key bytes in messages', async () => {
    const enc = await cli(['encrypt', '--key-file', t.path('key'), '-o', t.path('c'), t.path('plain')]);
    expect(enc.code, enc.stderr).toBe(0);
    const dec = await cli(['decrypt', '--key-file', t.path('other.key'), '-o', t.path('p'), t.path('c')]);
    expect(dec.code).toBe(1);
    expect(dec.lastLine).toMatch(/^error: WRONG_KEY: /);
    expect(existsSync(t.path('p'))).toBe(false);
    expect(dec.stderr).not.toMatch(/2[ef]ad84db/);
    const keyless = await cli(['verify', '--passphrase-env', 'P', t.path('c')], { env: { P: 'x' } });
    expect(keyless.lastLine).toMatch(/^error: WRONG_KEY: /);
  });

  it('missing input file: IO, exit 1', async () => {
    const r = await cli(['decrypt', '--key-file', t.path('key'), t.path('nope')]);
    expect(r.code).toBe(1);
    expect(r.lastLine).toMatch(/^error: IO: .*nope/);
    const k = await cli(['decrypt', '--key-file', t.path('nokey')], { input: plain });
    expect(k.code).toBe(1);
    expect(k.lastLine).toMatch(/^error: IO: /);
  });

  it('an existing OUT without --force: IO, exit 1, OUT untouched', async () => {
    writeFileSync(t.path('existing'), 'keep me');
    const r = await cli(['encrypt', '--key-file', t.path('key'), '-o', t.path('existing'), t.path('plain')]);
    expect(r.code).toBe(1);
    expect(r.lastLine).toMatch(/^error: IO: .*--force/);
    expect(readFileSync(t.path('existing'), 'utf8')).toBe('keep me');
    const f = await cli(['encrypt', '--key-file', t.path('key'), '--force', '-o', t.path('existing'), t.path('plain')]);
    expect(f.code, f.stderr).toBe(0);
    expect(readFileSync(t.path('existing')).subarray(0, 4).toString('latin1')).toBe('SV2\0');
  });

  const usageCases: [string, string[], RegExp][] = [
    ['no command', [], /no command/],
    ['unknown command', ['frobnicate'], /unknown command/],
    ['unknown flag', ['encrypt', '--bogus'], /unknown option '--bogus'/],
    ['flag of another command', ['decrypt', '--suite', 'aes-256-gcm'], /decrypt does not take --suite/],
    ['missing value', ['encrypt', '--frame-size'], /needs a value/],
    ['bad suite', ['encrypt', '--key-file', 'k', '--suite', 'rot13'], /--suite must be/],
    ['non-integer', ['encrypt', '--key-file', 'k', '--frame-size', '12x'], /--frame-size must be an integer/],
    ['out of range', ['encrypt', '--key-file', 'k', '--frames-per-segment', '0'], /--frames-per-segment/],
    ['two secrets', ['decrypt', '--key-file', 'k', '--passphrase-env', 'X'], /give one secret/],
    ['no secret', ['decrypt'], /a secret is needed/],
    ['two operands', ['inspect', 'a', 'b'], /unexpected operand 'b'/],
    ['keygen takes no IN', ['keygen', 'x'], /unexpected operand/],
    ['unset env', ['encrypt', '--passphrase-env', 'SV2_UNSET_VAR'], /SV2_UNSET_VAR is not set/],
    ['empty passphrase', ['encrypt', '--passphrase-env', 'SV2_EMPTY'], /is empty/],
    [
      'log_n past what can run',
      ['encrypt', '--passphrase-env', 'X', '--log-n', '40'],
      /--log-n must be an integer in 1\.\.30/,
    ],
    [
      'max log_n past what can run',
      ['decrypt', '--key-file', 'k', '--max-log-n', '31'],
      /--max-log-n must be an integer in 1\.\.30/,
    ],
    ['prompt without a terminal', ['encrypt', '--passphrase'], /needs a terminal/],
  ];
  for (const [name, args, message] of usageCases) {
    it(`usage error: ${name}`, async () => {
      const r = await cli(args, { cwd: t.dir, env: { SV2_EMPTY: '' }, input: plain, detached: true });
      expect(r.code, r.stderr).toBe(2);
      expect(r.lastLine).toMatch(/^error: USAGE: /);
      expect(r.lastLine).toMatch(message);
      expect(r.stderr).toMatch(/hint: run 'stream-v2 .*--help'/);
      expect(r.stdout.length).toBe(0);
    });
  }

  it('decrypting with an empty passphrase reaches the library (spec §3 allows it): WRONG_KEY', async () => {
    const v = positive.vectors.find((x) => (x as PositiveVector).passphrase !== undefined) as PositiveVector;
    writeFileSync(t.path('pass.sv2'), hex(v.ciphertext_hex as string));
    const r = await cli(['decrypt', '--passphrase-env', 'SV2_EMPTY', t.path('pass.sv2')], { env: { SV2_EMPTY: '' } });
    expect(r.code, r.stderr).toBe(1);
    expect(r.lastLine).toMatch(/^error: WRONG_KEY: /);
    expect(r.stdout.length).toBe(0);
  });

  it('a malformed key file is a usage error', async () => {
    writeFileSync(t.path('short.key'), 'abcd');
    const r = await cli(['decrypt', '--key-file', t.path('short.key')], { input: plain });
    expect(r.code).toBe(2);
    expect(r.lastLine).toMatch(/^error: USAGE: the key file must hold/);
  });
});
