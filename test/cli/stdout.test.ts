/**
 * Every stdout write of the CLI goes through one error-handled path: a closed pipe (EPIPE) or a
 * full disk (ENOSPC) ends the run with `error: IO: …` as the last line on stderr and exit 1,
 * never a Node stack trace ("Unhandled 'error' event") nor a foreign `INTERNAL` error.
 */
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, pattern, tempDir } from './cli.js';

const KEY_HEX = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';

describe('stream-v2 CLI: stdout failures are IO errors', () => {
  const t = tempDir();
  const key = t.path('key');
  beforeAll(async () => {
    writeFileSync(key, KEY_HEX);
    writeFileSync(t.path('small'), pattern(1000));
    writeFileSync(t.path('plain'), pattern(20_000));
    writeFileSync(t.path('large'), pattern(3_000_000));
    // One small stream, and one of 200 segments (a line each for verify).
    const small = await cli(['encrypt', '--key-file', key, '-o', t.path('small.sv2'), t.path('small')]);
    const many = await cli([
      'encrypt',
      '--key-file',
      key,
      '--frame-size',
      '100',
      '--frames-per-segment',
      '1',
      '-o',
      t.path('many.sv2'),
      t.path('plain'),
    ]);
    // Three 1 MiB segments (the default layout), decrypted on workers.
    const large = await cli(['encrypt', '--key-file', key, '-o', t.path('large.sv2'), t.path('large')]);
    expect(small.code, small.stderr).toBe(0);
    expect(many.code, many.stderr).toBe(0);
    expect(large.code, large.stderr).toBe(0);
  });
  afterAll(() => t.remove());

  const commands: [string, () => string[]][] = [
    ['--help', () => ['--help']],
    ['--version', () => ['--version']],
    ['encrypt --help', () => ['encrypt', '--help']],
    ['inspect', () => ['inspect', t.path('many.sv2')]],
    ['inspect --json', () => ['inspect', '--json', t.path('many.sv2')]],
    ['keyless verify', () => ['verify', t.path('many.sv2')]],
    ['verify with a key', () => ['verify', '--key-file', key, t.path('many.sv2')]],
    // Item 1: one segment, so the failure meets the transform in its flush.
    ['decrypt of one segment', () => ['decrypt', '--key-file', key, t.path('small.sv2')]],
    [
      'decrypt of one segment, --workers 0',
      () => ['decrypt', '--workers', '0', '--key-file', key, t.path('small.sv2')],
    ],
    ['decrypt of many segments', () => ['decrypt', '--key-file', key, t.path('many.sv2')]],
    // Item 1: was `INTERNAL: Invalid state: Unable to enqueue` (the transform's cancel, not the write, reported).
    [
      'decrypt of 1 MiB segments on 2 workers',
      () => ['decrypt', '--workers', '2', '--key-file', key, t.path('large.sv2')],
    ],
    ['encrypt', () => ['encrypt', '--key-file', key, t.path('small')]],
    ['encrypt of 1 MiB segments on 2 workers', () => ['encrypt', '--workers', '2', '--key-file', key, t.path('large')]],
    ['keygen', () => ['keygen']],
  ];

  const expectIoFailure = (r: { code: number | null; stderr: string; lastLine: string }, errno: string) => {
    expect(r.stderr).not.toMatch(/Unhandled|\n\s+at /);
    expect(r.lastLine).toMatch(new RegExp(`^error: IO: cannot write stdout: .*${errno}`));
    expect(r.code).toBe(1);
  };

  for (const [name, args] of commands) {
    it(`${name} > /dev/full: error: IO (ENOSPC), exit 1`, async () => {
      const fd = openSync('/dev/full', 'w');
      try {
        expectIoFailure(await cli(args(), { stdout: fd }), 'ENOSPC');
      } finally {
        closeSync(fd);
      }
    });

    it(`${name} | (closed pipe): error: IO (EPIPE), exit 1`, async () => {
      expectIoFailure(await cli(args(), { stdout: 'closed' }), 'EPIPE');
    });
  }
});
