/** Bounded memory: a stalled reader stalls the writer; huge and tiny chunks; output order. */

import { afterAll, describe, expect, it, vi } from 'vitest';
import { DecryptSegmentTransform, EncryptSegmentTransform, WorkerPool } from '#lib';
import { randomBytes, run, sameBytes } from '../helpers.js';
import { isReference } from '../reference.js';

const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An endless pull-based source that counts what was taken from it. */
function countingSource(chunk: Uint8Array) {
  const counter = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(c) {
        counter.pulled += chunk.length;
        c.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, counter };
}

/**
 * The reader stalls: nothing more is pulled from the source, and what was pulled is at most
 * `maxMiB`. Reading again makes progress again.
 */
async function expectStallBounded(
  counter: { pulled: number },
  reader: ReadableStreamDefaultReader<Uint8Array>,
  maxMiB: number,
): Promise<void> {
  await sleep(500);
  const stalled = counter.pulled;
  await sleep(500);
  expect(counter.pulled).toBe(stalled);
  expect(stalled).toBeLessThanOrEqual(maxMiB * MiB);
  for (let i = 0; i < 8; i++) await reader.read();
  // The writer looks at the reader's queue every few ms (a reader's take is not signalled).
  await vi.waitFor(() => expect(counter.pulled).toBeGreaterThan(stalled), { timeout: 5000, interval: 10 });
  await reader.cancel();
}

describe('backpressure', () => {
  const pool = new WorkerPool({ size: 2 });
  afterAll(() => pool.terminate());

  for (const workers of [0, 2] as const) {
    it(`encrypt: a stalled reader bounds what is pulled from the source (workers=${workers})`, async () => {
      const { stream, counter } = countingSource(new Uint8Array(64 * 1024));
      const readable = stream.pipeThrough(
        new EncryptSegmentTransform(new Uint8Array(32), { workers: workers && pool }),
      );
      const reader = readable.getReader();
      await reader.read(); // header
      await reader.read(); // first segment
      // A few segments: writable HWM (1 MiB) + readable HWM (1 MiB) + in flight
      // (2 × pool size + 2) + one filling.
      await expectStallBounded(counter, reader, 10);
    });

    it(`decrypt: a stalled reader bounds what is pulled from the source (workers=${workers})`, async () => {
      const key = new Uint8Array(32);
      const { stream, counter } = countingSource(new Uint8Array(256 * 1024));
      // Ciphertext made on the fly, counted at the plaintext source: bounded on both sides.
      const readable = stream
        .pipeThrough(new EncryptSegmentTransform(key, { workers: 0 }))
        .pipeThrough(new DecryptSegmentTransform(key, { workers: workers && pool }));
      const reader = readable.getReader();
      await reader.read();
      await expectStallBounded(counter, reader, 20);
    });
  }
});

describe('chunking and order', () => {
  it('one 100 MiB chunk in: header + 100 one-segment chunks out, in order, and back', async () => {
    const key = new Uint8Array(32).fill(7);
    const pt = new Uint8Array(100 * MiB);
    for (let i = 0; i < pt.length; i += 4096) pt[i] = (i / 4096) & 0xff; // every segment differs
    const enc = await run(new EncryptSegmentTransform(key, { workers: 2 }), [pt]);
    expect(enc.error).toBeUndefined();
    expect(enc.chunks.length).toBe(1 + 100);
    expect(enc.chunks[0]?.length).toBe(80);
    const dec = await run(new DecryptSegmentTransform(key, { workers: 2 }), [enc.output]);
    expect(dec.error).toBeUndefined();
    expect(dec.chunks.length).toBe(100);
    expect(dec.chunks.every((c) => c.length === MiB)).toBe(true);
    expect(sameBytes(dec.output, pt)).toBe(true);
  });

  it('empty chunks and 1-byte chunks give the same bytes as one chunk', async () => {
    const key = new Uint8Array(32).fill(9);
    const pt = randomBytes(5000);
    const opts = { frameSize: 100, framesPerSegment: 3, workers: 2 } as const;
    const whole = await run(new EncryptSegmentTransform(key, opts), [pt]);
    const pieces: Uint8Array[] = [new Uint8Array(0)];
    for (let i = 0; i < pt.length; i++) pieces.push(pt.subarray(i, i + 1), new Uint8Array(0));
    const bytewise = await run(new EncryptSegmentTransform(key, opts), pieces);
    expect(bytewise.error).toBeUndefined();
    // Each under its own fresh salt: both exactly the reference encoder's bytes for it.
    expect(await isReference(key, pt, whole.output)).toBe(true);
    expect(await isReference(key, pt, bytewise.output)).toBe(true);
  });

  it('a segment of 2 MiB, sealed and opened whole by a worker, gives the inline bytes', async () => {
    const key = new Uint8Array(32).fill(3);
    const pt = randomBytes(3 * MiB + 12345);
    const layout = { frameSize: 16 * 1024, framesPerSegment: 128 } as const; // 2 MiB segments
    const pooled = await run(new EncryptSegmentTransform(key, { ...layout, workers: 2 }), [pt]);
    expect(pooled.error).toBeUndefined();
    // The bytes inline gives: the reference encoder's, under the salt it chose.
    expect(await isReference(key, pt, pooled.output)).toBe(true);
    const dec = await run(new DecryptSegmentTransform(key, { workers: 2 }), [pooled.output]);
    expect(dec.error).toBeUndefined();
    expect(sameBytes(dec.output, pt)).toBe(true);
  });

  it('progress and onProgress follow every segment', async () => {
    const seen: number[] = [];
    const t = new EncryptSegmentTransform(new Uint8Array(32), {
      workers: 2,
      onProgress: (x) => seen.push(x.segments),
    });
    const r = await run(t, [new Uint8Array(3 * MiB + 1)]);
    expect(r.error).toBeUndefined();
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(t.progress).toMatchObject({
      segments: 4,
      plaintextBytes: 3 * MiB + 1,
      ciphertextBytes: r.output.length,
    });
  });
});
