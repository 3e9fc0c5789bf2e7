/**
 * Issue 8's library defects, each pinned by a test that failed before its fix: memory with one
 * huge write, limits, key ownership and size arithmetic. Cancel during flush and non-byte chunks
 * are in concurrency.test.ts, pool recovery in pool-recovery.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ciphertextSize, DecryptSegmentTransform, EncryptSegmentTransform, StreamV2Error, type WorkerPool } from '#lib';
import { randomBytes, run, sameBytes } from '../helpers.js';

const MiB = 1024 * 1024;
const key = () => crypto.getRandomValues(new Uint8Array(32));

async function encrypt(k: Uint8Array, pt: Uint8Array, workers: number | WorkerPool = 0): Promise<Uint8Array> {
  const r = await run(new EncryptSegmentTransform(k, { workers }), [pt]);
  expect(r.error).toBeUndefined();
  return r.output;
}

async function decryptAll(k: Uint8Array, ct: Uint8Array, workers: number | WorkerPool): Promise<Uint8Array> {
  const r = await run(new DecryptSegmentTransform(k, { workers }), [ct]);
  expect(r.error).toBeUndefined();
  return r.output;
}

describe('memory with one large write', () => {
  for (const workers of [0, 2]) {
    for (const side of ['encrypt', 'decrypt'] as const) {
      it(`${side}, workers ${workers}: one 96 MiB write with no reader holds a bounded amount`, async () => {
        const k = key();
        const pt = randomBytes(96 * MiB);
        const input = side === 'encrypt' ? pt : await encrypt(k, pt);
        const t =
          side === 'encrypt'
            ? new EncryptSegmentTransform(k, { workers })
            : new DecryptSegmentTransform(k, { workers });
        const writer = t.writable.getWriter();
        const writing = writer.write(input);
        await new Promise((r) => setTimeout(r, 1500)); // time to seal far more than the bound
        // README bound: (2·workers + 2) segments in flight, input and output (1 inline), plus the
        // reader's queue (1 MiB high-water mark) and the in-flight segments it may still receive.
        const limit = workers === 0 ? 1 : 2 * workers + 2;
        const bound = limit * 2.1 * MiB + 1 * MiB + limit * 1.1 * MiB;
        expect(t.progress.peakHeldBytes).toBeGreaterThan(0);
        expect(t.progress.peakHeldBytes).toBeLessThanOrEqual(bound);
        // Now read it all: nothing was lost while the writer waited.
        const reading = new Response(t.readable).arrayBuffer();
        await writing;
        await writer.close();
        const out = new Uint8Array(await reading);
        if (side === 'decrypt') expect(sameBytes(out, pt)).toBe(true);
        else expect(sameBytes(await decryptAll(k, out, 0), pt)).toBe(true);
        expect(t.progress.peakHeldBytes).toBeLessThanOrEqual(bound);
      });
    }
  }

  it('a slow reader (a chunk every 5 ms) keeps the bound too', async () => {
    const t = new EncryptSegmentTransform(key(), { workers: 2 });
    const writer = t.writable.getWriter();
    const writing = writer.write(randomBytes(64 * MiB)).then(() => writer.close());
    const reader = t.readable.getReader();
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    await writing;
    expect(t.progress.peakHeldBytes).toBeLessThanOrEqual(6 * 2.1 * MiB + 7.6 * MiB);
  });
});

describe('limits', () => {
  it('a decoder limit above what can be allocated is refused with BAD_ARGUMENT', () => {
    for (const maxSegmentBytes of [2 ** 30 + 1, 2 ** 40]) {
      let e: unknown;
      try {
        new DecryptSegmentTransform(key(), { limits: { maxSegmentBytes } });
      } catch (x) {
        e = x;
      }
      expect(StreamV2Error.is(e) && e.code).toBe('BAD_ARGUMENT');
    }
  });

  it('a header asking for more than 1 GiB per segment is LIMIT_EXCEEDED before any allocation', async () => {
    // A 16 MiB frame × 65536 frames = 2^40 bytes per segment: only the header is needed.
    const k = key();
    const ct = await encrypt(k, randomBytes(10));
    const forged = ct.slice(0, 80);
    new DataView(forged.buffer).setUint32(8, 2 ** 24);
    new DataView(forged.buffer).setUint32(12, 65536);
    const r = await run(new DecryptSegmentTransform(k, { limits: { maxSegmentBytes: 2 ** 30 } }), [forged]);
    expect(StreamV2Error.is(r.error) && r.error.code).toBe('LIMIT_EXCEEDED');
  });
});

describe('key ownership', () => {
  for (const side of ['encrypt', 'decrypt'] as const) {
    it(`${side}: zeroing the caller's key array after construction changes nothing`, async () => {
      const k = key();
      const pt = randomBytes(100_000);
      const ct = await encrypt(k, pt);
      const mine = k.slice();
      const t = side === 'encrypt' ? new EncryptSegmentTransform(mine) : new DecryptSegmentTransform(mine);
      mine.fill(0); // before the header arrives (decrypt) or keys are derived (encrypt)
      const r = await run(t, [side === 'encrypt' ? pt : ct]);
      expect(r.error).toBeUndefined();
      const plain = side === 'encrypt' ? await decryptAll(k, r.output, 0) : r.output;
      expect(sameBytes(plain, pt)).toBe(true);
    });
  }

  it('a passphrase with a lone surrogate is refused on encrypt (it would encode as U+FFFD)', () => {
    for (const passphrase of ['a\uD800b', '\uDC00', 'x\uD83D']) {
      expect(() => new EncryptSegmentTransform({ passphrase })).toThrow(/lone UTF-16 surrogate/);
    }
    expect(() => new EncryptSegmentTransform({ passphrase: 'ok \uD83D\uDE00' }, { logN: 1 })).not.toThrow();
  });
});

describe('sizes', () => {
  it('ciphertextSize refuses a result beyond Number.MAX_SAFE_INTEGER', () => {
    const e = (() => {
      try {
        return ciphertextSize(2 ** 52, { frameSize: 1, framesPerSegment: 1 });
      } catch (x) {
        return x;
      }
    })();
    expect(StreamV2Error.is(e) && e.code).toBe('BAD_ARGUMENT');
    expect(Number.isSafeInteger(ciphertextSize(2 ** 40))).toBe(true);
  });
});
