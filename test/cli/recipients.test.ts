/**
 * Recipients through the built CLI (docs/CLI.md): keygen --recipient [--pq], encrypt -r/-R to
 * several, decrypt -i by each (files and pipes, --range), rewrap (the removed identity gets
 * WRONG_KEY, the new one reads; the stream's bytes are copied unchanged), and usage errors.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, pattern, tempDir } from './cli.js';

const LAYOUT = ['--frame-size', '1000', '--frames-per-segment', '3'];
const ENVELOPE_SIZE = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getUint32(6);

describe('stream-v2 CLI with recipients', () => {
  const t = tempDir();
  const plain = pattern(10_000);
  const pub: Record<string, string> = {};
  beforeAll(async () => {
    writeFileSync(t.path('plain'), plain);
    for (const [name, extra] of [
      ['alice', []],
      ['bob', ['--pq']],
      ['carol', []],
    ] as const) {
      const r = await cli(['keygen', '--recipient', ...extra, '-o', t.path(`${name}.id`)]);
      expect(r.code, r.stderr).toBe(0);
      pub[name] = r.stdout.toString().trim();
    }
    writeFileSync(t.path('team.txt'), `# the team\n\n${pub.bob}\n  ${pub.carol}  \n`);
  });
  afterAll(() => t.remove());

  it('keygen --recipient: an identity file (0600) with its public key as a comment; the key on stdout', () => {
    const text = readFileSync(t.path('alice.id'), 'utf8');
    expect(text).toMatch(/^# stream-v2 x25519 identity\n# public key: s2pk1\w+\nS2SK1[0-9A-Z]+\n$/);
    expect(text).toContain(pub.alice);
    expect(statSync(t.path('alice.id')).mode & 0o777).toBe(0o600);
    expect(pub.bob).toMatch(/^s2pkpq1/);
    expect(readFileSync(t.path('bob.id'), 'utf8')).toMatch(/\nS2SKPQ1[0-9A-Z]+\n$/);
  });

  it('encrypt -r -R (file and pipe); each identity decrypts, also a range; another gets WRONG_KEY', async () => {
    const c = t.path('c');
    const enc = await cli([
      'encrypt',
      '-r',
      pub.alice as string,
      '-R',
      t.path('team.txt'),
      ...LAYOUT,
      '-o',
      c,
      t.path('plain'),
    ]);
    expect(enc.code, enc.stderr).toBe(0);
    const piped = await cli(['encrypt', '--recipient', pub.bob as string, ...LAYOUT], { input: plain });
    expect(piped.code, piped.stderr).toBe(0);
    for (const who of ['alice', 'bob', 'carol']) {
      const dec = await cli(['decrypt', '-i', t.path(`${who}.id`), c]);
      expect(dec.code, `${who}: ${dec.stderr}`).toBe(0);
      expect(new Uint8Array(dec.stdout)).toEqual(plain);
    }
    // The keyless check and inspect read a container too (its envelope's structure).
    const verified = await cli(['verify', c]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout.toString()).toMatch(/^OK: 4 segments, 10000 plaintext bytes/);
    const inspected = JSON.parse((await cli(['inspect', '--json', c])).stdout.toString());
    expect([inspected.stanzas, inspected.segments, inspected.complete]).toEqual([3, 4, true]);
    const ranged = await cli(['decrypt', '-i', t.path('bob.id'), '--range', '2500-7000', c]);
    expect(new Uint8Array(ranged.stdout)).toEqual(plain.subarray(2500, 7000));
    const fromPipe = await cli(['decrypt', '-i', t.path('alice.id'), '-i', t.path('bob.id')], { input: piped.stdout });
    expect(new Uint8Array(fromPipe.stdout)).toEqual(plain);
    const wrong = await cli(['decrypt', '-i', t.path('alice.id')], { input: piped.stdout });
    expect([wrong.code, wrong.stdout.length]).toEqual([1, 0]);
    expect(wrong.lastLine).toMatch(/^error: WRONG_KEY: /);
  });

  it('rewrap: a new envelope, the stream copied byte for byte; removed → WRONG_KEY, added → reads', async () => {
    const c = t.path('c2');
    await cli(['encrypt', '-r', pub.alice as string, '-r', pub.bob as string, ...LAYOUT, '-o', c, t.path('plain')]);
    const before = new Uint8Array(readFileSync(c));
    const r = t.path('c2-rewrapped');
    const re = await cli([
      'rewrap',
      '-i',
      t.path('bob.id'),
      '-r',
      pub.carol as string,
      '-r',
      pub.bob as string,
      '-o',
      r,
      c,
    ]);
    expect(re.code, re.stderr).toBe(0);
    const after = new Uint8Array(readFileSync(r));
    expect(after.subarray(ENVELOPE_SIZE(after))).toEqual(before.subarray(ENVELOPE_SIZE(before)));
    const alice = await cli(['decrypt', '-i', t.path('alice.id'), r]);
    expect(alice.lastLine).toMatch(/^error: WRONG_KEY: /);
    for (const who of ['bob', 'carol']) {
      const dec = await cli(['decrypt', '-i', t.path(`${who}.id`), r]);
      expect(new Uint8Array(dec.stdout), who).toEqual(plain);
    }
    // An envelope alone rewraps to an envelope alone (through a pipe).
    const envelope = before.subarray(0, ENVELOPE_SIZE(before));
    const alone = await cli(['rewrap', '-i', t.path('alice.id'), '-R', t.path('team.txt')], { input: envelope });
    expect(alone.code, alone.stderr).toBe(0);
    expect(ENVELOPE_SIZE(alone.stdout)).toBe(alone.stdout.length);
    // An identity that does not open it, or a cut envelope: the library's codes; nothing written.
    const notMine = await cli(['rewrap', '-i', t.path('carol.id'), '-r', pub.carol as string, '-o', t.path('x'), c]);
    expect(notMine.lastLine).toMatch(/^error: WRONG_KEY: /);
    const cut = await cli(['rewrap', '-i', t.path('alice.id'), '-r', pub.carol as string], {
      input: envelope.subarray(0, 50),
    });
    expect([cut.code, cut.stdout.length]).toEqual([1, 0]);
    expect(cut.lastLine).toMatch(/^error: TRUNCATED: /);
    expect(t.files()).not.toContain('x');
  });

  it('usage errors: a typo in a key, a secret key as recipient, mixed secrets, resume', async () => {
    const typo = `${(pub.alice as string).slice(0, 20)}q${(pub.alice as string).slice(21)}`;
    const cases: [string[], RegExp][] = [
      [
        ['encrypt', '-r', typo === pub.alice ? `${typo}q` : typo, t.path('plain')],
        /recipient 1 is not a valid key text/,
      ],
      [['encrypt', '-R', t.path('alice.id'), t.path('plain')], /recipient 1 is a secret key/],
      [['decrypt', '-i', t.path('team.txt'), t.path('plain')], /identity 1 is a public key/],
      [['encrypt', '-r', pub.alice as string, '--passphrase-env', 'X', t.path('plain')], /give one secret/],
      [
        ['encrypt', '-r', pub.alice as string, '--resume', '-o', t.path('o'), t.path('plain')],
        /cannot resume an encryption to recipients yet/,
      ],
      [['keygen', '--pq'], /--pq goes with --recipient/],
      [['rewrap', '-r', pub.alice as string, t.path('plain')], /needs -i/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.lastLine, args.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(/S2SK(PQ)?1[0-9A-Z]{8}/); // no secret key itself
    }
  });
});
