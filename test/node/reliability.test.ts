/**
 * Issue 8's library defects, each pinned by a test that failed before its fix: stream life-cycle
 * edges (cancel during flush, bad chunks), memory with one huge write, limits, key ownership,
 * pool recovery and size arithmetic.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DecryptSegmentTransform, EncryptSegmentTransform, encryptedSize, StreamV2Error, WorkerPool } from '#lib';
import { randomBytes, run, sameBytes } from '../helpers.js';

const MiB = 1024 * 1024;
const key = () => crypto.getRandomValues(new Uint8Array(32));

/** Rejects if `p` has not settled within `ms`: a hang is a failure, not a slow pass. */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`hung for ${ms} ms`)), ms))]);
}

/** How a promise settled: 'resolved', or the rejection. */
async function outcome(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => 'resolved',
    (e: unknown) => e,
  );
}

async function encrypt(k: Uint8Array, pt: Uint8Array, workers: number | WorkerPool = 0): Promise<Uint8Array> {
  const r = await run(new EncryptSegmentTransform(k, { workers }), [pt]);
  expect(r.error).toBeUndefined();
  return r.output;
}

describe('cancel while the writer closes (flush)', () => {
  const pool = new WorkerPool({ size: 2 });
  afterAll(() => pool.terminate());

  for (const side of ['encrypt', 'decrypt'] as const) {
    it(`${side}: reader.cancel() after close resolves, no raw TypeError, pool still works`, async () => {
      const k = key();
      const pt = randomBytes(4 * MiB);
      const input = side === 'encrypt' ? pt : await encrypt(k, pt);
      const t =
        side === 'encrypt'
          ? new EncryptSegmentTransform(k, { workers: pool })
          : new DecryptSegmentTransform(k, { workers: pool });
      const writer = t.writable.getWriter();
      const reader = t.readable.getReader();
      const rejections: unknown[] = [];
      const onUnhandled = (e: unknown) => rejections.push(e);
      process.on('unhandledRejection', onUnhandled);
      try {
        void writer.write(input).catch(() => {});
        const closing = outcome(writer.close());
        await reader.read(); // the header or the first segment
        await new Promise((r) => setTimeout(r, 20)); // the write went through: flush is under way
        const cancelled = await within(outcome(reader.cancel('enough')), 10_000);
        expect(cancelled).toBe('resolved');
        // The writer's close resolves, or rejects with the cancel's reason or a StreamV2Error.
        const closed = await within(closing, 10_000);
        expect(closed === 'resolved' || closed === 'enough' || StreamV2Error.is(closed)).toBe(true);
        await new Promise((r) => setTimeout(r, 50));
        expect(rejections).toEqual([]);
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
      expect(sameBytes(await decryptAll(k, await encrypt(k, pt, pool), pool), pt)).toBe(true);
    });
  }
});

async function decryptAll(k: Uint8Array, ct: Uint8Array, workers: number | WorkerPool): Promise<Uint8Array> {
  const r = await run(new DecryptSegmentTransform(k, { workers }), [ct]);
  expect(r.error).toBeUndefined();
  return r.output;
}

describe('chunks that are not bytes', () => {
  const bad: Array<[string, unknown]> = [
    ['null', null],
    ['undefined', undefined],
    ['a negative byteLength', { byteLength: -1 }],
    ['a string', 'text'],
  ];
  for (const side of ['encrypt', 'decrypt'] as const) {
    for (const [name, chunk] of bad) {
      it(`${side}: ${name} fails the pipe with BAD_ARGUMENT instead of hanging`, async () => {
        const t = side === 'encrypt' ? new EncryptSegmentTransform(key()) : new DecryptSegmentTransform(key());
        const source = new ReadableStream<unknown>({
          start(c) {
            c.enqueue(chunk);
            c.close();
          },
        });
        const piped = (source as ReadableStream<Uint8Array>).pipeThrough(t).pipeTo(new WritableStream());
        const e = await within(outcome(piped), 5000);
        expect(StreamV2Error.is(e) && e.code).toBe('BAD_ARGUMENT');
      });
    }
  }
});

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
        expect(t.peakHeldBytes).toBeGreaterThan(0);
        expect(t.peakHeldBytes).toBeLessThanOrEqual(bound);
        // Now read it all: nothing was lost while the writer waited.
        const reading = new Response(t.readable).arrayBuffer();
        await writing;
        await writer.close();
        const out = new Uint8Array(await reading);
        if (side === 'decrypt') expect(sameBytes(out, pt)).toBe(true);
        else expect(sameBytes(await decryptAll(k, out, 0), pt)).toBe(true);
        expect(t.peakHeldBytes).toBeLessThanOrEqual(bound);
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
    expect(t.peakHeldBytes).toBeLessThanOrEqual(6 * 2.1 * MiB + 7.6 * MiB);
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
  it('encryptedSize refuses a result beyond Number.MAX_SAFE_INTEGER', () => {
    const e = (() => {
      try {
        return encryptedSize(2 ** 52, { frameSize: 1, framesPerSegment: 1 });
      } catch (x) {
        return x;
      }
    })();
    expect(StreamV2Error.is(e) && e.code).toBe('BAD_ARGUMENT');
    expect(Number.isSafeInteger(encryptedSize(2 ** 40))).toBe(true);
  });
});
