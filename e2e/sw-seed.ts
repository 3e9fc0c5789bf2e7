/** Helpers of the Service Worker tests: stored files seeded from Node with the library, and browser RSS from /proc. */
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { createReadStream, createWriteStream, openAsBlob, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { encryptBlob } from 'stream-v2';
import { tree } from './speed-helpers.js';

export const MiB = 1024 * 1024;

/** Writes `size` random bytes to `path` in 1 MiB pieces; returns their SHA-256 (hex). */
export async function writeRandom(path: string, size: number): Promise<string> {
  const h = createHash('sha256');
  const f = await open(path, 'w');
  const piece = Buffer.allocUnsafe(MiB);
  try {
    for (let at = 0; at < size; at += MiB) {
      const n = Math.min(MiB, size - at);
      randomFillSync(piece, 0, n);
      h.update(piece.subarray(0, n));
      await f.write(piece, 0, n);
    }
  } finally {
    await f.close();
  }
  return h.digest('hex');
}

/**
 * Stores the ciphertext of the file at `plainPath` in the demo's storage as a finished upload
 * named `name` (what tus leaves: the file and its .json), encrypted here with the library.
 */
export async function seed(name: string, plainPath: string, key: Uint8Array): Promise<string> {
  const id = randomBytes(16).toString('hex');
  const dir = process.env.DEMO_DATA as string;
  const enc = await encryptBlob(await openAsBlob(plainPath), key);
  try {
    const body = Readable.fromWeb(enc.stream() as unknown as NodeReadableStream<Uint8Array>);
    await pipeline(body, createWriteStream(join(dir, id)));
  } finally {
    enc.close();
  }
  const size = enc.ciphertextSize;
  writeFileSync(join(dir, `${id}.json`), JSON.stringify({ id, size, offset: size, metadata: { filename: name } }));
  return id;
}

/** SHA-256 (hex) of a file, read as a stream. */
export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest('hex');
}

/** Resident memory of every Chromium process this test process started, in bytes (VmRSS), by process type. */
export function browserRssByType(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pid of tree(process.pid)) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('chrom')) continue;
      const type = /--type=([\w-]+)/.exec(cmd)?.[1] ?? 'browser';
      const kind = type === 'utility' ? `utility:${/--utility-sub-type=([\w.]+)/.exec(cmd)?.[1] ?? '?'}` : type;
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      out[kind] = (out[kind] ?? 0) + (m ? Number(m[1]) * 1024 : 0);
    } catch {}
  }
  return out;
}

/**
 * The process types a download through the Service Worker goes through: the browser process
 * (it writes the download to disk), the renderers (the page and its worker) and the network
 * service (the worker's requests for ciphertext).
 */
const DOWNLOAD_PATH = ['browser', 'renderer', 'utility:network.mojom.NetworkService'];

/**
 * Resident memory of the processes on the download's path, in bytes (VmRSS, summed). The
 * others are not counted: the GPU, audio and zygote processes, and the utilities Chromium starts
 * for its own features (its on-device model service once started mid-save, +94 MiB).
 */
export function rssOnDownloadPath(byType: Record<string, number>): number {
  return DOWNLOAD_PATH.reduce((n, type) => n + (byType[type] ?? 0), 0);
}

/** A WAV file (PCM, 16-bit stereo 48 kHz) of `seconds` of a tone. */
export function wav(seconds: number): Buffer {
  const rate = 48_000;
  const frames = rate * seconds;
  const data = Buffer.alloc(frames * 4);
  for (let i = 0; i < frames; i++) {
    const v = Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 8000);
    data.writeInt16LE(v, i * 4);
    data.writeInt16LE(v, i * 4 + 2);
  }
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8);
  h.write('fmt ', 12);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(2, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 4, 28);
  h.writeUInt16LE(4, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}
