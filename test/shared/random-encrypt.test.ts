/**
 * encryptBlob and its resume: the vector bytes (the reference encoder's, under the salt it
 * chose: no public API chooses one), every offset of a small stream, random offsets of a 20 MiB one, resume
 * after interruptions, and the same-source proof (SOURCE_CHANGED, WRONG_KEY).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DecryptSegmentTransform, encryptBlob, type ResumeState, WorkerPool } from '#lib';
import {
  caseStride,
  concat,
  type PositiveVector,
  positive,
  randomBytes,
  run,
  toHex,
  vectorEncryptOptions,
  vectorPlaintext,
  vectorSecret,
} from '../helpers.js';
import { codeOf, prng, sameBytesOrIndex, vectorCiphertext } from '../random-helpers.js';
import { paramsOf, referenceCiphertext } from '../reference.js';

const pool = new WorkerPool({ size: 2 });
afterAll(() => pool.terminate());
const key = new Uint8Array(32).fill(9);
const small = { frameSize: 16, framesPerSegment: 3, workers: 0 } as const;

/** Reads a stream, stopping (cancel) after `chunks` chunks when given. */
async function read(stream: ReadableStream<Uint8Array>, chunks = Infinity): Promise<Uint8Array> {
  const out: Uint8Array[] = [];
  const reader = stream.getReader();
  while (out.length < chunks) {
    const { done, value } = await reader.read();
    if (done) break;
    out.push(value);
  }
  await reader.cancel();
  return concat(out);
}

const blobOf = (b: Uint8Array) => new Blob([b as Uint8Array<ArrayBuffer>]);

describe.each([0, 2] as const)(
  "encryptBlob gives the vector bytes (the reference encoder's, under its salt), workers %i",
  (w) => {
    it.each(positive.vectors.map((v) => [v.name, v] as const))('%s', async (_, v) => {
      const vector = v as PositiveVector;
      const wire = await vectorCiphertext(vector);
      const secret = vectorSecret(vector);
      const enc = await encryptBlob(blobOf(vectorPlaintext(vector)), secret, {
        ...vectorEncryptOptions(vector),
        workers: w === 0 ? 0 : pool,
      });
      expect(enc.ciphertextSize).toBe(wire.length);
      const got = await enc.read(0, enc.ciphertextSize);
      expect(toHex(got.subarray(0, 80))).toBe(toHex(enc.header.bytes));
      const reference = await referenceCiphertext(secret, paramsOf(got), vectorPlaintext(vector));
      expect(sameBytesOrIndex(got, reference)).toBe(-1);
      expect(sameBytesOrIndex(await read(enc.stream()), got)).toBe(-1);
      enc.close();
    });
  },
);

describe('encryptBlob: any offset', () => {
  it('stream({ start }) and slice at every offset of a small stream equal the full encryption', async () => {
    const plain = randomBytes(239);
    const enc = await encryptBlob(blobOf(plain), key, small);
    const full = await read(enc.stream());
    expect(full.length).toBe(enc.ciphertextSize);
    const { output, error } = await run(new DecryptSegmentTransform(key, { workers: 0 }), [full]);
    expect(error).toBeUndefined();
    expect(output).toEqual(plain);
    for (let a = 0; a <= enc.ciphertextSize; a += caseStride()) {
      expect(sameBytesOrIndex(await read(enc.stream({ start: a })), full.subarray(a)), `start ${a}`).toBe(-1);
      for (const b of [a, a + 1, a + 17, a + 251, a + 600, enc.ciphertextSize]) {
        if (b > enc.ciphertextSize) continue;
        expect(sameBytesOrIndex(await enc.read(a, b), full.subarray(a, b)), `[${a}, ${b})`).toBe(-1);
      }
    }
    for (const [a, b] of [
      [-1, 3],
      [0, enc.ciphertextSize + 1],
      [9, 8],
    ] as const) {
      expect(await codeOf(enc.read(a, b))).toBe('BAD_ARGUMENT');
    }
    expect(await codeOf(() => enc.stream({ start: enc.ciphertextSize + 1 }))).toBe('BAD_ARGUMENT');
    enc.close();
  });

  it('random offsets of a 20 MiB stream equal the same bytes of the full encryption (2 workers)', async () => {
    const plain = randomBytes(20 * 1024 * 1024 + 12345);
    const enc = await encryptBlob(blobOf(plain), key, { workers: pool });
    const full = await read(enc.stream());
    expect(full.length).toBe(enc.ciphertextSize);
    const r = prng(11);
    for (let i = 0; i < 12; i++) {
      const a = Math.floor(r() * enc.ciphertextSize);
      const b = Math.min(enc.ciphertextSize, a + Math.floor(r() * 3 * 1024 * 1024));
      expect(sameBytesOrIndex(await enc.read(a, b), full.subarray(a, b)), `[${a}, ${b})`).toBe(-1);
    }
    const start = Math.floor(r() * enc.ciphertextSize);
    expect(sameBytesOrIndex(await read(enc.stream({ start })), full.subarray(start))).toBe(-1);
    enc.close();
  });
});

describe('encryptBlob with resume', () => {
  const plain = randomBytes(2000);

  it('after an interruption at random points, gives byte-identical output', async () => {
    const enc = await encryptBlob(blobOf(plain), key, small);
    const full = await read(enc.stream());
    enc.close();
    const r = prng(5);
    for (let i = 0; i < 12; i++) {
      const first = await encryptBlob(blobOf(plain), key, small);
      const stop = 1 + Math.floor(r() * 8);
      const head = await read(first.stream(), stop); // interrupted after `stop` chunks
      const state = JSON.parse(JSON.stringify(first.resumeState())) as ResumeState;
      first.close();
      expect(Object.keys(state.digests).length).toBe(stop - 1); // the header is no segment
      expect(JSON.stringify(state)).not.toContain(toHex(key));
      if (stop === 1) {
        // No segment recorded: nothing proves the source the same, so it is refused (start afresh).
        expect(await codeOf(encryptBlob(blobOf(plain), key, { workers: 0, resume: state }))).toBe('BAD_ARGUMENT');
        continue;
      }
      const again = await encryptBlob(blobOf(plain), key, { workers: 0, resume: state });
      expect(toHex(again.header.bytes)).toBe(state.header);
      const tail = await read(again.stream({ start: head.length }));
      // Not the same salt as `full` (a fresh encryption): compare with a full run of `again`.
      const whole = await again.read(0, again.ciphertextSize);
      expect(sameBytesOrIndex(concat([head, tail]), whole)).toBe(-1);
      expect(whole.length).toBe(full.length);
      again.close();
    }
  });

  it('refuses another size, another lastModified, a wrong key, a malformed state', async () => {
    const file = new File([plain as Uint8Array<ArrayBuffer>], 'p.bin', { lastModified: 1000 });
    const enc = await encryptBlob(file, key, small);
    await read(enc.stream(), 3);
    const state = enc.resumeState();
    enc.close();
    expect(state.lastModified).toBe(1000);
    expect(await codeOf(encryptBlob(blobOf(plain.subarray(1)), key, { resume: state }))).toBe('SOURCE_CHANGED');
    const later = new File([plain as Uint8Array<ArrayBuffer>], 'p.bin', { lastModified: 2000 });
    expect(await codeOf(encryptBlob(later, key, { resume: state }))).toBe('SOURCE_CHANGED');
    expect(await codeOf(encryptBlob(file, new Uint8Array(32), { resume: state }))).toBe('WRONG_KEY');
    expect(await codeOf(encryptBlob(file, { passphrase: 'x' }, { resume: state }))).toBe('WRONG_KEY');
    expect(await codeOf(encryptBlob(file, key, { resume: { ...state, header: 'zz' } }))).toBe('BAD_ARGUMENT');
    expect(await codeOf(encryptBlob(file, key, { resume: { ...state, digests: { 0: 'x' } } }))).toBe('BAD_ARGUMENT');
    const resumed = await encryptBlob(file, key, { workers: 0, resume: state });
    expect(resumed.ciphertextSize).toBeGreaterThan(0);
    resumed.close();
  });

  it('a changed byte in a recorded segment is SOURCE_CHANGED before anything is released, even past it', async () => {
    const enc = await encryptBlob(blobOf(plain), key, small);
    await read(enc.stream(), 6); // header + segments 0..4 released
    const state = enc.resumeState();
    enc.close();
    const changed = plain.slice();
    changed[3 * 48 + 5] = (changed[3 * 48 + 5] as number) ^ 1; // in segment 3
    // Every recorded segment is sealed again and compared when the resume opens: a resume that
    // continues past segment 3 (at segment 5, as a tus offset would) still sees the change.
    let error: unknown;
    try {
      await encryptBlob(blobOf(changed), key, { workers: 0, resume: state });
    } catch (e) {
      error = e;
    }
    expect((error as { code?: string }).code).toBe('SOURCE_CHANGED');
    expect((error as { segmentIndex?: number }).segmentIndex).toBe(3);
    // A change in a segment the state did not record (not released) is a new plaintext there: fine.
    const later = plain.slice();
    later[6 * 48 + 1] = (later[6 * 48 + 1] as number) ^ 1; // in segment 6
    const again = await encryptBlob(blobOf(later), key, { workers: 0, resume: state });
    const fromFive = await read(again.stream({ start: 80 + 5 * 251 }));
    expect(fromFive.length).toBe(again.ciphertextSize - (80 + 5 * 251));
    again.close();
  });

  it('overlapping requests of one segment seal it once: a source that changes between reads never yields two ciphertexts under the same nonces', async () => {
    const other = plain.slice();
    other[5] = (other[5] as number) ^ 1; // in segment 0
    /** Each read of the Blob sees the other content: as a file rewritten between two reads. */
    class Shifting extends Blob {
      private reads = 0;
      override slice(start?: number, end?: number, type?: string): Blob {
        return (this.reads++ % 2 === 0 ? blobOf(plain) : blobOf(other)).slice(start, end, type);
      }
    }
    const enc = await encryptBlob(new Shifting([plain as Uint8Array<ArrayBuffer>]), key, small);
    const seg0: [number, number] = [80, 80 + 251];
    const outcomes = await Promise.allSettled([enc.read(...seg0), enc.read(...seg0), enc.read(80, 90)]);
    const bytes = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    expect(bytes).toHaveLength(3); // one sealing, shared
    expect(sameBytesOrIndex(bytes[0] as Uint8Array, bytes[1] as Uint8Array)).toBe(-1);
    expect(sameBytesOrIndex((bytes[0] as Uint8Array).subarray(0, 10), bytes[2] as Uint8Array)).toBe(-1);
    // A later request reads the other content: refused, it is not released a second time.
    expect(await codeOf(enc.read(...seg0))).toBe('SOURCE_CHANGED');
    enc.close();
  });
});
