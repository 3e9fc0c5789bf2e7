/**
 * `-o OUT`: writes regular files only (never replaces a device, FIFO or socket, nor follows a
 * link to one), replaces a symbolic link itself only with `--force`, and leaves no temporary
 * file behind on the signals that end a process (exit 128 + the signal's number).
 */
import { execFileSync } from 'node:child_process';
import { lstatSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, pattern, startCli, tempDir } from './cli.js';

const KEY_HEX = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';

describe('stream-v2 CLI: what -o writes to', () => {
  const t = tempDir();
  const key = t.path('key');
  const plain = pattern(3000);
  const encrypt = (out: string, ...flags: string[]) =>
    cli(['encrypt', '--key-file', key, ...flags, '-o', out, t.path('plain')]);
  beforeAll(() => {
    writeFileSync(key, KEY_HEX);
    writeFileSync(t.path('plain'), plain);
  });
  afterAll(() => t.remove());

  const expectRefused = (r: { code: number | null; lastLine: string }, what: RegExp) => {
    expect(r.code).toBe(2);
    expect(r.lastLine).toMatch(/^error: USAGE: -o writes regular files only, and '.*' is /);
    expect(r.lastLine).toMatch(what);
  };

  it('a FIFO at OUT is refused, even with --force, and stays a FIFO', async () => {
    const fifo = t.path('fifo');
    execFileSync('mkfifo', [fifo]);
    for (const flags of [[], ['--force']]) expectRefused(await encrypt(fifo, ...flags), /is a FIFO; .*redirect stdout/);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  // A device node of our own (mknod needs root): never /dev/null, which a bug would replace.
  const device = t.path('null-device');
  let mknod = false;
  try {
    execFileSync('mknod', [device, 'c', '1', '3'], { stdio: 'ignore' });
    mknod = true;
  } catch {
    // not root, or no CAP_MKNOD
  }
  it.skipIf(!mknod)('a character device at OUT is refused with --force and stays a device', async () => {
    expectRefused(await encrypt(device, '--force'), /is a character device/);
    expect(lstatSync(device).isCharacterDevice()).toBe(true);
  });

  it('a symbolic link to a device or a FIFO is refused, even with --force, and stays a link', async () => {
    const link = t.path('link-to-null');
    symlinkSync('/dev/null', link);
    expectRefused(await encrypt(link, '--force'), /is a symbolic link to a character device/);
    expect(readlinkSync(link)).toBe('/dev/null');
    const fifoLink = t.path('link-to-fifo');
    execFileSync('mkfifo', [t.path('fifo2')]);
    symlinkSync(t.path('fifo2'), fifoLink);
    expectRefused(await encrypt(fifoLink, '--force'), /is a symbolic link to a FIFO/);
    expect(lstatSync(fifoLink).isSymbolicLink()).toBe(true);
  });

  it('a directory at OUT is a usage error', async () => {
    const r = await encrypt(t.dir, '--force');
    expect(r.code).toBe(2);
    expect(r.lastLine).toMatch(/^error: USAGE: -o needs a file name, and '.*' is a directory/);
  });

  it('a symbolic link to a file: refused without --force; with it, the link itself is replaced', async () => {
    writeFileSync(t.path('target'), 'keep me');
    const link = t.path('link-to-file');
    symlinkSync(t.path('target'), link);
    const refused = await encrypt(link);
    expect(refused.code).toBe(1);
    expect(refused.lastLine).toMatch(/^error: IO: '.*' is a symbolic link; use --force to replace the link/);
    expect(readlinkSync(link)).toBe(t.path('target'));

    const forced = await encrypt(link, '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(lstatSync(link).isFile()).toBe(true); // the link became the output file
    expect(readFileSync(link).subarray(0, 4).toString('latin1')).toBe('SV2\0');
    expect(readFileSync(t.path('target'), 'utf8')).toBe('keep me'); // its target untouched
  });

  it('a dangling symbolic link is refused up front without --force, replaced with it', async () => {
    const link = t.path('dangling');
    symlinkSync(t.path('nowhere'), link);
    const refused = await encrypt(link);
    expect(refused.code).toBe(1);
    expect(refused.lastLine).toMatch(/^error: IO: '.*' is a symbolic link; use --force/);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    const forced = await encrypt(link, '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(lstatSync(link).isFile()).toBe(true);
    expect(() => statSync(t.path('nowhere'))).toThrow(); // nothing written through the link
  });
});

describe('stream-v2 CLI: terminating signals during decrypt -o OUT', () => {
  const t = tempDir();
  const key = t.path('key');
  const plain = pattern(200_000);
  let cipher: Buffer;
  beforeAll(async () => {
    writeFileSync(key, KEY_HEX);
    // 10 kB segments: the first half of the input releases plenty of plaintext.
    const enc = await cli(['encrypt', '--key-file', key, '--frame-size', '1000', '--frames-per-segment', '10'], {
      input: plain,
    });
    expect(enc.code, enc.stderr).toBe(0);
    cipher = enc.stdout;
  });
  afterAll(() => t.remove());

  /**
   * Starts a decrypt to OUT in a directory of its own, feeds half the stream, and waits until
   * the temporary file holds plaintext.
   */
  async function halfway() {
    const dir = tempDir();
    const run = startCli(['decrypt', '--key-file', key, '-q', '-o', dir.path('out')], { killAfterMs: 60_000 });
    run.stdin.write(cipher.subarray(0, cipher.length >> 1));
    for (let waited = 0; ; waited += 20) {
      const name = dir.files().find((f) => f.startsWith('.out.') && f.endsWith('.tmp'));
      if (name !== undefined && statSync(dir.path(name)).size > 0) break;
      if (waited > 30_000) throw new Error('the temporary file never received plaintext');
      await new Promise((r) => setTimeout(r, 20));
    }
    return { ...run, dir };
  }

  for (const signal of ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM'] as const) {
    const status = 128 + constants.signals[signal];
    it(`${signal}: exit ${status}, no temporary file and no OUT`, async () => {
      const run = await halfway();
      try {
        run.child.kill(signal);
        const r = await run.result;
        expect(r.code, r.stderr).toBe(status);
        expect(run.dir.files()).toEqual([]);
      } finally {
        run.stdin.destroy();
        run.dir.remove();
      }
    });
  }

  it('SIGPIPE is ignored (a closed pipe is an EPIPE error instead): the run completes', async () => {
    const run = await halfway();
    try {
      run.child.kill('SIGPIPE');
      run.stdin.end(cipher.subarray(cipher.length >> 1));
      const r = await run.result;
      expect(r.code, r.stderr).toBe(0);
      expect(new Uint8Array(readFileSync(run.dir.path('out')))).toEqual(plain);
    } finally {
      run.dir.remove();
    }
  });
});
