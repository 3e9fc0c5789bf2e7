/**
 * Bounds of what the CLI reads and allocates: secret files are read up to a small cap (and
 * devices refused), `--max-segment-bytes` stops at what can be allocated, and the keyless
 * commands never derive a key (a forged scrypt header of log_n 30 costs them nothing).
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createWriteStream, openSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, cli, pattern, tempDir } from './cli.js';

const KEY_HEX = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
/** A safety net for runs that, broken, would read without end: never a timing check. */
const KILL_AFTER_MS = 30_000;

const sha256 = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** A stream header (spec §2) with a random salt and a random (unchecked here) header_mac. */
function streamHeader(kdf: number, logN: number, frameSize: number, framesPerSegment: number): Buffer {
  const h = Buffer.alloc(80);
  h.set([0x53, 0x56, 0x32, 0x00, 1, 2, kdf, logN]);
  h.writeUInt32BE(frameSize, 8);
  h.writeUInt32BE(framesPerSegment, 12);
  randomBytes(64).copy(h, 16);
  return h;
}

/** A frame header (spec §4). */
function frameHeader(segment: number, frame: number, type: number, flags: number, length: number): Buffer {
  const b = Buffer.alloc(18);
  b.writeBigUInt64BE(BigInt(segment), 0);
  b.writeUInt32BE(frame, 8);
  b[12] = type;
  b[13] = flags;
  b.writeUInt32BE(length, 14);
  return b;
}

/**
 * A one-segment stream whose structure and DIGEST value are intact (spec §4, §5), with random
 * bodies and tags: it passes every keyless check, and no key check.
 */
function forgedStream(header: Buffer, plaintextLength: number): Buffer {
  const dataHeader = frameHeader(0, 0, 0, 0, plaintextLength);
  const dataBody = randomBytes(plaintextLength + 16);
  const position = Buffer.alloc(12);
  position.writeUInt32BE(1, 8); // segment_index 0, d = 1
  const value = sha256(Buffer.from('stream_v2 digest'), header, position, sha256(dataHeader, dataBody));
  return Buffer.concat([
    header,
    dataHeader,
    dataBody,
    frameHeader(0, 1, 1, 0, 33),
    Buffer.of(1),
    value,
    randomBytes(16),
    frameHeader(0, 2, 2, 1, 0),
    randomBytes(16),
  ]);
}

const expectUsage = (r: CliResult, message: RegExp) => {
  expect(r.code, r.stderr).toBe(2);
  expect(r.lastLine).toMatch(/^error: USAGE: /);
  expect(r.lastLine).toMatch(message);
};

describe('stream-v2 CLI: secret files are read with a bound', () => {
  const t = tempDir();
  const plain = pattern(3000);
  beforeAll(async () => {
    writeFileSync(t.path('key'), KEY_HEX);
    const enc = await cli(['encrypt', '--key-file', t.path('key'), '-o', t.path('c.sv2')], { input: plain });
    expect(enc.code, enc.stderr).toBe(0);
    const pass = await cli(['encrypt', '--passphrase-env', 'P', '--log-n', '1', '-o', t.path('p.sv2')], {
      input: plain,
      env: { P: 'pw' },
    });
    expect(pass.code, pass.stderr).toBe(0);
  });
  afterAll(() => t.remove());

  const decrypt = (flag: string, file: string, stream = 'c.sv2') =>
    cli(['decrypt', flag, file, t.path(stream)], { killAfterMs: KILL_AFTER_MS });

  for (const flag of ['--key-file', '--passphrase-file']) {
    it(`${flag} /dev/zero: a device is refused at once (USAGE)`, async () => {
      expectUsage(await decrypt(flag, '/dev/zero'), /'\/dev\/zero' is a character device/);
    });
  }

  it('a key file past 4096 bytes is a usage error (a regular file or a pipe)', async () => {
    writeFileSync(t.path('big.key'), ` ${KEY_HEX}${' '.repeat(5000)}`);
    expectUsage(await decrypt('--key-file', t.path('big.key')), /the key file is larger than 4096 bytes/);
    // A pipe that never ends: read up to the cap, then refused.
    execFileSync('mkfifo', [t.path('endless')]);
    const writer = createWriteStream(t.path('endless'));
    writer.on('error', () => {}); // EPIPE once the CLI closed its end
    writer.write(Buffer.alloc(1 << 20, 0x20));
    expectUsage(await decrypt('--key-file', t.path('endless')), /the key file is larger than 4096 bytes/);
    writer.destroy();
  });

  it('a key and a passphrase from pipes (a FIFO, as <(cmd) gives) still work', async () => {
    execFileSync('mkfifo', [t.path('key.fifo'), t.path('pass.fifo')]);
    createWriteStream(t.path('key.fifo')).end(`${KEY_HEX}\n`);
    const k = await decrypt('--key-file', t.path('key.fifo'));
    expect(k.code, k.stderr).toBe(0);
    expect(new Uint8Array(k.stdout)).toEqual(plain);
    // Only the first line is read: the writer may go on (it then meets a closed pipe).
    const writer = createWriteStream(t.path('pass.fifo'));
    writer.on('error', () => {});
    writer.write(`pw\n${'x'.repeat(1 << 20)}`);
    const p = await decrypt('--passphrase-file', t.path('pass.fifo'), 'p.sv2');
    expect(p.code, p.stderr).toBe(0);
    expect(new Uint8Array(p.stdout)).toEqual(plain);
    writer.destroy();
  });

  it('a passphrase file: its first line up to 64 KiB, the rest never matters', async () => {
    writeFileSync(t.path('long.pass'), 'a'.repeat(65537));
    expectUsage(await decrypt('--passphrase-file', t.path('long.pass')), /longer than 65536 bytes/);
    writeFileSync(t.path('short.pass'), `pw\r\n${'b'.repeat(1 << 20)}`);
    const r = await decrypt('--passphrase-file', t.path('short.pass'), 'p.sv2');
    expect(r.code, r.stderr).toBe(0);
    expect(new Uint8Array(r.stdout)).toEqual(plain);
  });

  it('a secret file that is the stdin IN is read from is a usage error', async () => {
    const fd = openSync(t.path('p.sv2'), 'r');
    try {
      const r = await cli(['decrypt', '--passphrase-file', '/dev/stdin'], { stdin: fd, killAfterMs: KILL_AFTER_MS });
      expectUsage(r, /'\/dev\/stdin' is stdin, which IN is read from/);
    } finally {
      closeSync(fd);
    }
  });
});

describe('stream-v2 CLI: decoder limits', () => {
  const t = tempDir();
  afterAll(() => t.remove());

  it('--max-segment-bytes stops at 1 GiB (MAX_DECODER_SEGMENT_BYTES), with USAGE naming the flag', async () => {
    // A forged header asking for 2^40-byte segments; no key is needed to reach the limit.
    writeFileSync(t.path('huge.sv2'), streamHeader(0, 0, 2 ** 24, 65536));
    const r = await cli(['inspect', '--max-segment-bytes', '1099511627776', t.path('huge.sv2')]);
    expectUsage(r, /--max-segment-bytes must be an integer in 1\.\.1073741824, got '1099511627776'/);
    for (const command of [['inspect'], ['verify'], ['decrypt', '--key-file', 'k']]) {
      const past = await cli([...command, '--max-segment-bytes', '1073741825', t.path('huge.sv2')]);
      expectUsage(past, /--max-segment-bytes must be an integer in 1\.\.1073741824/);
    }
    const byDefault = await cli(['inspect', t.path('huge.sv2')]);
    expect(byDefault.code).toBe(1);
    expect(byDefault.lastLine).toMatch(/^error: LIMIT_EXCEEDED: /);
  });

  it('a 1 GiB segment (the largest limit) is allocated and read: TRUNCATED, not a foreign error', async () => {
    const header = streamHeader(0, 0, 2 ** 24, 64);
    writeFileSync(t.path('gib.sv2'), Buffer.concat([header, frameHeader(0, 0, 0, 0, 2 ** 24), randomBytes(100)]));
    for (const command of ['inspect', 'verify']) {
      const r = await cli([command, '--max-segment-bytes', String(2 ** 30), t.path('gib.sv2')]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.lastLine).toMatch(/^error: TRUNCATED: /);
    }
  });

  it('keyless inspect and verify never derive a key: a forged scrypt log_n 30 header costs nothing', async () => {
    // scrypt with log_n 30 would need 1 TiB: a run that derived a key could not succeed.
    const stream = forgedStream(streamHeader(1, 30, 16, 4), 5);
    writeFileSync(t.path('scrypt30.sv2'), stream);
    const o = { killAfterMs: KILL_AFTER_MS };
    const info = await cli(['inspect', '--json', '--max-log-n', '30', t.path('scrypt30.sv2')], o);
    expect(info.code, info.stderr).toBe(0);
    expect(JSON.parse(info.stdout.toString())).toMatchObject({ kdf: 'scrypt', logN: 30, complete: true });
    const check = await cli(['verify', '--max-log-n', '30', t.path('scrypt30.sv2')], o);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout.toString()).toMatch(/^OK: 1 segments, 5 plaintext bytes/m);
  });
});
