/**
 * The shared test vectors (test/vectors, copied from shared/vectors): byte-exact encryption,
 * decryption under every chunking, the chunk structure of both transforms, their progress,
 * and the failure code and released bytes of every negative vector. No public API chooses a
 * salt (spec §8), so the vectors' bytes come from the test-only reference encoder
 * (test/reference.ts), checked here against each vector; the transform is checked against that
 * encoder under the salt it chose.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ciphertextSize,
  DecryptSegmentTransform,
  EncryptSegmentTransform,
  parseHeader,
  StreamV2Error,
  WorkerPool,
} from '#lib';
import {
  chunked,
  hex,
  type NegativeVector,
  negative,
  type PositiveVector,
  positive,
  run,
  sha256Hex,
  toHex,
  vectorEncryptOptions,
  vectorParams,
  vectorPlaintext,
  vectorSecret,
} from '../helpers.js';
import { paramsOf, referenceCiphertext } from '../reference.js';

const WORKERS = [0, 2] as const;
const HEADER = 80;
/** Wire bytes of a segment beyond its DATA frames: DIGEST (18 + 33 + 16) and TERMINATOR (18 + 16). */
const SEGMENT_TAIL = 18 + 33 + 16 + 18 + 16;
/** Ciphertexts shorter than this are also decrypted one byte per chunk. */
const BYTE_BY_BYTE_BELOW = 2000;
/** Negative vectors also decrypted one byte per chunk (one of each failure family). */
const NEGATIVE_BYTE_BY_BYTE = new Set([
  'empty-input',
  'short-header',
  'header-only',
  'bad-magic',
  'wrong-key',
  'data-ciphertext-flipped-seg1',
  'digest-value-flipped-seg1',
  'final-flag-cleared',
  'segment-index-changed',
  'truncated-mid-frame-seg2',
  'truncated-inside-terminator',
  'trailing-byte',
  'two-streams-concatenated',
  'two-final-segments',
]);

/** Plaintext bytes of each segment of a P-byte stream (spec §5). */
function segmentPlaintextSizes(v: PositiveVector): number[] {
  const s = v.frame_size * v.frames_per_segment;
  const n = Math.max(1, Math.ceil(v.plaintext_length / s));
  return Array.from({ length: n }, (_, k) => Math.min(s, v.plaintext_length - k * s));
}

/** Wire bytes of each segment (spec §5), computed from the frame layout, not from ciphertextSize. */
function segmentWireSizes(v: PositiveVector): number[] {
  return segmentPlaintextSizes(v).map((p) => Math.ceil(p / v.frame_size) * (18 + 16) + p + SEGMENT_TAIL);
}

function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length);
  if (expected.length <= 4096) {
    expect(toHex(actual)).toBe(toHex(expected));
    return;
  }
  let i = 0;
  while (i < expected.length && actual[i] === expected[i]) i++;
  expect(i, 'index of the first differing byte').toBe(expected.length);
}

function randomChunking(length: number, seed: number) {
  return { seed, max: length < BYTE_BY_BYTE_BELOW ? 61 : 150_000 };
}

/** Encryptions of vectors that carry no ciphertext_hex (made once, checked against the sha256). */
const reproduced = new Map<string, Promise<Uint8Array>>();

async function vectorCiphertext(v: PositiveVector): Promise<Uint8Array> {
  if (v.ciphertext_hex !== undefined) return hex(v.ciphertext_hex);
  let made = reproduced.get(v.name);
  if (made === undefined) {
    made = referenceCiphertext(vectorSecret(v), vectorParams(v), vectorPlaintext(v));
    reproduced.set(v.name, made);
  }
  const ct = await made;
  expect(await sha256Hex(ct), 'reproduced ciphertext').toBe(v.ciphertext_sha256);
  return ct;
}

/**
 * `workers: 2` starts (and stops) a pool of its own per transform, which costs tens of ms; whole
 * inputs use that, the chunked runs share one 2-worker pool to keep the suite fast.
 */
let sharedPool: WorkerPool | undefined;
beforeAll(() => {
  sharedPool = new WorkerPool({ size: 2 });
});
afterAll(async () => {
  await sharedPool?.terminate();
});

function workersLabel(workers: 0 | 2, mode: 'whole' | 'random' | 'bytes'): string {
  return workers === 2 && mode !== 'whole' ? 'workers=2, shared pool' : `workers=${workers}`;
}

function workersFor(workers: 0 | 2, mode: 'whole' | 'random' | 'bytes'): number | WorkerPool {
  return workers === 2 && mode !== 'whole' ? (sharedPool as WorkerPool) : workers;
}

const positives = positive.vectors as PositiveVector[];
const negatives = negative.vectors as NegativeVector[];

/** The progress a whole run over vector `v` must end with, on either side. */
function expectedProgress(v: PositiveVector) {
  return { segments: v.segments, plaintextBytes: v.plaintext_length, ciphertextBytes: v.ciphertext_length };
}

describe('positive vectors', () => {
  it('covers every kind of vector', () => {
    expect(positives.length).toBeGreaterThanOrEqual(70);
    expect(positives.some((v) => v.passphrase !== undefined)).toBe(true);
    expect(positives.some((v) => v.ciphertext_hex === undefined)).toBe(true);
    expect(new Set(positives.map((v) => v.suite))).toEqual(new Set([1, 2]));
  });

  positives.forEach((v, index) => {
    describe(v.name, () => {
      const plaintext = vectorPlaintext(v);
      const layout = { frameSize: v.frame_size, framesPerSegment: v.frames_per_segment };
      const ptSizes = segmentPlaintextSizes(v);
      const wireSizes = segmentWireSizes(v);

      it('has a consistent layout (ciphertextSize, segment count)', () => {
        expect(plaintext.length).toBe(v.plaintext_length);
        expect(ptSizes.length).toBe(v.segments);
        expect(HEADER + wireSizes.reduce((a, b) => a + b, 0)).toBe(v.ciphertext_length);
        expect(ciphertextSize(v.plaintext_length, layout)).toBe(v.ciphertext_length);
      });

      for (const workers of WORKERS) {
        it(`encrypts byte-exactly (workers=${workers})`, async () => {
          const enc = new EncryptSegmentTransform(vectorSecret(v), { ...vectorEncryptOptions(v), workers });
          // The input chunking must not change the output: inline takes it whole, workers in pieces.
          const input = workers === 0 ? [plaintext] : chunked(plaintext, { seed: 7 + index, max: 40_000 });
          const r = await run(enc, input);
          expect(r.error).toBeUndefined();
          expect(r.output.length).toBe(v.ciphertext_length);
          // Under the salt it chose, exactly the reference encoder's bytes (which are the
          // vector's own under the vector's salt: checked by 'the reference encoder' below).
          const reference = await referenceCiphertext(vectorSecret(v), paramsOf(r.output), plaintext);
          expectSameBytes(r.output, reference);

          // The header first, then exactly one chunk per segment.
          expect(r.chunks.map((c) => c.length)).toEqual([HEADER, ...wireSizes]);
          const header = parseHeader(r.chunks[0] as Uint8Array);
          expect(header.suite).toBe(vectorEncryptOptions(v).suite);
          expect(header.frameSize).toBe(v.frame_size);
          expect(header.framesPerSegment).toBe(v.frames_per_segment);
          expect(header.kdf).toBe(v.passphrase === undefined ? 'raw' : 'scrypt');
          expect(header.logN).toBe(v.log_n ?? 0);
          expect(toHex(header.salt)).not.toBe(v.salt_hex); // a fresh salt, never a chosen one

          expect(enc.progress).toMatchObject(expectedProgress(v));
        });
      }

      it("the reference encoder gives the vector's bytes under its salt", async () => {
        const ct = await referenceCiphertext(vectorSecret(v), vectorParams(v), plaintext);
        expect(await sha256Hex(ct)).toBe(v.ciphertext_sha256);
        if (v.ciphertext_hex !== undefined) expect(toHex(ct)).toBe(v.ciphertext_hex);
      });

      const modes: Array<'whole' | 'random' | 'bytes'> = ['whole', 'random'];
      if (v.ciphertext_length < BYTE_BY_BYTE_BELOW) modes.push('bytes');
      for (const mode of modes) {
        for (const workers of WORKERS) {
          it(`decrypts ${mode === 'random' ? 'in random chunks' : mode} (${workersLabel(workers, mode)})`, async () => {
            const ct = await vectorCiphertext(v);
            const how = mode === 'random' ? randomChunking(ct.length, 1000 + 31 * index + workers) : mode;
            const dec = new DecryptSegmentTransform(vectorSecret(v), { workers: workersFor(workers, mode) });
            const r = await run(dec, chunked(ct, how));
            expect(r.error).toBeUndefined();
            expectSameBytes(r.output, plaintext);

            // Exactly one chunk per verified segment (an empty stream gives one empty chunk).
            expect(r.chunks.map((c) => c.length)).toEqual(ptSizes);

            expect(dec.progress).toMatchObject(expectedProgress(v));
          });
        }
      }
    });
  });
});

describe('negative vectors', () => {
  it('covers every spec error code', () => {
    const codes = new Set(negatives.flatMap((v) => v.errors));
    for (const code of ['BAD_HEADER', 'UNSUPPORTED', 'LIMIT_EXCEEDED', 'WRONG_KEY', 'BAD_FRAME', 'AUTH_FAILED']) {
      expect(codes).toContain(code);
    }
    for (const code of ['DIGEST_MISMATCH', 'TRUNCATED', 'TRAILING_DATA']) expect(codes).toContain(code);
    for (const name of NEGATIVE_BYTE_BY_BYTE) expect(negatives.map((v) => v.name)).toContain(name);
  });

  negatives.forEach((v, index) => {
    describe(v.name, () => {
      const ct = hex(v.ciphertext_hex);
      const valid = v.valid_plaintext_hex;
      const modes: Array<'whole' | 'random' | 'bytes'> = ['whole', 'random'];
      if (NEGATIVE_BYTE_BY_BYTE.has(v.name)) modes.push('bytes');

      for (const mode of modes) {
        for (const workers of WORKERS) {
          it(`is rejected, decrypted ${mode === 'random' ? 'in random chunks' : mode} (${workersLabel(workers, mode)})`, async () => {
            const how = mode === 'random' ? { seed: 500 + 17 * index + workers, max: 97 } : mode;
            const dec = new DecryptSegmentTransform(vectorSecret(v), { workers: workersFor(workers, mode) });
            const r = await run(dec, chunked(ct, how));
            expect(r.error).toBeInstanceOf(StreamV2Error);
            const error = r.error as StreamV2Error;
            expect(StreamV2Error.is(error)).toBe(true);
            expect(v.errors).toContain(error.code);

            // Released bytes: a prefix of the valid plaintext, within the vector's bound.
            expect(r.output.length).toBeLessThanOrEqual(v.released_max);
            expect(toHex(r.output)).toBe(valid.slice(0, 2 * r.output.length));
            expect(dec.progress.plaintextBytes).toBe(r.output.length);
          });
        }
      }
    });
  });
});
