/**
 * `encrypt --resume -o OUT IN`: an interrupted `encrypt -o OUT` leaves `.OUT.stream-v2-partial`
 * (ciphertext only); `--resume` proves it is this encryption of IN (header_mac with the secret,
 * every byte after the header re-sealed and compared), appends the rest and renames. A changed
 * IN is refused with SOURCE_CHANGED and the partial file is left as it was. (A partial file with
 * no whole segment, or a damaged one: resume-proof.test.ts.)
 */
import { copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paramsOf, referenceCiphertext } from '../reference.js';
import { cli, pattern, startCli, tempDir } from './cli.js';

const KEY_HEX = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const KEY = Uint8Array.from(Buffer.from(KEY_HEX, 'hex'));
// 3000-byte segments of 3 frames: 10000 bytes make 4 segments of `W` wire bytes (the last shorter).
const LAYOUT = ['--frame-size', '1000', '--frames-per-segment', '3'];
const W = 3 * (18 + 1000 + 16) + (18 + 33 + 16) + (18 + 16);

describe('stream-v2 encrypt --resume', () => {
  const t = tempDir();
  const key = t.path('key');
  const plain = pattern(10_000);
  let whole: Buffer;
  const partialOf = (out: string) => t.path(`.${out}.stream-v2-partial`);
  const resume = (out: string, input = t.path('plain'), ...more: string[]) =>
    cli(['encrypt', '--key-file', key, '--resume', ...more, '-o', t.path(out), input]);
  beforeAll(async () => {
    writeFileSync(key, KEY_HEX);
    writeFileSync(t.path('plain'), plain);
    const enc = await cli(['encrypt', '--key-file', key, ...LAYOUT, '-o', t.path('whole'), t.path('plain')]);
    expect(enc.code, enc.stderr).toBe(0);
    whole = readFileSync(t.path('whole'));
    expect(t.files()).toEqual(['key', 'plain', 'whole']); // success leaves no partial file
  });
  afterAll(() => t.remove());

  it('continues any prefix holding a whole segment to the same bytes as the uninterrupted run', async () => {
    // On a segment boundary, one byte into a segment, mid-segment, all but one byte, all.
    const cuts = [80 + W, 80 + W + 1, 80 + 2 * W + 500, whole.length - 1, whole.length];
    for (const cut of cuts) {
      const out = `out-${cut}`;
      writeFileSync(partialOf(out), whole.subarray(0, cut));
      const r = await resume(out);
      expect(r.code, `${cut}: ${r.stderr}`).toBe(0);
      expect(readFileSync(t.path(out)).equals(whole), `cut ${cut}`).toBe(true);
      expect(existsSync(partialOf(out)), `cut ${cut}`).toBe(false);
    }
  });

  it('a tail of zero bytes (a power cut: size written, data not) is cut back to its segment and redone', async () => {
    for (const [zeroFrom, cut] of [
      [80 + 2 * W + 100, 80 + 2 * W + 500], // inside the segment where the file ends
      [80 + W + 7, 80 + 2 * W + 500], // from the segment before it
      [80 + W, 80 + 3 * W + 3], // from a segment boundary, over two segments
    ] as const) {
      const out = `zeros-${zeroFrom}-${cut}`;
      const partial = Buffer.from(whole.subarray(0, cut));
      partial.fill(0, zeroFrom);
      writeFileSync(partialOf(out), partial);
      const r = await resume(out, t.path('plain'), ...LAYOUT); // the same layout flags are accepted
      expect(r.code, `${out}: ${r.stderr}`).toBe(0);
      expect(readFileSync(t.path(out)).equals(whole), out).toBe(true);
    }
  });

  it('encoder flags that differ from the partial file being resumed are a usage error', async () => {
    const before = Buffer.from(whole.subarray(0, 80 + W + 10));
    writeFileSync(partialOf('flags'), before);
    for (const flags of [
      ['--frame-size', '2000'],
      ['--frames-per-segment', '4'],
      ['--suite', 'chacha20-poly1305'],
    ]) {
      const r = await resume('flags', t.path('plain'), ...flags);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.lastLine).toMatch(/^error: USAGE: --[a-z-]+ \S+ differs from the partial file being resumed/);
    }
    expect(readFileSync(partialOf('flags')).equals(before)).toBe(true);
  });

  it('with nothing to continue (no partial file, or less than a header), starts anew', async () => {
    for (const partial of [undefined, whole.subarray(0, 79)]) {
      const out = `fresh-${partial === undefined ? 'none' : 'short'}`;
      if (partial) writeFileSync(partialOf(out), partial);
      const r = await resume(out);
      expect(r.code, r.stderr).toBe(0);
      const dec = await cli(['decrypt', '--key-file', key, t.path(out)]);
      expect(new Uint8Array(dec.stdout)).toEqual(plain);
      expect(existsSync(partialOf(out))).toBe(false);
    }
  });

  it('a changed IN is refused with SOURCE_CHANGED, exit 1; the partial file is left as it was, no OUT', async () => {
    const cut = 80 + 2 * W + 500; // ends in segment 2
    const changed = Uint8Array.from(plain);
    changed[2 * 3000 + 100] = (changed[2 * 3000 + 100] as number) ^ 0x01; // segment 2
    writeFileSync(t.path('changed'), changed);
    const shorter = plain.subarray(0, 6000); // its whole ciphertext is shorter than the partial file
    writeFileSync(t.path('shorter'), shorter);
    const before = Buffer.from(whole.subarray(0, cut));
    for (const input of ['changed', 'shorter']) {
      const out = `refused-${input}`;
      writeFileSync(partialOf(out), before);
      const r = await resume(out, t.path(input));
      expect(r.code, input).toBe(1);
      expect(r.lastLine, input).toMatch(/^error: SOURCE_CHANGED: IN is not the file .* was made from/);
      expect(readFileSync(partialOf(out)).equals(before), input).toBe(true);
      expect(existsSync(t.path(out)), input).toBe(false);
    }
    // A change in the segment before the one where the file ends is seen too.
    const earlier = Uint8Array.from(plain);
    earlier[3000 + 7] = (earlier[3000 + 7] as number) ^ 0x80; // segment 1
    writeFileSync(t.path('earlier'), earlier);
    writeFileSync(partialOf('refused-earlier'), before);
    const r = await resume('refused-earlier', t.path('earlier'));
    expect(r.lastLine).toMatch(/^error: SOURCE_CHANGED: /);
    expect(readFileSync(partialOf('refused-earlier')).equals(before)).toBe(true);
  });

  it('another secret fails WRONG_KEY (the header_mac) and leaves the partial file as it was', async () => {
    const before = Buffer.from(whole.subarray(0, 80 + W + 10));
    writeFileSync(partialOf('wrong-key'), before);
    writeFileSync(t.path('key2'), KEY_HEX.replace(/^00/, 'ff'));
    const r = await cli([
      'encrypt',
      '--key-file',
      t.path('key2'),
      '--resume',
      '-o',
      t.path('wrong-key'),
      t.path('plain'),
    ]);
    expect(r.code).toBe(1);
    expect(r.lastLine).toMatch(/^error: WRONG_KEY: /);
    expect(readFileSync(partialOf('wrong-key')).equals(before)).toBe(true);
  });

  it('without --resume, a leftover partial file is replaced', async () => {
    writeFileSync(partialOf('replaced'), 'not a stream at all');
    const r = await cli(['encrypt', '--key-file', key, '-o', t.path('replaced'), t.path('plain')]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(partialOf('replaced'))).toBe(false);
    const dec = await cli(['decrypt', '--key-file', key, t.path('replaced')]);
    expect(new Uint8Array(dec.stdout)).toEqual(plain);
  });

  it('needs -o OUT and a file IN (usage errors, exit 2)', async () => {
    const noOut = await cli(['encrypt', '--key-file', key, '--resume', t.path('plain')]);
    expect(noOut.code).toBe(2);
    expect(noOut.lastLine).toMatch(/^error: USAGE: --resume needs -o OUT/);
    const stdin = await cli(['encrypt', '--key-file', key, '--resume', '-o', t.path('from-stdin')], { input: plain });
    expect(stdin.code).toBe(2);
    expect(stdin.lastLine).toMatch(/^error: USAGE: --resume needs IN to be a regular file/);
    const dec = await cli(['decrypt', '--key-file', key, '--resume', t.path('whole')]);
    expect(dec.lastLine).toMatch(/^error: USAGE: decrypt does not take --resume/);
    expect((await cli(['encrypt', '--help'])).stdout.toString()).toMatch(/--resume +continue \.OUT\.stream-v2-partial/);
  });
});

describe('stream-v2 encrypt --resume after a killed run', () => {
  const t = tempDir();
  const key = t.path('key');
  // 64 MiB in 64 KiB segments on the main thread: long enough to be stopped midway.
  const size = 64 << 20;
  const flags = ['--workers', '0', '--frame-size', '4096', '--frames-per-segment', '16', '-q'];
  beforeAll(() => {
    writeFileSync(key, KEY_HEX);
    const plain = new Uint8Array(size);
    for (let i = 0; i < size; i += 65536) plain.set(pattern(65536, i >> 16), i);
    writeFileSync(t.path('plain'), plain);
  });
  afterAll(() => t.remove());

  /** Starts `encrypt -o OUT` and sends `signal` once the partial file holds some ciphertext. */
  async function interrupted(out: string, signal: NodeJS.Signals) {
    const run = startCli(['encrypt', '--key-file', key, ...flags, '-o', t.path(out), t.path('plain')], {
      killAfterMs: 120_000,
    });
    run.stdin.end();
    const partial = t.path(`.${out}.stream-v2-partial`);
    for (let waited = 0; !existsSync(partial) || statSync(partial).size < 1 << 20; waited += 5) {
      if (waited > 60_000) throw new Error('the partial file never grew');
      await new Promise((r) => setTimeout(r, 5));
    }
    run.child.kill(signal);
    const r = await run.result;
    expect(existsSync(t.path(out))).toBe(false); // stopped before the end
    expect(statSync(partial).size).toBeLessThan(size);
    return { r, partial, header: readFileSync(partial).subarray(0, 80) };
  }

  /** Resumes OUT and checks it against an uninterrupted encryption under its header. */
  async function resumedMatchesUninterrupted(out: string, header: Buffer) {
    const r = await cli(['encrypt', '--key-file', key, '--resume', ...flags, '-o', t.path(out), t.path('plain')]);
    expect(r.code, r.stderr).toBe(0);
    const got = readFileSync(t.path(out));
    expect(got.subarray(0, 80).equals(header)).toBe(true); // continued, not started anew
    // Under that header, exactly the bytes of an uninterrupted encryption (the reference encoder's).
    const plainBytes = new Uint8Array(readFileSync(t.path('plain')));
    expect(Buffer.from(await referenceCiphertext(KEY, paramsOf(got), plainBytes)).equals(got)).toBe(true);
    expect(t.files().filter((f) => f.startsWith(`.${out}.`))).toEqual([]); // the partial file became OUT
  }

  it('SIGKILL midway, then --resume: the same bytes as an uninterrupted run', async () => {
    const { r, header } = await interrupted('killed', 'SIGKILL');
    expect(r.signal).toBe('SIGKILL');
    expect(existsSync(t.path('.killed.stream-v2-lock'))).toBe(true); // a dead run's: taken over
    await resumedMatchesUninterrupted('killed', header);
  });

  it(`SIGINT midway: exit ${128 + constants.signals.SIGINT}, the partial file kept; --resume completes it`, async () => {
    const { r, header } = await interrupted('interrupted', 'SIGINT');
    expect(r.code).toBe(128 + constants.signals.SIGINT);
    expect(existsSync(t.path('.interrupted.stream-v2-lock'))).toBe(false); // the signal removed it
    await resumedMatchesUninterrupted('interrupted', header);
  });

  it('the same partial file with a changed IN: SOURCE_CHANGED, the partial file untouched', async () => {
    const { partial } = await interrupted('changed', 'SIGKILL');
    const before = readFileSync(partial);
    const k = Math.floor((before.length - 1 - 80) / (16 * (18 + 4096 + 16) + (18 + 33 + 16) + (18 + 16)));
    copyFileSync(t.path('plain'), t.path('plain2'));
    const plain2 = readFileSync(t.path('plain2'));
    plain2[k * 65536 + 5] = (plain2[k * 65536 + 5] as number) ^ 0x01; // the segment where it ends
    writeFileSync(t.path('plain2'), plain2);
    const r = await cli([
      'encrypt',
      '--key-file',
      key,
      '--resume',
      ...flags,
      '-o',
      t.path('changed'),
      t.path('plain2'),
    ]);
    expect(r.code).toBe(1);
    expect(r.lastLine).toMatch(/^error: SOURCE_CHANGED: /);
    expect(readFileSync(partial).equals(before)).toBe(true);
    expect(existsSync(t.path('changed'))).toBe(false);
  });
});
