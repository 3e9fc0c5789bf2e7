/**
 * openEncrypted over a Blob: every range of the small positive vectors, random ranges of the
 * large ones, and every negative vector with its code (ranges that avoid the damage succeed).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openEncrypted, StreamV2Error, WorkerPool } from '#lib';
import {
  caseStride,
  cases,
  chunksOf,
  hex,
  type NegativeVector,
  negative,
  type PositiveVector,
  positive,
  vectorPlaintext,
  vectorSecret,
} from '../helpers.js';
import { codeOf, rangesOf, sameBytesOrIndex, vectorCiphertext } from '../random-helpers.js';

const pool = new WorkerPool({ size: 2 });
afterAll(() => pool.terminate());
const WORKERS = { 0: 0, 2: pool } as const;

describe.each([0, 2] as const)('openEncrypted(Blob), workers %i', (w) => {
  it.each(positive.vectors.map((v) => [v.name, v] as const))(
    '%s: every range reads the plaintext slice',
    async (_, v) => {
      const vector = v as PositiveVector;
      const plain = vectorPlaintext(vector);
      const file = await openEncrypted(new Blob([await vectorCiphertext(vector)]), vectorSecret(vector), {
        workers: WORKERS[w],
      });
      try {
        expect(file.plaintextSize).toBe(plain.length);
        expect(file.header.frameSize).toBe(vector.frame_size);
        for (const [a, b] of rangesOf(plain.length, cases(120), cases(40))) {
          expect(sameBytesOrIndex(await file.read(a, b), plain.subarray(a, b)), `[${a}, ${b})`).toBe(-1);
        }
        const chunks = await chunksOf(file.stream());
        expect(chunks.length).toBe(plain.length === 0 ? 0 : vector.segments);
      } finally {
        file.close();
      }
    },
  );
});

describe.each([0, 2] as const)('openEncrypted: negative vectors, workers %i', (w) => {
  const valid = (v: NegativeVector) => hex(v.valid_plaintext_hex);
  it.each(negative.vectors.map((v) => [v.name, v] as const))('%s', async (_, v) => {
    const vector = v as NegativeVector;
    const blob = new Blob([hex(vector.ciphertext_hex) as Uint8Array<ArrayBuffer>]);
    let file: Awaited<ReturnType<typeof openEncrypted>>;
    try {
      file = await openEncrypted(blob, vectorSecret(vector), { workers: WORKERS[w] });
    } catch (e) {
      expect(vector.errors).toContain(StreamV2Error.is(e) ? e.code : String(e));
      return;
    }
    // The header, size and last TERMINATOR are sound: the damage is inside a segment. Each
    // segment alone either verifies (and then equals the valid plaintext, where the vector kept
    // its plaintext size) or fails with the vector's code.
    const plain = valid(vector);
    const size = file.plaintextSize;
    const s = file.header.frameSize * file.header.framesPerSegment;
    let failed = 0;
    for (let a = 0; a < size; a += s) {
      const b = Math.min(size, a + s);
      const code = await codeOf(file.read(a, b));
      if (code === undefined) {
        if (size === plain.length) expect(await file.read(a, b)).toEqual(plain.subarray(a, b));
      } else {
        expect(vector.errors).toContain(code);
        failed++;
      }
    }
    expect(failed, 'a segment fails').toBeGreaterThan(0);
    file.close();
  });
});

describe('openEncrypted: arguments', () => {
  const v = positive.vectors.find((x) => x.name === 's1-f16x3-p239') as PositiveVector;
  it('a range outside [0, P] or reversed is BAD_ARGUMENT, a non-source too', async () => {
    const file = await openEncrypted(new Blob([await vectorCiphertext(v)]), vectorSecret(v), { workers: 0 });
    for (const [a, b] of [
      [-1, 2],
      [0, 240],
      [5, 4],
      [0.5, 3],
    ] as const) {
      expect(await codeOf(file.read(a, b))).toBe('BAD_ARGUMENT');
    }
    expect(await file.read(7, 7)).toEqual(new Uint8Array(0));
    file.close();
    expect(await codeOf(openEncrypted({} as Blob, vectorSecret(v)))).toBe('BAD_ARGUMENT');
  });

  it('bit flips inside a requested range are refused, outside it they are not read', async () => {
    const wire = await vectorCiphertext(v);
    const plain = vectorPlaintext(v);
    // The stream's end is checked at open: the last DATA frame (18 + 15 + 16 bytes here), the
    // DIGEST and the TERMINATOR (they fix the plaintext size); damage there fails the open.
    const end = 18 + 15 + 16 + 67 + 34;
    for (let i = wire.length - end; i < wire.length; i += caseStride()) {
      const bad = wire.slice();
      bad[i] = (bad[i] as number) ^ 0x10;
      const code = await codeOf(openEncrypted(new Blob([bad]), vectorSecret(v), { workers: i % 2 === 0 ? 0 : pool }));
      // The DIGEST frame is only read with its segment: damage there fails the read, not the open.
      if (i >= wire.length - 34 - 67 && i < wire.length - 34) expect(code, `byte ${i}`).toBeUndefined();
      else expect(code, `byte ${i}`).toMatch(/AUTH_FAILED|BAD_FRAME|TRAILING_DATA|TRUNCATED/);
    }
    for (let i = 80; i < wire.length - end; i += caseStride()) {
      const bad = wire.slice();
      bad[i] = (bad[i] as number) ^ 0x10;
      const file = await openEncrypted(new Blob([bad]), vectorSecret(v), { workers: i % 2 === 0 ? 0 : pool });
      const k = Math.min(Math.floor((i - 80) / 251), 4); // the damaged segment (W = 251)
      expect(await codeOf(file.read(k * 48, Math.min(239, k * 48 + 48))), `byte ${i}`).toMatch(
        /AUTH_FAILED|DIGEST_MISMATCH|BAD_FRAME|TRAILING_DATA|TRUNCATED/,
      );
      const other = k === 0 ? [48, 96] : [0, 48];
      expect(await file.read(other[0] as number, other[1] as number)).toEqual(plain.subarray(other[0], other[1]));
      file.close();
    }
  });
});
