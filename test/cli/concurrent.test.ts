/**
 * Two `encrypt -o OUT` runs of a file IN share the partial file's fixed name (issue 20, F2):
 * a run must commit only the file it wrote. It claims `.OUT.stream-v2-lock` first; while a
 * live run holds it, another is refused with `IO` and touches nothing; a lock left by a dead
 * run is taken over.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, pattern, startCli, tempDir } from './cli.js';

const KEY_HEX = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const IN_USE = /^error: IO: '.*\.stream-v2-partial' is in use by another stream-v2 encrypt/;

describe('concurrent stream-v2 encrypt -o OUT', () => {
  const t = tempDir();
  const key = t.path('key');
  const partialOf = (out: string) => t.path(`.${out}.stream-v2-partial`);
  const lockOf = (out: string) => t.path(`.${out}.stream-v2-lock`);
  const leftovers = (out: string) => t.files().filter((f) => f.startsWith(`.${out}.`));
  const decrypt = (file: string, ...secret: string[]) =>
    cli(['decrypt', ...(secret.length ? secret : ['--key-file', key]), file]);
  const waitFor = async (what: () => boolean, ms: number) => {
    for (let waited = 0; !what() && waited < ms; waited += 10) await new Promise((r) => setTimeout(r, 10));
  };
  beforeAll(() => {
    writeFileSync(key, KEY_HEX);
    writeFileSync(t.path('a'), pattern(300_000, 1));
    writeFileSync(t.path('b'), pattern(200_000, 2));
  });
  afterAll(() => t.remove());

  it('a second run while the first holds the partial file is refused (IO); the first commits its own file', async () => {
    // The first run claims OUT, then waits for its passphrase (a FIFO): the second comes meanwhile.
    const fifo = t.path('pass.fifo');
    execFileSync('mkfifo', [fifo]);
    const first = startCli(
      ['encrypt', '--passphrase-file', fifo, '--log-n', '10', '--force', '-o', t.path('out'), t.path('a')],
      { killAfterMs: 60_000 },
    );
    first.stdin.end();
    await waitFor(() => existsSync(lockOf('out')), 10_000);
    const second = await cli(['encrypt', '--key-file', key, '--force', '-o', t.path('out'), t.path('b')]);
    expect(second.code, second.stderr).toBe(1);
    expect(second.lastLine).toMatch(IN_USE);
    expect(second.lastLine).toMatch(new RegExp(`\\(process ${first.child.pid} on `));
    expect(existsSync(t.path('out'))).toBe(false);
    writeFileSync(fifo, 'a passphrase\n');
    const r = await first.result;
    expect(r.code, r.stderr).toBe(0);
    writeFileSync(t.path('pass'), 'a passphrase\n');
    const dec = await decrypt(t.path('out'), '--passphrase-file', t.path('pass'));
    expect(dec.code, dec.stderr).toBe(0);
    expect(new Uint8Array(dec.stdout)).toEqual(new Uint8Array(readFileSync(t.path('a'))));
    expect(leftovers('out')).toEqual([]);
  });

  it('runs started together: OUT is the whole ciphertext of one that exited 0, the other refused or after it', async () => {
    writeFileSync(t.path('big-a'), pattern(4 << 20, 3));
    writeFileSync(t.path('big-b'), pattern(3 << 20, 4));
    for (let trial = 0; trial < 3; trial++) {
      const out = `race-${trial}`;
      const runs = ['big-a', 'big-b'].map((input) =>
        cli(['encrypt', '--key-file', key, '--workers', '0', '--force', '-q', '-o', t.path(out), t.path(input)]),
      );
      const [ra, rb] = await Promise.all(runs);
      const ok: string[] = [];
      for (const [input, r] of [
        ['big-a', ra],
        ['big-b', rb],
      ] as const) {
        if (r?.code === 0) ok.push(input);
        else expect(r?.lastLine, `${trial} ${input}: ${r?.stderr}`).toMatch(IN_USE);
      }
      expect(ok.length, `trial ${trial}`).toBeGreaterThan(0);
      const dec = await decrypt(t.path(out));
      expect(dec.code, `trial ${trial}: ${dec.stderr}`).toBe(0);
      expect(
        ok.some((input) => dec.stdout.equals(readFileSync(t.path(input)))),
        `trial ${trial}`,
      ).toBe(true);
      expect(leftovers(out)).toEqual([]);
    }
  });

  it('a lock naming a live process refuses encrypt and encrypt --resume; nothing is touched', async () => {
    const lock = `${JSON.stringify({ pid: process.pid, host: hostname(), token: 'test' })}\n`;
    writeFileSync(lockOf('held'), lock);
    writeFileSync(partialOf('held'), 'ciphertext of the run that holds the lock');
    for (const resume of [[], ['--resume']]) {
      const r = await cli(['encrypt', '--key-file', key, ...resume, '-o', t.path('held'), t.path('a')]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.lastLine).toMatch(IN_USE);
      expect(r.lastLine).toContain(`remove '${lockOf('held')}'`);
      expect(readFileSync(lockOf('held'), 'utf8')).toBe(lock);
      expect(readFileSync(partialOf('held'), 'utf8')).toBe('ciphertext of the run that holds the lock');
      expect(existsSync(t.path('held'))).toBe(false);
    }
  });

  it('a lock left by a dead run (SIGKILL, a crash; or zeroed by a power cut) is taken over', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number; // has exited
    for (const [out, lock] of [
      ['stale', `${JSON.stringify({ pid: dead, host: hostname(), token: 'gone' })}\n`],
      ['zeroed', '\0'.repeat(60)],
    ] as const) {
      writeFileSync(lockOf(out), lock);
      const r = await cli(['encrypt', '--key-file', key, '-o', t.path(out), t.path('b')]);
      expect(r.code, r.stderr).toBe(0);
      expect(new Uint8Array((await decrypt(t.path(out))).stdout)).toEqual(new Uint8Array(readFileSync(t.path('b'))));
      expect(leftovers(out)).toEqual([]);
    }
  });
});
