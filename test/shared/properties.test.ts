/**
 * Property tests (fast-check, fixed seeds so that every run checks the same cases): round trips
 * over random layouts and chunkings, and rejection of every single-bit flip, truncation and
 * appended tail, with nothing released that the spec forbids (spec §6).
 */

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ciphertextSize,
  DecryptSegmentTransform,
  EncryptSegmentTransform,
  SPEC_ERROR_CODES,
  StreamV2Error,
  type SuiteName,
  WorkerPool,
} from '#lib';
import { cases, chunked, fullSegmentWire, run, seededBytes, toHex } from '../helpers.js';

const HEADER = 80;
const SUITES: readonly SuiteName[] = ['aes-256-gcm', 'chacha20-poly1305'];
const HEADER_CODES = ['BAD_HEADER', 'UNSUPPORTED', 'LIMIT_EXCEEDED', 'WRONG_KEY'];

/** Asserts a spec failure and that what was released is a prefix of `plaintext`; returns it. */
function expectRejected(
  r: { error: unknown; output: Uint8Array },
  plaintext: Uint8Array,
  codes: readonly string[],
): StreamV2Error {
  expect(r.error).toBeInstanceOf(StreamV2Error);
  const error = r.error as StreamV2Error;
  expect(codes).toContain(error.code);
  expect(r.output.length).toBeLessThanOrEqual(plaintext.length);
  expect(toHex(r.output)).toBe(toHex(plaintext.subarray(0, r.output.length)));
  return error;
}

/**
 * Each chunk owns its whole buffer, and no two chunks share one: nothing stale or recycled
 * (the transforms reuse their input buffers) is reachable through `chunk.buffer`.
 */
function expectOwnBuffers(chunks: readonly Uint8Array[]): void {
  const buffers = new Set<ArrayBufferLike>();
  for (const c of chunks) {
    expect([c.byteOffset, c.byteLength]).toEqual([0, c.buffer.byteLength]);
    buffers.add(c.buffer);
  }
  expect(buffers.size).toBe(chunks.length);
}

let pool: WorkerPool | undefined;
beforeAll(() => {
  pool = new WorkerPool({ size: 2 });
});
afterAll(async () => {
  await pool?.terminate();
});

/** 0: inline; 2: a 2-worker pool of the transform's own; 'pool': a shared 2-worker pool. */
type Workers = 0 | 2 | 'pool';
const workersArb = fc.constantFrom<Workers>(0, 2, 'pool');
const workersOf = (w: Workers): number | WorkerPool => (w === 'pool' ? (pool as WorkerPool) : w);

const KEY = seededBytes(32, 0x6b6579);

describe('round trip', () => {
  // Frame count is kept under ~3000 so that a frame size of 1 stays fast in the browser.
  const caseArb = fc
    .record({
      frameSize: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 4096 })),
      framesPerSegment: fc.integer({ min: 1, max: 8 }),
    })
    .chain(({ frameSize, framesPerSegment }) => {
      const s = frameSize * framesPerSegment;
      const maxSize = Math.min(200_000, frameSize * 3000);
      const maxSegments = Math.floor(maxSize / s);
      return fc.record({
        frameSize: fc.constant(frameSize),
        framesPerSegment: fc.constant(framesPerSegment),
        // Any size, or one next to a segment boundary (where off-by-one bugs live).
        size: fc.oneof(
          fc.integer({ min: 0, max: maxSize }),
          fc
            .tuple(fc.integer({ min: 0, max: maxSegments }), fc.integer({ min: -1, max: 1 }))
            .map(([k, d]) => Math.min(maxSize, Math.max(0, k * s + d))),
        ),
        suite: fc.constantFrom(...SUITES),
        encWorkers: workersArb,
        decWorkers: workersArb,
        dataSeed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        encChunks: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        decChunks: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        maxChunk: fc.integer({ min: 1, max: 70_000 }),
      });
    });

  it('decrypts what it encrypts, for any layout, suite, chunking and workers', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const plaintext = seededBytes(c.size, c.dataSeed);
        const layout = { frameSize: c.frameSize, framesPerSegment: c.framesPerSegment };
        const segments = Math.max(1, Math.ceil(c.size / (c.frameSize * c.framesPerSegment)));
        // At most ~1000 chunks either way: a tiny maxChunk on a big input would only be slow.
        const encMax = Math.max(c.maxChunk, Math.ceil(c.size / 500));
        const enc = new EncryptSegmentTransform(KEY, { ...layout, suite: c.suite, workers: workersOf(c.encWorkers) });
        const e = await run(enc, chunked(plaintext, { seed: c.encChunks, max: encMax }));
        expect(e.error).toBeUndefined();
        expect(e.output.length).toBe(ciphertextSize(c.size, layout));
        expect(e.chunks.length).toBe(1 + segments);
        expect(e.chunks[0]?.length).toBe(HEADER);
        expectOwnBuffers(e.chunks);

        const decMax = Math.max(c.maxChunk, Math.ceil(e.output.length / 500));
        const dec = new DecryptSegmentTransform(KEY, { workers: workersOf(c.decWorkers) });
        const d = await run(dec, chunked(e.output, { seed: c.decChunks, max: decMax }));
        expect(d.error).toBeUndefined();
        expect(d.output.length).toBe(c.size);
        expect(d.output).toEqual(plaintext);
        expectOwnBuffers(d.chunks);
        expect(dec.progress.segments).toBe(segments);
        expect(dec.progress.plaintextBytes).toBe(c.size);
      }),
      { seed: 0x5eed01, numRuns: cases(40) },
    );
  });
});

describe('damaged streams', () => {
  /** Small streams: frame size 16, 3 frames per segment (S = 48), several segments each. */
  const FRAME_SIZE = 16;
  const FPS = 3;
  const S = FRAME_SIZE * FPS;
  const W = fullSegmentWire(FRAME_SIZE, FPS);
  const fixtures: Array<{ plaintext: Uint8Array; ciphertext: Uint8Array }> = [];

  beforeAll(async () => {
    const specs: Array<[SuiteName, number]> = [
      ['aes-256-gcm', 200],
      ['chacha20-poly1305', 131],
      ['aes-256-gcm', 144],
      ['chacha20-poly1305', 0],
    ];
    for (const [suite, size] of specs) {
      const plaintext = seededBytes(size, 1000 + size);
      const enc = new EncryptSegmentTransform(KEY, { suite, frameSize: FRAME_SIZE, framesPerSegment: FPS, workers: 0 });
      const r = await run(enc, [plaintext]);
      if (r.error !== undefined) throw r.error;
      expect(r.output.length).toBe(ciphertextSize(size, { frameSize: FRAME_SIZE, framesPerSegment: FPS }));
      fixtures.push({ plaintext, ciphertext: r.output });
    }
  });

  const fixtureArb = fc.integer({ min: 0, max: 3 });
  /** Input chunkings: whole, byte by byte, or seeded random sizes (with empty chunks). */
  const chunkingArb = fc.oneof(
    fc.constant<'whole'>('whole'),
    fc.constant<'bytes'>('bytes'),
    fc.record({ seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }), max: fc.integer({ min: 1, max: 400 }) }),
  );
  const damageWorkersArb = fc.constantFrom<Workers>(0, 'pool');

  /** Index of the segment that holds wire byte `pos` (the header counts as segment 0). */
  const segmentAt = (pos: number) => (pos < HEADER ? 0 : Math.floor((pos - HEADER) / W));

  it('rejects any single-bit flip, releasing only segments before the damage', async () => {
    let releasing = 0;
    await fc.assert(
      fc.asyncProperty(
        fixtureArb,
        fc.nat(),
        chunkingArb,
        damageWorkersArb,
        async (which, bitSeed, chunking, workers) => {
          const { plaintext, ciphertext } = fixtures[which]!;
          const bit = bitSeed % (ciphertext.length * 8);
          const damaged = ciphertext.slice();
          damaged[bit >> 3]! ^= 1 << (bit & 7);
          const dec = new DecryptSegmentTransform(KEY, { workers: workersOf(workers) });
          const r = await run(dec, chunked(damaged, chunking));
          const pos = bit >> 3;
          expectRejected(r, plaintext, pos < HEADER ? HEADER_CODES : SPEC_ERROR_CODES);
          // spec §6.3: nothing of the damaged segment, hence of any later one, goes out.
          expect(r.output.length).toBeLessThanOrEqual(segmentAt(pos) * S);
          if (r.output.length > 0) releasing++;
        },
      ),
      { seed: 0x5eed02, numRuns: cases(150) },
    );
    // Not vacuous: some runs released the good segments before the damage.
    expect(releasing).toBeGreaterThan(0);
  });

  it('rejects any truncation as TRUNCATED, releasing only complete segments', async () => {
    let releasing = 0;
    await fc.assert(
      fc.asyncProperty(
        fixtureArb,
        fc.oneof(fc.nat(), fc.constantFrom(0, 1, 3, 4, 5, 79, 80, 81)),
        chunkingArb,
        damageWorkersArb,
        async (which, cutSeed, chunking, workers) => {
          const { plaintext, ciphertext } = fixtures[which]!;
          const cut = cutSeed % ciphertext.length;
          const dec = new DecryptSegmentTransform(KEY, { workers: workersOf(workers) });
          const r = await run(dec, chunked(ciphertext.subarray(0, cut), chunking));
          // spec §6.4. The vectors also allow BAD_HEADER for a cut inside the header; this
          // implementation reports every cut, header included, as TRUNCATED.
          expectRejected(r, plaintext, ['TRUNCATED']);
          const complete = cut < HEADER ? 0 : Math.floor((cut - HEADER) / W);
          expect(r.output.length).toBeLessThanOrEqual(Math.min(complete * S, plaintext.length));
          if (plaintext.length > 0) expect(r.output.length).toBeLessThan(plaintext.length);
          if (r.output.length > 0) releasing++;
        },
      ),
      { seed: 0x5eed03, numRuns: cases(100) },
    );
    expect(releasing).toBeGreaterThan(0);
  });

  it('rejects any bytes after the final segment as TRAILING_DATA', async () => {
    await fc.assert(
      fc.asyncProperty(
        fixtureArb,
        fc.oneof(
          fc.uint8Array({ minLength: 1, maxLength: 200 }),
          // A whole second stream, or the final segment again.
          fc.integer({ min: 0, max: 3 }).map((i) => fixtures[i]!.ciphertext),
          fixtureArb.map((i) =>
            fixtures[i]!.ciphertext.subarray(HEADER + segmentAt(fixtures[i]!.ciphertext.length - 1) * W),
          ),
        ),
        chunkingArb,
        damageWorkersArb,
        async (which, tail, chunking, workers) => {
          const { plaintext, ciphertext } = fixtures[which]!;
          expect(tail.length).toBeGreaterThan(0);
          const input = new Uint8Array(ciphertext.length + tail.length);
          input.set(ciphertext);
          input.set(tail, ciphertext.length);
          const dec = new DecryptSegmentTransform(KEY, { workers: workersOf(workers) });
          const r = await run(dec, chunked(input, chunking));
          expectRejected(r, plaintext, ['TRAILING_DATA']);
        },
      ),
      { seed: 0x5eed04, numRuns: cases(100) },
    );
  });

  it('rejects any other key as WRONG_KEY, releasing nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fixtureArb, fc.uint8Array({ minLength: 32, maxLength: 32 }), async (which, key) => {
        fc.pre(toHex(key) !== toHex(KEY));
        const { plaintext, ciphertext } = fixtures[which]!;
        const r = await run(new DecryptSegmentTransform(key, { workers: 0 }), [ciphertext]);
        expectRejected(r, plaintext, ['WRONG_KEY']);
        expect(r.output.length).toBe(0);
      }),
      { seed: 0x5eed05, numRuns: cases(30) },
    );
  });
});
