/**
 * Baselines measured beside the library:
 * - ceiling: N threads only sealing (or opening) and SHA-256-hashing 64 KiB frames with
 *   node:crypto, no streams and no ordering (N = 0 means a loop on the main thread);
 * - Node's own createCipheriv('aes-256-gcm') stream pipeline (one tag, no framing);
 * - a single-thread noble ChaCha20-Poly1305 loop;
 * - the hand-off floor: the ceiling plus the bare cost of new per-segment buffers moved through
 *   worker_threads.
 */
import * as nodeCrypto from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { FRAME, MiB } from './util.mjs';

/** CPU seconds of the whole process (all threads) since `start` (a `process.cpuUsage()`). */
const cpuSeconds = (start) => {
  const c = process.cpuUsage(start);
  return (c.user + c.system) / 1e6;
};

/**
 * The ceiling's work: `frames` frames of `frameSize` bytes, each sealed (or opened) with a fresh
 * cipher object and hashed as SHA-256(frame_header (18) ‖ body), as the format demands. Written
 * self-contained: workers run it from its source text.
 */
function frameWork(crypto, suite, op, frames, frameSize) {
  const key = crypto.randomBytes(32);
  const aad = crypto.randomBytes(80 + 18); // stream header ‖ frame header
  const frameHeader = aad.subarray(80);
  const nonce = Buffer.alloc(12);
  const plain = crypto.randomBytes(frameSize);
  const opts = { authTagLength: 16 };
  let ct;
  let tag;
  if (op === 'open') {
    const c = crypto.createCipheriv(suite, key, nonce, opts);
    c.setAAD(aad);
    ct = c.update(plain);
    c.final();
    tag = c.getAuthTag();
  }
  for (let i = 0; i < frames; i++) {
    if (op === 'seal') {
      nonce.writeUInt32BE(i, 8);
      const c = crypto.createCipheriv(suite, key, nonce, opts);
      c.setAAD(aad);
      const body = c.update(plain);
      c.final();
      const t = c.getAuthTag();
      crypto.createHash('sha256').update(frameHeader).update(body).update(t).digest();
    } else {
      const d = crypto.createDecipheriv(suite, key, nonce, opts);
      d.setAAD(aad);
      d.setAuthTag(tag);
      d.update(ct);
      d.final(); // throws if the tag does not verify
      crypto.createHash('sha256').update(frameHeader).update(ct).update(tag).digest();
    }
  }
}

const WORKER_SOURCE = `
const { parentPort, workerData: w } = require('node:worker_threads');
const crypto = require('node:crypto');
const frameWork = ${frameWork.toString()};
parentPort.on('message', () => {
  frameWork(crypto, w.suite, w.op, w.frames, w.frameSize);
  parentPort.postMessage('done');
});
parentPort.postMessage('ready');
`;

/** Splits `n` into `k` near-equal parts. */
const split = (n, k) => Array.from({ length: k }, (_, i) => Math.floor(n / k) + (i < n % k ? 1 : 0));

/**
 * Ceiling throughput run: `threads` worker_threads (0 = the main thread) share `bytes` of
 * 64 KiB frames. Workers are started and ready before the clock starts.
 * @returns elapsed milliseconds; with threads, `{ ms, cpuS }` (process CPU seconds, start-up excluded)
 */
export async function ceilingRun(suite, op, threads, bytes) {
  const frames = Math.ceil(bytes / FRAME);
  if (threads === 0) {
    const t0 = performance.now();
    frameWork(nodeCrypto, suite, op, frames, FRAME);
    return performance.now() - t0;
  }
  const parts = split(frames, threads);
  const workers = await startWorkers(threads, WORKER_SOURCE, (i) => ({
    suite,
    op,
    frames: parts[i],
    frameSize: FRAME,
  }));
  try {
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      workers.map(
        (w) =>
          new Promise((resolve, reject) => {
            w.once('message', resolve);
            w.once('error', reject);
            w.postMessage('go');
          }),
      ),
    );
    return { ms: performance.now() - t0, cpuS: cpuSeconds(cpu) };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

const HANDOFF_WORKER = `
const { parentPort, workerData: w } = require('node:worker_threads');
const crypto = require('node:crypto');
const key = crypto.randomBytes(32);
const aad = crypto.randomBytes(98);
const nonce = Buffer.alloc(12);
const opts = { authTagLength: 16 };
parentPort.on('message', (buffer) => {
  const wire = new Uint8Array(buffer);
  for (let f = 0, off = 0; off < wire.length; f++, off += w.frameWire) {
    const body = off + 18;
    const end = off + w.frameWire;
    nonce.writeUInt32BE(f, 8);
    const c = crypto.createCipheriv(w.suite, key, nonce, opts);
    c.setAAD(aad);
    wire.set(c.update(wire.subarray(body, end - 16)), body);
    c.final();
    wire.set(c.getAuthTag(), end - 16);
    crypto.createHash('sha256').update(wire.subarray(off, end)).digest();
  }
  parentPort.postMessage(buffer, [buffer]);
});
parentPort.postMessage('ready');
`;

/**
 * The hand-off floor: the ceiling's sealing plus only what any design that gives every 1 MiB
 * segment a new buffer must add. The main thread allocates each segment's wire buffer
 * (uninitialized), copies the plaintext into its frame bodies and transfers it to one of
 * `threads` worker_threads (2N + 2 in flight); the worker seals and hashes the frames in place
 * and transfers the buffer back, and the main thread drops it. No streams, no Comlink, no
 * ordering, no segment tail: an upper bound for the library on this machine.
 * @returns `{ ms, cpuS }`: elapsed milliseconds and process CPU seconds, worker start-up excluded
 */
export async function handoffRun(suite, threads, bytes) {
  const frameWire = 18 + FRAME + 16;
  const segmentFrames = 16;
  const plain = new Uint8Array(nodeCrypto.randomBytes(segmentFrames * FRAME));
  const segments = Math.ceil(bytes / plain.length);
  const workers = await startWorkers(threads, HANDOFF_WORKER, { suite, frameWire });
  try {
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    await keepInFlight(workers, segments, (w) => {
      const wire = new Uint8Array(Buffer.allocUnsafeSlow(segmentFrames * frameWire).buffer);
      for (let f = 0; f < segmentFrames; f++) wire.set(plain.subarray(f * FRAME, (f + 1) * FRAME), f * frameWire + 18);
      w.postMessage(wire.buffer, [wire.buffer]);
    });
    return { ms: performance.now() - t0, cpuS: cpuSeconds(cpu) };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/**
 * Starts `n` worker_threads running `source` (eval'd), each ready once it posted its first
 * message. `workerData` is the same for all, or a function of the worker's number.
 */
export function startWorkers(n, source, workerData) {
  return Promise.all(
    Array.from(
      { length: n },
      (_, i) =>
        new Promise((resolve, reject) => {
          const data = typeof workerData === 'function' ? workerData(i) : workerData;
          const w = new Worker(source, { eval: true, workerData: data });
          w.once('error', reject);
          w.once('message', () => resolve(w));
        }),
    ),
  );
}

/**
 * Keeps 2N + 2 segments in flight on N `workers` until `segments` were answered: each answer
 * sends the next segment to the worker that gave it. `send(worker, i)` posts segment i.
 */
export function keepInFlight(workers, segments, send) {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let done = 0;
    if (segments === 0) resolve();
    const next = (w) => send(w, sent++);
    for (const w of workers) {
      w.on('error', reject);
      w.on('message', () => {
        if (++done === segments) resolve();
        else if (sent < segments) next(w);
      });
    }
    for (let i = 0; i < 2 * workers.length + 2 && sent < segments; i++) next(workers[i % workers.length]);
  });
}

/**
 * Node's createCipheriv('aes-256-gcm') as a stream pipeline over `bytes` generated bytes
 * (1 MiB views of one random buffer), into a sink that drops them.
 * @returns elapsed milliseconds
 */
export async function nodePipelineRun(bytes) {
  const buf = nodeCrypto.randomBytes(MiB);
  async function* gen() {
    for (let left = bytes; left > 0; left -= MiB) yield buf.subarray(0, Math.min(MiB, left));
  }
  const cipher = nodeCrypto.createCipheriv('aes-256-gcm', nodeCrypto.randomBytes(32), nodeCrypto.randomBytes(12));
  const sink = new Writable({
    write(_chunk, _enc, cb) {
      cb();
    },
  });
  const t0 = performance.now();
  await pipeline(Readable.from(gen()), cipher, sink);
  cipher.getAuthTag();
  return performance.now() - t0;
}

/**
 * Single-thread noble ChaCha20-Poly1305 over `bytes`, in 64 KiB frames (seal or open; `hash`
 * adds noble SHA-256 of each sealed frame, as the library's noble backend does).
 * @returns elapsed milliseconds
 */
export function nobleLoopRun(op, bytes, hash = false) {
  const frames = Math.ceil(bytes / FRAME);
  const key = nodeCrypto.randomBytes(32);
  const aad = nodeCrypto.randomBytes(98);
  const nonce = new Uint8Array(12);
  const plain = new Uint8Array(nodeCrypto.randomBytes(FRAME));
  const sealed = chacha20poly1305(key, nonce, aad).encrypt(plain);
  const t0 = performance.now();
  for (let i = 0; i < frames; i++) {
    if (op === 'seal') {
      nonce[11] = i & 255;
      nonce[10] = (i >> 8) & 255;
      const body = chacha20poly1305(key, nonce, aad).encrypt(plain);
      if (hash) sha256(body);
    } else {
      chacha20poly1305(key, new Uint8Array(12), aad).decrypt(sealed);
      if (hash) sha256(sealed);
    }
  }
  return performance.now() - t0;
}
