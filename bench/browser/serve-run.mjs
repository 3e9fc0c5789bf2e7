/**
 * The Service Worker part of the browser bench (run.mjs): makes the stored files with the
 * library's Node build (a random plaintext and a WAV, encrypted), serves them with Range and
 * counts what it sent, times the page's rows (serve.ts), saves the big file through the worker
 * as a real download while sampling the browser's RSS from /proc, and checks its SHA-256.
 *   BENCH_SERVE=0 skips it; BENCH_SERVE_MIB (1024) read per run; BENCH_SAVE_MIB (2048) saved.
 */
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, openAsBlob, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { rssOf } from './cpu.mjs';

const MiB = 2 ** 20;
const here = (p) => fileURLToPath(new URL(p, import.meta.url));

/** The served files: name → path; and the bytes sent of each. */
export const served = { files: new Map(), sent: new Map() };

/** Answers /bytes and GET of the served files with one Range; false for other paths. */
export function serveFile(req, res) {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/bytes') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ sent: served.sent.get(url.searchParams.get('name')) ?? 0 }));
    return true;
  }
  const name = url.pathname.slice(1).replace(/\.bin$/, '');
  const path = served.files.get(name);
  if (!path) return false;
  const size = statSync(path).size;
  const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  const start = m ? Number(m[1]) : 0;
  const end = m ? Math.min(size, m[2] === '' ? size : Number(m[2]) + 1) : size;
  const headers = { 'accept-ranges': 'bytes', 'content-length': end - start, etag: '"bench"' };
  if (m) headers['content-range'] = `bytes ${start}-${end - 1}/${size}`;
  res.writeHead(m ? 206 : 200, headers);
  served.sent.set(name, (served.sent.get(name) ?? 0) + (end - start));
  if (end === start) {
    res.end();
    return true;
  }
  pipeline(createReadStream(path, { start, end: end - 1 }), res).catch(() => undefined);
  return true;
}

async function writeRandom(path, size) {
  const h = createHash('sha256');
  const f = await open(path, 'w');
  const piece = Buffer.allocUnsafe(MiB);
  for (let at = 0; at < size; at += MiB) {
    const n = Math.min(MiB, size - at);
    randomFillSync(piece, 0, n);
    h.update(piece.subarray(0, n));
    await f.write(piece, 0, n);
  }
  await f.close();
  return h.digest('hex');
}

function wav(seconds) {
  const rate = 48_000;
  const data = Buffer.alloc(rate * seconds * 4);
  for (let i = 0; i < rate * seconds; i++) {
    const v = Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 8000);
    data.writeInt16LE(v, i * 4);
    data.writeInt16LE(v, i * 4 + 2);
  }
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(2, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 4, 28);
  h.writeUInt16LE(4, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

async function encryptFile(lib, plainPath, cipherPath, key) {
  const enc = await lib.encryptBlob(await openAsBlob(plainPath), key);
  await pipeline(Readable.fromWeb(enc.stream()), createWriteStream(cipherPath));
  enc.close();
}

async function sha256File(path) {
  const h = createHash('sha256');
  for await (const c of createReadStream(path)) h.update(c);
  return h.digest('hex');
}

/** Runs the Service Worker rows, the seek and the save; returns their figures. */
export async function runServeBench(page, dir, env) {
  const built = here('../../dist/node.js');
  if (!existsSync(built)) throw new Error('bench:browser needs the Node build for its stored files: run npm run build');
  const lib = await import(built);
  const serveBytes = Math.round(Number(env.BENCH_SERVE_MIB ?? 1024) * MiB);
  const saveBytes = Math.max(serveBytes, Math.round(Number(env.BENCH_SAVE_MIB ?? 2048) * MiB));
  const runs = Math.max(1, Number(env.BENCH_RUNS ?? 3));
  const key = new Uint8Array(randomBytes(32));
  const keyHex = Buffer.from(key).toString('hex');
  const plain = join(dir, 'plain.bin');
  const sha = await writeRandom(plain, saveBytes);
  await encryptFile(lib, plain, join(dir, 'cipher.bin'), key);
  const { rmSync, writeFileSync } = await import('node:fs');
  rmSync(plain);
  writeFileSync(join(dir, 'media.wav'), wav(200));
  await encryptFile(lib, join(dir, 'media.wav'), join(dir, 'media.bin'), key);
  served.files.set('cipher', join(dir, 'cipher.bin'));
  served.files.set('media', join(dir, 'media.bin'));
  const config = { bytes: serveBytes, runs, keyHex, cipherUrl: '/cipher.bin', mediaUrl: '/media.bin' };
  const result = await page.evaluate((c) => globalThis.runServe(c), config);
  // The save: the worker is running and warm; RSS of every browser process before and during.
  const saveOnce = async (start) => {
    const before = rssOf(process.pid);
    let peak = before;
    const timer = setInterval(() => {
      peak = Math.max(peak, rssOf(process.pid));
    }, 200);
    const t0 = Date.now();
    const downloading = page.waitForEvent('download', { timeout: 1_800_000 });
    const done = start();
    const download = await downloading;
    const path = await download.path();
    const bytes = await done;
    const seconds = (Date.now() - t0) / 1000;
    clearInterval(timer);
    const sha256 = await sha256File(path);
    await download.delete();
    return { bytes, seconds, mbps: saveBytes / 1e6 / seconds, rssBefore: before, rssPeak: peak, sha256 };
  };
  const floor = await saveOnce(async () => {
    await page.evaluate((n) => globalThis.downloadFloor(n), saveBytes);
    return saveBytes;
  });
  const real = await saveOnce(() =>
    page.evaluate((c) => globalThis.saveThroughWorker(c), { cipherUrl: '/cipher.bin', keyHex }),
  );
  rmSync(join(dir, 'cipher.bin'));
  rmSync(join(dir, 'media.bin'));
  const { sha256, ...rest } = real;
  const save = { ...rest, sha256Equal: sha256 === sha, floor: { ...floor, sha256: undefined } };
  return { config: { serveBytes, saveBytes, runs }, ...result, save };
}
