/**
 * The Blob floor: the least any design of the Blob path does on this machine, to set the
 * library's Blob path against. N worker_threads read 1 MiB segments of a file themselves and
 * seal (or open) and hash their 64 KiB frames with node:crypto, as the ceiling does, plus only
 * what reading a file and handing new buffers to a reader must add:
 * - seal: each segment's plaintext is read (`readv`) straight into the frame bodies of a new
 *   wire buffer, sealed in place, and the buffer transferred back;
 * - open: each segment of a file the floor sealed (`writeFloorWire`) is read into a buffer the
 *   worker reuses, each frame hashed and opened into the buffer `update()` makes, its tag
 *   checked, and those buffers transferred back.
 * The main thread keeps 2N + 2 segments in flight and drops what comes back. No streams, no
 * Comlink, no ordering, no segment tail, no checks of the file.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { keepInFlight, startWorkers } from './baselines.mjs';
import { FRAME } from './util.mjs';

const FRAMES = 16; // a 1 MiB segment of 64 KiB frames, the library's default
const FRAME_WIRE = 18 + FRAME + 16;

const WORKER = `
const { parentPort, workerData: w } = require('node:worker_threads');
const crypto = require('node:crypto');
const fs = require('node:fs/promises');
const key = Buffer.from(w.key);
const aad = Buffer.from(w.aad);
const nonce = Buffer.alloc(12);
const opts = { authTagLength: 16 };
const spare = [];
const hash = (wire, off) => crypto.createHash('sha256').update(wire.subarray(off, off + w.frameWire)).digest();
async function seal(fh, index) {
  const wire = Buffer.allocUnsafeSlow(w.frames * w.frameWire);
  const bodies = [];
  for (let f = 0; f < w.frames; f++) bodies.push(wire.subarray(f * w.frameWire + 18, f * w.frameWire + 18 + w.frame));
  await fh.readv(bodies, index * w.frames * w.frame);
  for (let f = 0; f < w.frames; f++) {
    const off = f * w.frameWire;
    nonce.writeUInt32BE(f, 8);
    const c = crypto.createCipheriv(w.suite, key, nonce, opts);
    c.setAAD(aad);
    const body = bodies[f];
    body.set(c.update(body));
    c.final();
    wire.set(c.getAuthTag(), off + 18 + w.frame);
    hash(wire, off);
  }
  return [wire.buffer];
}
async function open(fh, index) {
  const wire = spare.pop() ?? Buffer.allocUnsafeSlow(w.frames * w.frameWire);
  await fh.read(wire, 0, wire.length, index * wire.length);
  const out = [];
  for (let f = 0; f < w.frames; f++) {
    const off = f * w.frameWire;
    hash(wire, off);
    nonce.writeUInt32BE(f, 8);
    const d = crypto.createDecipheriv(w.suite, key, nonce, opts);
    d.setAAD(aad);
    d.setAuthTag(wire.subarray(off + 18 + w.frame, off + w.frameWire));
    out.push(d.update(wire.subarray(off + 18, off + 18 + w.frame)).buffer);
    d.final(); // throws if the tag does not verify
  }
  spare.push(wire);
  return out;
}
fs.open(w.path, 'r').then((fh) => {
  parentPort.on('message', async (index) => {
    const buffers = await (w.op === 'seal' ? seal : open)(fh, index);
    parentPort.postMessage(buffers, buffers);
  });
  parentPort.postMessage('ready');
});
`;

/** The floor's key and frame AAD: the open run reads a file sealed with them. */
const KEY = randomBytes(32);
const AAD = randomBytes(98);

/** Frame `f` of a segment: the floor's nonces depend on the frame index only (a bench, not a format). */
const nonceOf = (f) => {
  const nonce = Buffer.alloc(12);
  nonce.writeUInt32BE(f, 8);
  return nonce;
};

/** Writes `bytes` of plaintext, sealed as the floor's open run expects, to `path` (untimed). */
export async function writeFloorWire(path, bytes) {
  const wire = Buffer.alloc(FRAMES * FRAME_WIRE);
  for (let f = 0; f < FRAMES; f++) {
    const c = createCipheriv('aes-256-gcm', KEY, nonceOf(f), { authTagLength: 16 });
    c.setAAD(AAD);
    wire.set(c.update(randomBytes(FRAME)), f * FRAME_WIRE + 18);
    c.final();
    wire.set(c.getAuthTag(), f * FRAME_WIRE + 18 + FRAME);
  }
  const fh = await open(path, 'w');
  try {
    for (let at = 0; at < bytes; at += FRAMES * FRAME) await fh.write(wire);
  } finally {
    await fh.close();
  }
}

/**
 * Blob floor run over `bytes` of plaintext: of the plaintext file at `path` (seal), or of the
 * file `writeFloorWire` wrote there (open).
 * @param op - 'seal' or 'open'
 * @returns `{ ms }`: elapsed milliseconds, worker start-up excluded
 */
export async function blobFloorRun(path, op, threads, bytes) {
  const segments = Math.floor(bytes / (FRAMES * FRAME)); // whole segments of plaintext
  const workerData = { path, op, suite: 'aes-256-gcm', frames: FRAMES, frame: FRAME, frameWire: FRAME_WIRE };
  Object.assign(workerData, { key: KEY, aad: AAD });
  const workers = await startWorkers(threads, WORKER, workerData);
  try {
    const t0 = performance.now();
    await keepInFlight(workers, segments, (w, i) => w.postMessage(i));
    // Scaled to `bytes`: the same MB/s as the other rows (segments × 1 MiB of plaintext).
    return { ms: ((performance.now() - t0) * bytes) / (segments * FRAMES * FRAME) };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
