/** plaintextSize: the exact inverse of ciphertextSize, refusing every wire size no plaintext has. */
import { describe, expect, it } from 'vitest';
import { ciphertextSize, plaintextSize, StreamV2Error } from '#lib';
import { positive } from '../helpers.js';

const LAYOUTS = [
  { frameSize: 1, framesPerSegment: 1 },
  { frameSize: 16, framesPerSegment: 3 },
  { frameSize: 32, framesPerSegment: 2 },
  { frameSize: 7, framesPerSegment: 5 },
];

describe('plaintextSize', () => {
  it('inverts ciphertextSize, and every other wire size is refused (BAD_ARGUMENT)', () => {
    for (const layout of LAYOUTS) {
      const valid = new Map<number, number>();
      for (let p = 0; p <= 400; p++) valid.set(ciphertextSize(p, layout), p);
      const top = ciphertextSize(400, layout);
      for (let w = 0; w <= top; w++) {
        const p = valid.get(w);
        if (p !== undefined) {
          expect(plaintextSize(w, layout)).toBe(p);
          continue;
        }
        let code: string | undefined;
        try {
          plaintextSize(w, layout);
        } catch (e) {
          code = StreamV2Error.is(e) ? e.code : String(e);
        }
        expect(code, `wire size ${w}`).toBe('BAD_ARGUMENT');
      }
    }
  });

  it('gives every positive vector its plaintext length', () => {
    for (const v of positive.vectors) {
      const layout = { frameSize: v.frame_size, framesPerSegment: v.frames_per_segment };
      expect(plaintextSize(v.ciphertext_length, layout)).toBe(v.plaintext_length);
    }
  });

  it('is exact at sizes past 2^32 with the default layout', () => {
    for (const p of [2 ** 32 + 5, 2 ** 40, 2 ** 45 - 1]) expect(plaintextSize(ciphertextSize(p))).toBe(p);
  });
});
