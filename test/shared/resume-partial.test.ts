/**
 * resumeStateFrom: the resume state derived, without the key, from a partial ciphertext (what a
 * server holds of an upload). Cut at every segment boundary and inside segments, the derived
 * state resumes to the byte-identical ciphertext; another stream's partial file, damage, or a
 * changed source fail with a code, never with wrong bytes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { encryptBlob, resumeStateFrom, WorkerPool } from '#lib';
import { seededBytes } from '../helpers.js';
import { codeOf, sameBytesOrIndex } from '../random-helpers.js';

const key = seededBytes(32, 0x9a27);
const layout = { frameSize: 16, framesPerSegment: 3 } as const; // S = 48, W = 3 × 50 + 67 + 34 = 251
const W = 251;
const plain = seededBytes(48 * 6 + 20, 5); // 7 segments, the last of 20 bytes
const pool = new WorkerPool({ size: 2 });
afterAll(() => pool.terminate());
const blobOf = (b: Uint8Array) => new Blob([b as Uint8Array<ArrayBuffer>]);

describe.each([0, 2] as const)('resumeStateFrom, workers %i', (w) => {
  const workers = w === 0 ? 0 : pool;

  it('after a cut at every segment boundary and inside segments: the same ciphertext, from the cut on', async () => {
    const first = await encryptBlob(blobOf(plain), key, { ...layout, workers });
    const whole = await first.read(0, first.ciphertextSize);
    first.close();
    const cuts = [
      80,
      81,
      80 + 100,
      ...Array.from({ length: 7 }, (_, k) => [80 + (k + 1) * W, 80 + (k + 1) * W + 37]).flat(),
    ];
    for (const cut of cuts.filter((c) => c <= whole.length)) {
      const state = await resumeStateFrom(blobOf(whole.subarray(0, cut)), blobOf(plain), { workers });
      const complete = Math.min(7, Math.floor((cut - 80) / W));
      expect(Object.keys(state.digests).length, `cut ${cut}`).toBe(complete);
      if (complete === 0) {
        // Nothing proves the source the same: the resume is refused, start afresh.
        expect(await codeOf(encryptBlob(blobOf(plain), key, { workers, resume: state })), `cut ${cut}`).toBe(
          'BAD_ARGUMENT',
        );
        continue;
      }
      const again = await encryptBlob(blobOf(plain), key, { workers, resume: state });
      expect(sameBytesOrIndex(await again.read(cut, again.ciphertextSize), whole.subarray(cut)), `cut ${cut}`).toBe(-1);
      again.close();
    }
  });

  it("another stream's partial file, damage in a complete segment, or a changed source: a code, never bytes", async () => {
    const first = await encryptBlob(blobOf(plain), key, { ...layout, workers });
    const whole = await first.read(0, first.ciphertextSize);
    first.close();
    const cut = 80 + 4 * W + 10; // segments 0..3 whole
    // Another stream of the same source and key (its own salt): its digests are not this one's.
    const other = await encryptBlob(blobOf(plain), key, { ...layout, workers });
    const foreign = await other.read(0, other.ciphertextSize);
    other.close();
    const spliced = whole.slice(0, cut);
    spliced.set(foreign.subarray(80 + W, 80 + 2 * W), 80 + W); // segment 1 from the other stream
    expect(await codeOf(resumeStateFrom(blobOf(spliced), blobOf(plain), { workers }))).toBe('DIGEST_MISMATCH');
    // Damage in a complete segment: a DATA byte, the DIGEST value, a frame header.
    for (const at of [80 + 2 * W + 30, 80 + 2 * W + 3 * 50 + 18 + 5, 80 + 3 * W + 2]) {
      const bad = whole.slice(0, cut);
      bad[at] = (bad[at] as number) ^ 0x20;
      expect(await codeOf(resumeStateFrom(blobOf(bad), blobOf(plain), { workers })), `byte ${at}`).toMatch(
        /DIGEST_MISMATCH|BAD_FRAME/,
      );
    }
    // The state is good, the source is not: SOURCE_CHANGED, before any byte is released.
    const state = await resumeStateFrom(blobOf(whole.subarray(0, cut)), blobOf(plain), { workers });
    const changed = plain.slice();
    changed[48 + 3] = (changed[48 + 3] as number) ^ 1; // segment 1
    expect(await codeOf(encryptBlob(blobOf(changed), key, { workers, resume: state }))).toBe('SOURCE_CHANGED');
    // A source of another size is another source.
    expect(await codeOf(encryptBlob(blobOf(plain.subarray(1)), key, { workers, resume: state }))).toBe(
      'SOURCE_CHANGED',
    );
    // Another key does not open the header.
    expect(await codeOf(encryptBlob(blobOf(plain), new Uint8Array(32), { workers, resume: state }))).toBe('WRONG_KEY');
  });
});
