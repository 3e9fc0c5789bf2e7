/**
 * openEncrypted over httpRangeSource against a loopback node:http server with Range support,
 * over Node's fs.openAsBlob, and the clear failures of servers that ignore Range or send
 * short bodies.
 */
import { openAsBlob } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptBlob, httpRangeSource, openEncrypted, type ResumeState, WorkerPool } from '#lib';
import { type PositiveVector, positive, randomBytes, toHex, vectorPlaintext, vectorSecret } from '../helpers.js';
import { codeOf, rangesOf, sameBytesOrIndex, vectorCiphertext } from '../random-helpers.js';

type Mode = 'range' | 'ignore-range' | 'short';
const files = new Map<string, Uint8Array>();
let server: Server;
let base: string;
let mode: Mode = 'range';

/** Serves `files` with single byte ranges (RFC 9110 §14), or misbehaves as `mode` says. */
function serve(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void {
  const body = files.get(req.url ?? '');
  if (!body) {
    res.writeHead(404).end();
    return;
  }
  const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
  if (!m || mode === 'ignore-range') {
    res.writeHead(200, { 'content-length': body.length }).end(body);
    return;
  }
  const a = Number(m[1]);
  const b = Math.min(Number(m[2]), body.length - 1);
  const part = body.subarray(a, mode === 'short' && b > a ? b : b + 1);
  res.writeHead(206, { 'content-range': `bytes ${a}-${b}/${body.length}`, 'content-length': part.length });
  res.end(part);
}

beforeAll(async () => {
  server = createServer(serve);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const pool = new WorkerPool({ size: 2 });
afterAll(() => pool.terminate());

const vectors = positive.vectors as PositiveVector[];

describe.each([0, 2] as const)('openEncrypted(httpRangeSource), workers %i', (w) => {
  it.each(vectors.map((v) => [v.name, v] as const))('%s: ranges read the plaintext slices', async (_, v) => {
    mode = 'range';
    files.set(`/${v.name}`, await vectorCiphertext(v));
    const plain = vectorPlaintext(v);
    const source = await httpRangeSource(`${base}/${v.name}`);
    const file = await openEncrypted(source, vectorSecret(v), { workers: w === 0 ? 0 : pool });
    try {
      for (const [a, b] of rangesOf(plain.length, plain.length > 10_000 ? 40 : 60, 12)) {
        expect(sameBytesOrIndex(await file.read(a, b), plain.subarray(a, b)), `[${a}, ${b})`).toBe(-1);
      }
    } finally {
      file.close();
    }
  });
});

describe('httpRangeSource failures', () => {
  const v = vectors.find((x) => x.name === 's1-f16x3-p239') as PositiveVector;
  it('a server that ignores Range is SOURCE_FAILED', async () => {
    files.set('/x', await vectorCiphertext(v));
    mode = 'ignore-range';
    expect(await codeOf(httpRangeSource(`${base}/x`))).toBe('SOURCE_FAILED');
    mode = 'range';
  });
  it('a body shorter than asked is SOURCE_FAILED, a missing object too', async () => {
    files.set('/x', await vectorCiphertext(v));
    mode = 'range';
    const source = await httpRangeSource(`${base}/x`);
    mode = 'short';
    expect(await codeOf(source.read(0, 80))).toBe('SOURCE_FAILED');
    expect(await codeOf(openEncrypted(source, vectorSecret(v), { workers: 0 }))).toBe('SOURCE_FAILED');
    mode = 'range';
    expect(await codeOf(httpRangeSource(`${base}/missing`))).toBe('SOURCE_FAILED');
  });
});

describe('openEncrypted(fs.openAsBlob)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sv2-blob-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads ranges of a file Blob, and a file changed after it was opened is SOURCE_CHANGED', async () => {
    const v = vectors.find((x) => x.name === 's2-default-p2109497') as PositiveVector;
    const path = join(dir, 'a.sv2');
    const wire = await vectorCiphertext(v);
    await writeFile(path, wire);
    const plain = vectorPlaintext(v);
    const file = await openEncrypted(await openAsBlob(path), vectorSecret(v), { workers: pool });
    for (const [a, b] of rangesOf(plain.length, 20)) {
      expect(sameBytesOrIndex(await file.read(a, b), plain.subarray(a, b))).toBe(-1);
    }
    const changed = wire.slice();
    changed[2_000_000] = (changed[2_000_000] as number) ^ 1;
    await new Promise((r) => setTimeout(r, 20)); // a later mtime
    await writeFile(path, changed);
    expect(await codeOf(file.read(0, plain.length))).toBe('SOURCE_CHANGED');
    file.close();
  });

  it('encryptBlob of a file Blob (not cloneable to workers: read on this thread) gives the bytes of an in-memory Blob', async () => {
    const plain = randomBytes(3 * 1024 * 1024 + 777);
    const path = join(dir, 'p.bin');
    await writeFile(path, plain);
    const key = new Uint8Array(32).fill(4);
    const first = await encryptBlob(new Blob([plain as Uint8Array<ArrayBuffer>]), key, { workers: pool }); // read inside the workers
    const wire = await first.read(0, first.ciphertextSize);
    // Every segment recorded (all were released): the resume re-seals them all from the file.
    const state: ResumeState = first.resumeState();
    first.close();
    const fromFile = await encryptBlob(await openAsBlob(path), key, { workers: pool, resume: state });
    expect(toHex(await fromFile.read(0, fromFile.ciphertextSize))).toBe(toHex(wire));
    fromFile.close();
    const file = await openEncrypted(new Blob([wire as Uint8Array<ArrayBuffer>]), key, { workers: pool });
    expect(sameBytesOrIndex(await file.read(0, plain.length), plain)).toBe(-1);
    file.close();
  });
});
