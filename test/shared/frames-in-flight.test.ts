/**
 * Frames in flight (src/codec/frames.ts, FRAMES_IN_FLIGHT): a backend that answers with
 * promises (WebCrypto) gets several frames of a segment at once, and its answers may come back
 * in any order. A stand-in backend does noble's work behind delays that finish out of order;
 * whatever the order, the wire bytes, hashes and plaintext are the ones a synchronous backend
 * gives, nothing is written or read after the call settled, and a failure is the one a
 * frame-by-frame loop meets first.
 */
import { describe, expect, it } from 'vitest';
import { hashDataFrames, joinFrames, openDataFrames, sealDataFrames } from '../../src/codec/frames.js';
import { dataBodies, type FrameRange, rangeWireSize, segmentRange } from '../../src/codec/range.js';
import { nobleBackend } from '../../src/crypto/noble.js';
import type { FrameCrypto } from '../../src/crypto/types.js';
import { StreamV2Error } from '../../src/errors.js';
import { dataFrameWireSize } from '../../src/format/sizes.js';

type B = Uint8Array;
const header = Uint8Array.from({ length: 80 }, (_, i) => i * 3);
const FRAME = 64;

async function noble(): Promise<FrameCrypto> {
  const cipher = await nobleBackend.cipher('aes-256-gcm', new Uint8Array(32).fill(9));
  return { cipher, sha256: nobleBackend.sha256 };
}

/** A small deterministic generator, so that a failing order can be run again. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

interface Delayed {
  readonly fc: FrameCrypto;
  /** Calls started and not yet answered. */
  readonly pending: () => number;
  /** The most calls in flight at once. */
  readonly most: () => number;
  /** Makes the `n`-th call (from 0, seal/open/hash alike) reject with `error`. */
  failCall(n: number, error: unknown): void;
}

/**
 * noble behind promises, answering after a random delay of 0 to 3 macrotasks, so that answers
 * overtake each other; writes into `out` happen when the answer comes, as with WebCrypto.
 * `reads`: when a call reads its inputs. WebCrypto copies them when it is called; `late` reads
 * them only when it answers, so a buffer the codec changes while a call is in flight (one AAD
 * rewritten per frame, a body not yet sealed) gives other bytes and the test fails.
 */
function delayed(inner: FrameCrypto, seed: number, reads: 'at-call' | 'late' = 'at-call'): Delayed {
  const next = rng(seed);
  let pending = 0;
  let most = 0;
  let calls = 0;
  const failures = new Map<number, unknown>();
  const later = async <T>(inputs: Uint8Array[], work: (inputs: Uint8Array[]) => T | Promise<T>): Promise<T> => {
    const n = calls++;
    pending++;
    most = Math.max(most, pending);
    try {
      const copies = reads === 'at-call' ? inputs.map((b) => b.slice()) : inputs;
      for (let hops = Math.floor(next() * 4); hops > 0; hops--) await new Promise((r) => setTimeout(r, 0));
      const value = await work(copies.map((b) => b.slice()));
      if (failures.has(n)) throw failures.get(n);
      return value;
    } finally {
      pending--;
    }
  };
  const fc: FrameCrypto = {
    cipher: {
      async seal(nonce, plaintext, out, aad) {
        const sealed = new Uint8Array(out.length);
        await later([nonce, plaintext, aad], ([iv, p, a]) => inner.cipher.seal(iv as B, p as B, sealed, a as B));
        out.set(sealed);
      },
      open: (nonce, sealed, aad) =>
        later([nonce, sealed, aad], ([iv, s, a]) => inner.cipher.open(iv as B, s as B, a as B)),
    },
    sha256: (data) => later([data], ([d]) => inner.sha256(d as B)),
  };
  return {
    fc,
    pending: () => pending,
    most: () => most,
    failCall: (n, error) => void failures.set(n, error),
  };
}

/** The wire bytes and hashes of `plain` sealed by the synchronous backend. */
async function reference(range: FrameRange, plain: Uint8Array) {
  const wire = new Uint8Array(rangeWireSize(range));
  const hashes = await sealDataFrames(await noble(), header, plain, wire, range);
  return { wire, hashes };
}

const plainOf = (n: number, seed: number) => {
  const next = rng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
};

const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return StreamV2Error.is(e) ? `${e.code}@${e.frameIndex}` : `not a StreamV2Error: ${String(e)}`;
  }
  return 'resolved';
};

// 9 frames, the last one short: more frames than are in flight at once, and an odd tail.
const SIZE = 8 * FRAME + 23;
const range = segmentRange(5, FRAME, SIZE);

describe('frames in flight, answers out of order', () => {
  for (const [seed, reads] of [1, 2, 3, 4, 5, 6, 7, 8].flatMap((s) => [
    [s, 'at-call'] as const,
    [s, 'late'] as const,
  ])) {
    it(`seal (from a plaintext and in place), open and hash give the synchronous bytes (seed ${seed}, inputs read ${reads})`, async () => {
      const plain = plainOf(SIZE, seed);
      const want = await reference(range, plain);
      const d = delayed(await noble(), seed, reads);
      const wire = new Uint8Array(rangeWireSize(range)).fill(0xee);
      expect(await sealDataFrames(d.fc, header, plain, wire, range)).toEqual(want.hashes);
      expect(d.pending()).toBe(0);
      expect(wire).toEqual(want.wire);
      expect(d.most()).toBeGreaterThan(1); // several frames were in flight at once
      // In place: the plaintext already in the frame bodies, sealed there.
      const inPlace = new Uint8Array(rangeWireSize(range)).fill(0xee);
      dataBodies(inPlace, range).forEach((b, i) => void b.set(plain.subarray(i * FRAME, i * FRAME + b.length)));
      expect(await sealDataFrames(d.fc, header, undefined, inPlace, range)).toEqual(want.hashes);
      expect(inPlace).toEqual(want.wire);
      const opened = await openDataFrames(d.fc, header, want.wire, range, SIZE);
      expect(d.pending()).toBe(0);
      expect(opened.hashes).toEqual(want.hashes);
      expect(joinFrames(opened.frames, new Uint8Array(SIZE))).toEqual(plain);
      expect(await hashDataFrames(d.fc.sha256, want.wire, range.count)).toEqual(want.hashes);
      expect(d.pending()).toBe(0);
    });
  }
});

describe('frames in flight: a failure mid-segment while others are in flight', () => {
  const stride = dataFrameWireSize(FRAME);
  const flip = (b: Uint8Array, at: number) => {
    b[at] = (b[at] as number) ^ 1;
  };
  for (const seed of [11, 12, 13, 14]) {
    it(`tampered frames 6 and 2: AUTH_FAILED at frame 2, nothing left in flight (seed ${seed})`, async () => {
      const { wire } = await reference(range, plainOf(SIZE, seed));
      flip(wire, 6 * stride + 30);
      flip(wire, 2 * stride + 30);
      const d = delayed(await noble(), seed);
      expect(await failure(openDataFrames(d.fc, header, wire, range, SIZE))).toBe('AUTH_FAILED@2');
      expect(d.pending()).toBe(0);
    });
    it(`a backend that rejects one call: that error, after every call in flight settled (seed ${seed})`, async () => {
      const plain = plainOf(SIZE, seed);
      const { wire } = await reference(range, plain);
      const boom = new StreamV2Error('SOURCE_FAILED', 'the stand-in backend failed');
      for (const n of [0, 3, 7]) {
        const opening = delayed(await noble(), seed + n);
        opening.failCall(n, boom);
        await expect(openDataFrames(opening.fc, header, wire, range, SIZE)).rejects.toBe(boom);
        expect(opening.pending()).toBe(0);
        const sealing = delayed(await noble(), seed + n);
        sealing.failCall(n, boom);
        const out = new Uint8Array(rangeWireSize(range));
        await expect(sealDataFrames(sealing.fc, header, plain, out, range)).rejects.toBe(boom);
        expect(sealing.pending()).toBe(0);
        const snapshot = out.slice();
        await new Promise((r) => setTimeout(r, 20)); // no lane writes into `out` any more
        expect(out).toEqual(snapshot);
      }
    });
  }
  it('a frame whose hash fails while its open is in flight: the error only once the open answered', async () => {
    const { wire } = await reference(range, plainOf(SIZE, 21));
    const inner = await noble();
    let opening = 0;
    const fc: FrameCrypto = {
      cipher: {
        seal: inner.cipher.seal,
        async open(nonce, sealed, aad) {
          const [iv, s, a] = [nonce.slice(), sealed.slice(), aad.slice()];
          opening++;
          await new Promise((r) => setTimeout(r, 20));
          opening--;
          return inner.cipher.open(iv, s, a);
        },
      },
      sha256: async () => {
        throw new StreamV2Error('SOURCE_FAILED', 'the stand-in hash failed');
      },
    };
    await expect(openDataFrames(fc, header, wire, range, SIZE)).rejects.toMatchObject({ code: 'SOURCE_FAILED' });
    expect(opening).toBe(0);
  });
});
