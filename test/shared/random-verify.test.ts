/** verifyDigests (keyless) over a ReadableStream and over a Blob: every positive and negative vector. */
import { afterAll, describe, expect, it } from 'vitest';
import { StreamV2Error, type VerifyResult, verifyDigests, WorkerPool } from '#lib';
import { chunked, hex, type NegativeVector, negative, type PositiveVector, positive } from '../helpers.js';
import { codeOf, vectorCiphertext } from '../random-helpers.js';

const pool = new WorkerPool({ size: 2 });
afterAll(() => pool.terminate());

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(c) {
      if (i < chunks.length) c.enqueue(chunks[i++] as Uint8Array);
      else c.close();
    },
  });
}

/** The three ways in: a stream in random chunks, a Blob inline, a Blob on the pool. */
async function verifyAll(wire: Uint8Array<ArrayBuffer>): Promise<VerifyResult[]> {
  return [
    await verifyDigests(streamOf(chunked(wire, { seed: wire.length + 1, max: 300 }))),
    await verifyDigests(new Blob([wire]), { workers: 0 }),
    await verifyDigests(new Blob([wire]), { workers: pool }),
  ];
}

/** Failures that only the key can see: a keyless check may pass these vectors. */
const KEYED = new Set(['AUTH_FAILED', 'WRONG_KEY']);

describe('verifyDigests', () => {
  it.each(positive.vectors.map((v) => [v.name, v] as const))('%s passes', async (_, v) => {
    const vector = v as PositiveVector;
    for (const r of await verifyAll(await vectorCiphertext(vector))) {
      expect(r.failure).toBeUndefined();
      const { header, ...rest } = r;
      expect(rest).toEqual({ ok: true, segments: vector.segments, plaintextSize: vector.plaintext_length });
      expect(header?.frameSize).toBe(vector.frame_size); // the header as found, keyless
    }
  });

  it.each(negative.vectors.map((v) => [v.name, v] as const))('%s', async (_, v) => {
    const vector = v as NegativeVector;
    const mustFail = !vector.errors.some((c) => KEYED.has(c));
    for (const [i, r] of (await verifyAll(hex(vector.ciphertext_hex) as Uint8Array<ArrayBuffer>)).entries()) {
      if (r.ok) {
        expect(mustFail, `way ${i} passed`).toBe(false);
        continue;
      }
      expect(StreamV2Error.is(r.failure)).toBe(true);
      // A damaged header is WRONG_KEY with the key (header_mac); without it, the header is
      // still covered by every DIGEST value and fixes every frame position (spec §4, §6).
      const keyless = vector.errors.includes('WRONG_KEY') ? ['DIGEST_MISMATCH', 'BAD_FRAME'] : [];
      expect([...vector.errors, ...keyless], `way ${i}`).toContain(r.failure?.code);
    }
  });

  it('names the bad segment, and counts the good ones before it', async () => {
    const vector = negative.vectors.find((x) => x.name === 'data-ciphertext-flipped-seg1') as NegativeVector;
    for (const r of await verifyAll(hex(vector.ciphertext_hex) as Uint8Array<ArrayBuffer>)) {
      expect(r.ok).toBe(false);
      expect(r.failure?.code).toBe('DIGEST_MISMATCH');
      expect(r.failure?.segmentIndex).toBe(1);
      expect(r.segments).toBe(1);
      expect(r.plaintextSize).toBe(48);
    }
  });

  it('refuses what is no stream or source', async () => {
    expect(await codeOf(verifyDigests({} as Blob))).toBe('BAD_ARGUMENT');
  });
});
