/**
 * encryptBlob and resumeEncryption: the vector bytes (through a resume state carrying the
 * vector's header), every offset of a small stream, random offsets of a 20 MiB one, resume
 * after interruptions, and the same-source proof (SOURCE_CHANGED, WRONG_KEY).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DecryptSegmentTransform, encryptBlob, type ResumeState, resumeEncryption, WorkerPool } from '#lib';
import {
  concat,
  type PositiveVector,
  positive,
  randomBytes,
  run,
  toHex,
  vectorPlaintext,
  vectorSecret,
} from '../helpers.js';
import { codeOf, prng, sameBytesOrIndex, vectorCiphertext } from '../random-helpers.js';

const pool = new WorkerPool({ size: 2 });
afterAll(() => pool.terminate());
const key = new Uint8Array(32).fill(9);
const small = { frameSize: 16, framesPerSegment: 3, workers: 0 } as const;

/** A resume state naming a vector's header: the documented way to reproduce a vector's bytes. */
function vectorState(v: PositiveVector, wire: Uint8Array): ResumeState {
  return { version: 1, header: toHex(wire.subarray(0, 80)), plaintextSize: v.plaintext_length, digests: {} };
}

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

describe.each([0, 2] as const)('encryptBlob gives the vector bytes, workers %i', (w) => {
  it.each(positive.vectors.map((v) => [v.name, v] as const))('%s', async (_, v) => {
    const vector = v as PositiveVector;
    const wire = await vectorCiphertext(vector);
    const enc = await resumeEncryption(
      blobOf(vectorPlaintext(vector)),
      vectorSecret(vector),
      vectorState(vector, wire),
      {
        workers: w === 0 ? 0 : pool,
      },
    );
    expect(enc.size).toBe(wire.length);
    expect(toHex(enc.header)).toBe(toHex(wire.subarray(0, 80)));
    expect(sameBytesOrIndex(await enc.slice(0, enc.size), wire)).toBe(-1);
    expect(sameBytesOrIndex(await read(enc.stream()), wire)).toBe(-1);
    enc.close();
  });
});

describe('encryptBlob: any offset', () => {
  it('stream({ start }) and slice at every offset of a small stream equal the full encryption', async () => {
    const plain = randomBytes(239);
    const enc = await encryptBlob(blobOf(plain), key, small);
    const full = await read(enc.stream());
    expect(full.length).toBe(enc.size);
    const { output, error } = await run(new DecryptSegmentTransform(key, { workers: 0 }), [full]);
    expect(error).toBeUndefined();
    expect(output).toEqual(plain);
    for (let a = 0; a <= enc.size; a++) {
      expect(sameBytesOrIndex(await read(enc.stream({ start: a })), full.subarray(a)), `start ${a}`).toBe(-1);
      for (const b of [a, a + 1, a + 17, a + 251, a + 600, enc.size]) {
        if (b > enc.size) continue;
        expect(sameBytesOrIndex(await enc.slice(a, b), full.subarray(a, b)), `[${a}, ${b})`).toBe(-1);
      }
    }
    for (const [a, b] of [
      [-1, 3],
      [0, enc.size + 1],
      [9, 8],
    ] as const) {
      expect(await codeOf(enc.slice(a, b))).toBe('BAD_ARGUMENT');
    }
    expect(await codeOf(() => enc.stream({ start: enc.size + 1 }))).toBe('BAD_ARGUMENT');
    enc.close();
  });

  it('random offsets of a 20 MiB stream equal the same bytes of the full encryption (2 workers)', async () => {
    const plain = randomBytes(20 * 1024 * 1024 + 12345);
    const enc = await encryptBlob(blobOf(plain), key, { workers: pool });
    const full = await read(enc.stream());
    expect(full.length).toBe(enc.size);
    const r = prng(11);
    for (let i = 0; i < 12; i++) {
      const a = Math.floor(r() * enc.size);
      const b = Math.min(enc.size, a + Math.floor(r() * 3 * 1024 * 1024));
      expect(sameBytesOrIndex(await enc.slice(a, b), full.subarray(a, b)), `[${a}, ${b})`).toBe(-1);
    }
    const start = Math.floor(r() * enc.size);
    expect(sameBytesOrIndex(await read(enc.stream({ start })), full.subarray(start))).toBe(-1);
    enc.close();
  });
});

describe('resumeEncryption', () => {
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
      const again = await resumeEncryption(blobOf(plain), key, state, { workers: 0 });
      expect(toHex(again.header)).toBe(state.header);
      const tail = await read(again.stream({ start: head.length }));
      // Not the same salt as `full` (a fresh encryption): compare with a full run of `again`.
      const whole = await again.slice(0, again.size);
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
    expect(await codeOf(resumeEncryption(blobOf(plain.subarray(1)), key, state))).toBe('SOURCE_CHANGED');
    const later = new File([plain as Uint8Array<ArrayBuffer>], 'p.bin', { lastModified: 2000 });
    expect(await codeOf(resumeEncryption(later, key, state))).toBe('SOURCE_CHANGED');
    expect(await codeOf(resumeEncryption(file, new Uint8Array(32), state))).toBe('WRONG_KEY');
    expect(await codeOf(resumeEncryption(file, { passphrase: 'x' }, state))).toBe('WRONG_KEY');
    expect(await codeOf(resumeEncryption(file, key, { ...state, header: 'zz' }))).toBe('BAD_ARGUMENT');
    expect(await codeOf(resumeEncryption(file, key, { ...state, digests: { 0: 'x' } }))).toBe('BAD_ARGUMENT');
    const resumed = await resumeEncryption(file, key, state, { workers: 0 });
    expect(resumed.size).toBeGreaterThan(0);
    resumed.close();
  });

  it('a changed byte in a recorded segment is SOURCE_CHANGED and nothing of it is released', async () => {
    const enc = await encryptBlob(blobOf(plain), key, small);
    await read(enc.stream(), 6); // header + segments 0..4 released
    const state = enc.resumeState();
    enc.close();
    const changed = plain.slice();
    changed[3 * 48 + 5] = (changed[3 * 48 + 5] as number) ^ 1; // in segment 3
    const again = await resumeEncryption(blobOf(changed), key, state, { workers: 0 });
    const out: Uint8Array[] = [];
    let error: unknown;
    try {
      for await (const c of again.stream() as unknown as AsyncIterable<Uint8Array>) out.push(c);
    } catch (e) {
      error = e;
    }
    expect((error as { code?: string }).code).toBe('SOURCE_CHANGED');
    expect((error as { segmentIndex?: number }).segmentIndex).toBe(3);
    expect(concat(out).length).toBe(80 + 3 * 251); // the header and segments 0..2, nothing of 3
    expect(await codeOf(again.slice(80 + 3 * 251, 80 + 3 * 251 + 1))).toBe('SOURCE_CHANGED');
    // A segment before the resume point that is not read again cannot be checked (by design):
    const fromFive = await read(again.stream({ start: 80 + 5 * 251 }));
    expect(fromFive.length).toBe(again.size - (80 + 5 * 251));
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
    const outcomes = await Promise.allSettled([enc.slice(...seg0), enc.slice(...seg0), enc.slice(80, 90)]);
    const bytes = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    expect(bytes).toHaveLength(3); // one sealing, shared
    expect(sameBytesOrIndex(bytes[0] as Uint8Array, bytes[1] as Uint8Array)).toBe(-1);
    expect(sameBytesOrIndex((bytes[0] as Uint8Array).subarray(0, 10), bytes[2] as Uint8Array)).toBe(-1);
    // A later request reads the other content: refused, it is not released a second time.
    expect(await codeOf(enc.slice(...seg0))).toBe('SOURCE_CHANGED');
    enc.close();
  });
});
