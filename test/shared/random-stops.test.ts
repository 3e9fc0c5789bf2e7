/**
 * Issue 20, round 2 of the reliability attacks, on the random-access calls: a way out of a
 * stalled read (F8: `signal`, `close()`), what a source returns is copied before it is checked
 * (F9), and malformed arguments are `BAD_ARGUMENT` with a message, never a raw error (F11).
 */
import { describe, expect, it } from 'vitest';
import {
  DecryptSegmentTransform,
  EncryptSegmentTransform,
  encryptBlob,
  openEncrypted,
  type RangeSource,
  verifyDigests,
  WorkerPool,
} from '#lib';
import { run, seededBytes, within } from '../helpers.js';
import { codeOf } from '../random-helpers.js';

const KEY = seededBytes(32, 0x5709);
const layout = { frameSize: 1000, framesPerSegment: 2 }; // 2000-byte segments
const W = 2 * (18 + 1000 + 16) + (18 + 33 + 16) + (18 + 16);

async function sealed(plain: Uint8Array): Promise<Uint8Array> {
  const r = await run(new EncryptSegmentTransform(KEY, { ...layout, workers: 0 }), [plain]);
  return r.output;
}

/** A RangeSource over `bytes` whose reads from `stallFrom` on never answer (but that of the stream's end). */
function stalling(bytes: Uint8Array, stallFrom: number): RangeSource {
  return {
    size: bytes.length,
    read: (offset, length) =>
      offset >= stallFrom && offset + length !== bytes.length
        ? new Promise<Uint8Array>(() => {})
        : Promise.resolve(bytes.slice(offset, offset + length)),
  };
}

describe('F8: a way out of a stalled read', () => {
  const plain = seededBytes(10_000, 3);

  it('openEncrypted: its signal stops an opening whose source hangs', async () => {
    const c = new AbortController();
    const opening = openEncrypted(stalling(await sealed(plain), 0), KEY, { signal: c.signal, workers: 0 });
    setTimeout(() => c.abort(new Error('enough')), 50);
    expect(await within(codeOf(opening), 5_000, 'openEncrypted')).toBe('ABORTED');
  });

  for (const workers of [0, 2] as const) {
    it(`close() fails a read still going with ABORTED, at once (workers=${workers})`, async () => {
      const pool = workers && new WorkerPool({ size: workers });
      try {
        const ct = await sealed(plain);
        // Everything reads but segment 2, which hangs.
        const source = stalling(ct, 80 + 2 * W);
        const file = await openEncrypted(source, KEY, { workers: pool || 0 });
        const reading = file.read(0, plain.length);
        await new Promise((r) => setTimeout(r, 50));
        file.close();
        expect(await within(codeOf(reading), 2_000, 'read after close')).toBe('ABORTED');
        expect(await codeOf(file.read(0, 10))).toBe('ABORTED');
      } finally {
        if (pool) await pool.terminate();
      }
    });
  }

  it('stream({ signal }) and read(a, b, { signal }) stop with ABORTED; an aborted signal refuses at once', async () => {
    const ct = await sealed(plain);
    const source = stalling(ct, 80 + W);
    const file = await openEncrypted(source, KEY, { workers: 0 });
    const c = new AbortController();
    const reader = file.stream({ signal: c.signal }).getReader();
    expect((await reader.read()).value?.length).toBe(2000);
    const next = reader.read();
    setTimeout(() => c.abort(), 20);
    expect(await within(codeOf(next), 2_000, 'read of a stalled segment')).toBe('ABORTED');
    const d = new AbortController();
    const r = file.read(0, plain.length, { signal: d.signal });
    d.abort();
    expect(await within(codeOf(r), 2_000, 'read')).toBe('ABORTED');
    expect(await codeOf(file.read(0, 10, { signal: AbortSignal.abort() }))).toBe('ABORTED');
    expect(await codeOf(() => file.stream({ signal: 'x' as unknown as AbortSignal }))).toBe('BAD_ARGUMENT');
    file.close();
  });
});

describe('F9: what a source returns is checked on a copy of its own', () => {
  it('a stream cut at a segment boundary never opens as complete, whatever its source does to the bytes it returned', async () => {
    const plain = seededBytes(6000, 9); // 3 segments
    const whole = await sealed(plain);
    // The source hands out views of its memory, and rewrites the last TERMINATOR's flags while
    // the reader looks: FINAL when read, the true (authentic) 0 a few microtasks later (tried
    // at every delay from 1 to 40, so the rewrite lands between any check and any later use).
    for (let ticks = 1; ticks <= 40; ticks++) {
      const cut = whole.slice(0, 80 + 2 * W); // two segments: the TERMINATOR at the end is not FINAL
      const flags = cut.length - 34 + 13;
      const source: RangeSource = {
        size: cut.length,
        async read(offset, length) {
          if (offset + length === cut.length) {
            cut[flags] = 1;
            void (async () => {
              for (let t = 0; t < ticks; t++) await null;
              cut[flags] = 0;
            })();
          }
          return cut.subarray(offset, offset + length);
        },
      };
      const code = await codeOf(openEncrypted(source, KEY, { workers: 0 }));
      expect(['AUTH_FAILED', 'TRUNCATED'], `rewritten after ${ticks} microtasks`).toContain(code);
    }
  });
});

describe('F11: malformed arguments are BAD_ARGUMENT with a message', () => {
  const blob = new Blob([new Uint8Array(10)]);
  const cases: Array<[string, () => unknown]> = [
    ['EncryptSegmentTransform(key, null)', () => new EncryptSegmentTransform(KEY, null as never)],
    ['DecryptSegmentTransform(key, null)', () => new DecryptSegmentTransform(KEY, null as never)],
    [
      'DecryptSegmentTransform(key, { limits: null })',
      () => new DecryptSegmentTransform(KEY, { limits: null as never }),
    ],
    ['new WorkerPool(null)', () => new WorkerPool(null as never)],
    ['encryptBlob(blob, key, null)', () => encryptBlob(blob, KEY, null as never)],
    ['openEncrypted(blob, key, null)', () => openEncrypted(blob, KEY, null as never)],
    ['openEncrypted(blob, key, { limits: null })', () => openEncrypted(blob, KEY, { limits: null as never })],
    ['verifyDigests(blob, null)', () => verifyDigests(blob, null as never)],
    ['verifyDigests(blob, { limits: null })', () => verifyDigests(blob, { limits: null as never })],
  ];
  for (const [name, call] of cases) {
    it(name, async () => {
      expect(await codeOf(async () => call())).toBe('BAD_ARGUMENT');
    });
  }

  it('read(undefined, 5), read(0, undefined), stream(null), BlobEncryption.stream(null)', async () => {
    const plain = seededBytes(3000, 4);
    const file = await openEncrypted(new Blob([(await sealed(plain)) as Uint8Array<ArrayBuffer>]), KEY, { workers: 0 });
    expect(await codeOf(file.read(undefined as never, 5))).toBe('BAD_ARGUMENT');
    expect(await codeOf(file.read(0, undefined as never))).toBe('BAD_ARGUMENT');
    expect(await codeOf(() => file.stream(null as never))).toBe('BAD_ARGUMENT');
    file.close();
    const enc = await encryptBlob(new Blob([plain as Uint8Array<ArrayBuffer>]), KEY, { workers: 0 });
    expect(await codeOf(() => enc.stream(null as never))).toBe('BAD_ARGUMENT');
    enc.close();
  });
});
