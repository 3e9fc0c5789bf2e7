/**
 * The `blob` section: the random-access (Blob) path over a file on disk against the stream
 * path over the same file and the ceiling with the same number of workers, in one run.
 * - encrypt: `encryptBlob(blob).stream()`, blob = `fs.openAsBlob(file)` (the main thread reads
 *   each segment: such Blobs cannot cross to worker_threads) or `openFile(file)` (the workers
 *   read by path); the stream path is `blob.stream()` through `EncryptSegmentTransform`;
 * - decrypt: `openEncrypted(blob).stream()` against `blob.stream()` through `DecryptSegmentTransform`;
 * - the Blob floor (blob-floor.mjs): the least work any Blob path does here, for comparison;
 * - random reads: `file.read(a, a + 1 MiB)` at seeded random offsets, one after another, 2 workers.
 * Every run is paired with a ceiling run (see `timedPaired` in bench.mjs).
 */
import { randomBytes } from 'node:crypto';
import { openAsBlob } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DecryptSegmentTransform, EncryptSegmentTransform, encryptBlob, openEncrypted, openFile } from 'stream-v2';
import { ceilingRun } from './baselines.mjs';
import { blobFloorRun, writeFloorWire } from './blob-floor.mjs';
import { warmPool } from './library.mjs';
import { countingSink, MiB } from './util.mjs';

/** Blob openers: Node's own, and the library's (workers read by path). */
const OPENERS = { openAsBlob: (path) => openAsBlob(path), openFile: (path) => openFile(path) };

/** Writes `bytes` bytes (a repeated 16 MiB random block) to `path`. */
async function writeFileOf(path, bytes) {
  const block = randomBytes(16 * MiB);
  const fh = await open(path, 'w');
  try {
    for (let at = 0; at < bytes; at += block.length) await fh.write(block, 0, Math.min(block.length, bytes - at));
  } finally {
    await fh.close();
  }
}

/** Drains a stream, returning ms and the byte count (checked against `expected`). */
async function drain(stream, expected) {
  const sink = countingSink();
  const t0 = performance.now();
  await stream.pipeTo(sink.stream);
  const ms = performance.now() - t0;
  if (sink.bytes !== expected) throw new Error(`got ${sink.bytes} bytes, expected ${expected}`);
  return ms;
}

/** A seeded xorshift PRNG in [0, 1): the same offsets in every run. */
function prng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/**
 * Runs the section.
 * @param o - `{ bytes, key, timedPaired, once, ranges }`: `timedPaired(bytes, base, fn)` and
 *   `once(bytes, fn)` from bench.mjs, `ranges` the number of random reads
 * @returns `{ rows, random }`: rows of { workers, dir, path, ...paired }, and the random-read runs
 */
export async function blobSection({ bytes, key, timedPaired, once, ranges }) {
  const dir = await mkdtemp(join(tmpdir(), 'stream-v2-bench-blob-'));
  const plainPath = join(dir, 'plain.bin');
  const wirePath = join(dir, 'plain.sv2');
  const floorPath = join(dir, 'floor.wire'); // what the Blob floor opens
  const rows = [];
  const random = [];
  try {
    await writeFileOf(plainPath, bytes);
    await writeFloorWire(floorPath, bytes);
    let wireSize = 0;
    for (const workers of [1, 2]) {
      const pool = await warmPool(workers, key, 'aes-256-gcm'); // every worker started
      const options = { workers: pool };
      try {
        if (!wireSize) {
          // The ciphertext file, written once (its writes are not timed).
          const enc = await encryptBlob(await openFile(plainPath), key, options);
          const fh = await open(wirePath, 'w');
          for await (const chunk of enc.stream()) await fh.write(chunk);
          await fh.close();
          wireSize = enc.ciphertextSize;
          enc.close();
        }
        const encrypts = {
          stream: async () =>
            drain(
              (await openAsBlob(plainPath)).stream().pipeThrough(new EncryptSegmentTransform(key, options)),
              wireSize,
            ),
          ...Object.fromEntries(
            Object.entries(OPENERS).map(([name, opener]) => [
              name,
              async () => {
                const enc = await encryptBlob(await opener(plainPath), key, options);
                const ms = await drain(enc.stream(), wireSize);
                enc.close();
                return ms;
              },
            ]),
          ),
        };
        const decrypts = {
          stream: async () =>
            drain((await openAsBlob(wirePath)).stream().pipeThrough(new DecryptSegmentTransform(key, options)), bytes),
          ...Object.fromEntries(
            Object.entries(OPENERS).map(([name, opener]) => [
              name,
              async () => {
                const file = await openEncrypted(await opener(wirePath), key, options);
                const ms = await drain(file.stream(), bytes);
                file.close();
                return ms;
              },
            ]),
          ),
        };
        for (const [direction, op, paths] of [
          ['encrypt', 'seal', encrypts],
          ['decrypt', 'open', decrypts],
        ]) {
          const ceiling = () => ceilingRun('aes-256-gcm', op, workers, bytes);
          const floor = { floor: () => blobFloorRun(op === 'seal' ? plainPath : floorPath, op, workers, bytes) };
          for (const [path, fn] of Object.entries({ ...paths, ...floor })) {
            rows.push({ workers, dir: direction, path, ...(await timedPaired(bytes, ceiling, fn)) });
          }
        }
        if (workers === 2) {
          for (const [path, opener] of Object.entries(OPENERS)) {
            random.push({ workers, path, ...(await randomReads(key, options, await opener(wirePath), ranges, once)) });
          }
        }
      } finally {
        await pool.terminate();
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { rows, random };
}

/**
 * `count` reads of 1 MiB (at most half the plaintext) at seeded random offsets, one after
 * another, on one opened file. @returns ranges/s and the range size
 */
async function randomReads(key, options, blob, count, once) {
  const file = await openEncrypted(blob, key, options);
  try {
    const size = Math.min(MiB, Math.floor(file.plaintextSize / 2));
    const r = prng(11);
    const starts = Array.from({ length: count }, () => Math.floor(r() * (file.plaintextSize - size + 1)));
    await file.read(starts[0], starts[0] + size); // warm: the workers have started
    const run = await once(count * size, async () => {
      const t0 = performance.now();
      for (const a of starts) {
        const got = await file.read(a, a + size);
        if (got.length !== size) throw new Error(`a range gave ${got.length} bytes, expected ${size}`);
      }
      return performance.now() - t0;
    });
    return { rangeBytes: size, count, rangesPerS: (run.mbps * 1e6) / size, mbps: run.mbps };
  } finally {
    file.close();
  }
}
