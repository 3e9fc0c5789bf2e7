/**
 * What kind of file IN is (issue 20, F6): only a regular file whose size `stat` tells takes the
 * Blob path (`openFile`); a /proc file (size 0, with content), a FIFO and a device are read as a
 * stream, to their end; a directory is a usage error. `openFile` itself refuses what is not a
 * regular file of a stable size with `SOURCE_FAILED`, where it used to make an empty Blob.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecryptSegmentTransform, openFile, StreamV2Error } from '#lib';
import { cli, pattern, startCli, tempDir } from './cli.js';

const KEY_HEX = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const LAYOUT = ['--frame-size', '1000', '--frames-per-segment', '3'];
const W = 3 * (18 + 1000 + 16) + (18 + 33 + 16) + (18 + 16);
/** A /proc file whose content does not change between two reads, and whose stat says 0 bytes. */
const PROC = '/proc/version';
const hasProc = existsSync(PROC) && statSync(PROC).size === 0 && readFileSync(PROC).length > 0;
/** A /sys file: stat says 4096 bytes, the content is shorter. */
const SYS = '/sys/kernel/mm/transparent_hugepage/enabled';
const hasSys = existsSync(SYS) && readFileSync(SYS).length < statSync(SYS).size;

describe('stream-v2 encrypt of IN of each kind', () => {
  const t = tempDir();
  const key = t.path('key');
  const decrypt = (file: string) => cli(['decrypt', '--key-file', key, file]);
  beforeAll(() => writeFileSync(key, KEY_HEX));
  afterAll(() => t.remove());

  it('a regular file: the Blob path, and back', async () => {
    const plain = pattern(10_000);
    writeFileSync(t.path('plain'), plain);
    const r = await cli(['encrypt', '--key-file', key, ...LAYOUT, '-o', t.path('plain.sv2'), t.path('plain')]);
    expect(r.code, r.stderr).toBe(0);
    expect(new Uint8Array((await decrypt(t.path('plain.sv2'))).stdout)).toEqual(plain);
  });

  it.skipIf(!hasProc)(`${PROC} (stat: 0 bytes) is read to its end, not encrypted as empty`, async () => {
    const r = await cli(['encrypt', '--key-file', key, '-o', t.path('proc.sv2'), PROC]);
    expect(r.code, r.stderr).toBe(0);
    const dec = await decrypt(t.path('proc.sv2'));
    expect(dec.code, dec.stderr).toBe(0);
    expect(dec.stdout.toString()).toBe(readFileSync(PROC).toString());
    expect(dec.stdout.length).toBeGreaterThan(0);
  });

  it.skipIf(!hasSys)(`${SYS} (stat: 4096 bytes, fewer inside) is read to its end`, async () => {
    const r = await cli(['encrypt', '--key-file', key, '-o', t.path('sys.sv2'), SYS]);
    expect(r.code, r.stderr).toBe(0);
    const dec = await decrypt(t.path('sys.sv2'));
    expect(dec.code, dec.stderr).toBe(0);
    expect(dec.stdout.toString()).toBe(readFileSync(SYS).toString());
  });

  it('a FIFO is read as a stream, to its end', async () => {
    const fifo = t.path('in.fifo');
    execFileSync('mkfifo', [fifo]);
    const plain = pattern(20_000, 3);
    const run = startCli(['encrypt', '--key-file', key, ...LAYOUT, '-o', t.path('fifo.sv2'), fifo], {
      killAfterMs: 60_000,
    });
    run.stdin.end();
    writeFileSync(fifo, plain); // opens the FIFO's write end once the CLI opened its read end
    const r = await run.result;
    expect(r.code, r.stderr).toBe(0);
    expect(new Uint8Array((await decrypt(t.path('fifo.sv2'))).stdout)).toEqual(plain);
  });

  it('a directory is a usage error (exit 2), for every command that reads IN', async () => {
    for (const args of [
      ['encrypt', '--key-file', key, '-o', t.path('dir.sv2')],
      ['encrypt', '--key-file', key],
      ['decrypt', '--key-file', key],
      ['verify'],
      ['inspect'],
    ]) {
      const r = await cli([...args, t.dir]);
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(2);
      expect(r.lastLine).toMatch(/^error: USAGE: IN must be a file or a pipe, and '.*' is a directory$/);
    }
    expect(existsSync(t.path('dir.sv2'))).toBe(false);
  });

  it('/dev/zero is read as an endless stream (bounded read: its first segments decrypt to zeros)', async () => {
    const run = startCli(['encrypt', '--key-file', key, ...LAYOUT, '--workers', '0', '/dev/zero'], {
      killAfterMs: 60_000,
    });
    run.stdin.end();
    const want = 80 + 2 * W;
    const chunks: Buffer[] = [];
    let got = 0;
    await new Promise<void>((resolve) => {
      run.child.stdout?.on('data', (b: Buffer) => {
        chunks.push(b);
        got += b.length;
        if (got >= want) resolve();
      });
      run.child.on('close', () => resolve());
    });
    run.child.kill('SIGTERM');
    await run.result;
    expect(got).toBeGreaterThanOrEqual(want);
    const prefix = Buffer.concat(chunks).subarray(0, want);
    const plain: Uint8Array[] = [];
    const failure = await new Blob([prefix])
      .stream()
      .pipeThrough(new DecryptSegmentTransform(Buffer.from(KEY_HEX, 'hex'), { workers: 0 }))
      .pipeTo(new WritableStream({ write: (c) => void plain.push(c) }))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(StreamV2Error.is(failure) && failure.code).toBe('TRUNCATED'); // a prefix: no FINAL segment
    expect(Buffer.concat(plain)).toEqual(Buffer.alloc(6000));
  });
});

describe('openFile refuses what is not a regular file whose size stat tells', () => {
  const t = tempDir();
  afterAll(() => t.remove());

  const refused = async (path: string, why: RegExp) => {
    const e = await openFile(path).then(
      (b) => new Error(`a Blob of ${b.size} bytes`),
      (x: unknown) => x,
    );
    expect(StreamV2Error.is(e), `${path}: ${String(e)}`).toBe(true);
    expect((e as StreamV2Error).code).toBe('SOURCE_FAILED');
    expect((e as StreamV2Error).message).toMatch(why);
  };

  it('a regular file, and an empty one: a Blob of their size', async () => {
    writeFileSync(t.path('plain'), pattern(5000));
    writeFileSync(t.path('empty'), '');
    expect((await openFile(t.path('plain'))).size).toBe(5000);
    expect((await openFile(t.path('empty'))).size).toBe(0);
  });

  it.skipIf(!hasProc)(`${PROC}: SOURCE_FAILED, not an empty Blob`, () =>
    refused(PROC, /size stat tells.*\/proc or \/sys file/),
  );

  it.skipIf(!hasSys)(`${SYS}: SOURCE_FAILED, not a Blob of 4096 bytes`, () =>
    refused(SYS, /size stat tells.*\/proc or \/sys file/),
  );

  it('a FIFO: SOURCE_FAILED at once (it is never opened, so nothing blocks)', async () => {
    execFileSync('mkfifo', [t.path('fifo')]);
    await refused(t.path('fifo'), /needs a regular file, and this is a FIFO/);
  });

  it('a directory: SOURCE_FAILED', () => refused(t.dir, /needs a regular file, and this is a directory/));

  it('/dev/zero: SOURCE_FAILED', () => refused('/dev/zero', /needs a regular file, and this is a character device/));

  it('no such file: SOURCE_FAILED, as before', () => refused(t.path('missing'), /cannot open the file/));
});
