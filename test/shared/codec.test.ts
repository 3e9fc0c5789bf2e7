/** The pure codec's own guards: buffers that do not fit a work item, and key-derivation error codes. */
import { describe, expect, it } from 'vitest';
import { joinFrames, openDataFrames, sealDataFrames } from '../../src/codec/frames.js';
import { deriveKeys } from '../../src/codec/keys.js';
import { checkSegmentBytes } from '../../src/codec/layout.js';
import { dataBodies, rangeWireSize, segmentRange } from '../../src/codec/range.js';
import { SegmentReader, type WireSegment } from '../../src/codec/reader.js';
import { nobleBackend } from '../../src/crypto/noble.js';
import type { FrameCrypto } from '../../src/crypto/types.js';
import { StreamV2Error } from '../../src/errors.js';
import { dataFrameWireSize } from '../../src/format/sizes.js';

const header = new Uint8Array(80).fill(7);

async function noble(): Promise<FrameCrypto> {
  const cipher = await nobleBackend.cipher('chacha20-poly1305', new Uint8Array(32).fill(1));
  return { cipher, sha256: nobleBackend.sha256 };
}

async function aesNoble(): Promise<FrameCrypto> {
  const cipher = await nobleBackend.cipher('aes-256-gcm', new Uint8Array(32).fill(1));
  return { cipher, sha256: nobleBackend.sha256 };
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return StreamV2Error.is(e) ? e.code : `not a StreamV2Error: ${String(e)}`;
  }
  return undefined;
}

describe('segmentRange', () => {
  it('gives whole frames and a short last one, and nothing for an empty segment', () => {
    expect(segmentRange(3, 10, 35)).toEqual({ segmentIndex: 3, firstFrame: 0, count: 4, frameSize: 10, lastLength: 5 });
    expect(segmentRange(0, 10, 40)).toMatchObject({ count: 4, lastLength: 10 });
    expect(segmentRange(0, 10, 0)).toMatchObject({ count: 0, lastLength: 0 });
  });
});

describe('sealDataFrames refuses buffers that do not fit the range (outputs may be uninitialized)', () => {
  const range = segmentRange(0, 16, 40);
  it('a short plaintext', async () => {
    const wire = new Uint8Array(rangeWireSize(range));
    expect(await codeOf(sealDataFrames(await noble(), header, new Uint8Array(39), wire, range))).toBe('BAD_ARGUMENT');
  });
  it('a short wire buffer', async () => {
    const wire = new Uint8Array(rangeWireSize(range) - 1);
    expect(await codeOf(sealDataFrames(await noble(), header, new Uint8Array(40), wire, range))).toBe('BAD_ARGUMENT');
  });
  it('fitting buffers seal (and open back)', async () => {
    const fc = await noble();
    const plain = Uint8Array.from({ length: 40 }, (_, i) => i);
    const wire = new Uint8Array(rangeWireSize(range));
    await sealDataFrames(fc, header, plain, wire, range);
    const { frames } = await openDataFrames(fc, header, wire, range, 40);
    expect(frames.map((f) => f.length)).toEqual([16, 16, 8]);
    expect(joinFrames(frames, new Uint8Array(40))).toEqual(plain);
  });
  it('in place (no plaintext: it sits in the frame bodies) gives the same bytes and hashes', async () => {
    for (const fc of [await noble(), await aesNoble()]) {
      const plain = Uint8Array.from({ length: 40 }, (_, i) => i * 7);
      const wire = new Uint8Array(rangeWireSize(range));
      const hashes = await sealDataFrames(fc, header, plain, wire, range);
      const inPlace = new Uint8Array(rangeWireSize(range)).fill(0xee); // stale bytes everywhere
      let at = 0;
      for (const body of dataBodies(inPlace, range)) {
        body.set(plain.subarray(at, at + body.length));
        at += body.length;
      }
      expect(at).toBe(40);
      expect(await sealDataFrames(fc, header, undefined, inPlace, range)).toEqual(hashes);
      expect(inPlace).toEqual(wire);
    }
  });
});

describe('dataBodies', () => {
  it('gives each frame body of a wire buffer, in order, the last one short', () => {
    const range = { ...segmentRange(2, 10, 25), firstFrame: 4 };
    const wire = new Uint8Array(rangeWireSize(range));
    const bodies = dataBodies(wire, range);
    expect(bodies.map((b) => [b.byteOffset, b.length])).toEqual([
      [18, 10],
      [18 + 44, 10],
      [18 + 88, 5],
    ]);
    expect(dataBodies(wire, segmentRange(0, 10, 0))).toEqual([]);
  });
});

describe('openDataFrames', () => {
  it('a wire buffer cut inside a frame header is BAD_FRAME, not a RangeError', async () => {
    const range = segmentRange(0, 16, 40);
    const fc = await noble();
    const wire = new Uint8Array(rangeWireSize(range));
    await sealDataFrames(fc, header, new Uint8Array(40), wire, range);
    const cut = wire.subarray(0, 16 + 34 + 10); // one whole frame, then 10 bytes of the next header
    expect(await codeOf(openDataFrames(fc, header, cut, range, 40))).toBe('BAD_FRAME');
  });

  // Frames are opened several at a time (src/codec/lanes.ts); the error is still the one a
  // frame-by-frame loop meets first.
  const failure = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      return StreamV2Error.is(e) ? `${e.code}@${e.frameIndex}` : String(e);
    }
    return 'resolved';
  };
  const flip = (b: Uint8Array, at: number) => {
    b[at] = (b[at] as number) ^ 1;
  };
  const sealed = async () => {
    const range = segmentRange(0, 16, 64); // 4 frames of 16 bytes
    const wire = new Uint8Array(rangeWireSize(range));
    await sealDataFrames(await noble(), header, new Uint8Array(64), wire, range);
    return { range, wire, stride: dataFrameWireSize(16) };
  };
  it('two tampered frames: AUTH_FAILED at the first', async () => {
    const { range, wire, stride } = await sealed();
    flip(wire, 3 * stride + 20);
    flip(wire, 1 * stride + 20);
    expect(await failure(openDataFrames(await noble(), header, wire, range, 64))).toBe('AUTH_FAILED@1');
  });
  it('a tampered frame before a frame that runs past the item: AUTH_FAILED, not BAD_FRAME', async () => {
    const { range, wire, stride } = await sealed();
    flip(wire, 1 * stride + 20);
    const cut = wire.subarray(0, 3 * stride + 20);
    expect(await failure(openDataFrames(await noble(), header, cut, range, 64))).toBe('AUTH_FAILED@1');
    flip(wire, 1 * stride + 20);
    expect(await failure(openDataFrames(await noble(), header, cut, range, 64))).toBe('BAD_FRAME@3');
  });
});

describe('deriveKeys: scrypt failures', () => {
  const kdf = { kdf: 'scrypt' as const, logN: 10, salt: new Uint8Array(16) };
  it('a StreamV2Error from the pool keeps its code (a terminated pool is ABORTED)', async () => {
    const scrypt = () => Promise.reject(new StreamV2Error('ABORTED', 'the worker pool was terminated'));
    expect(await codeOf(deriveKeys({ passphrase: 'x' }, kdf, scrypt))).toBe('ABORTED');
  });
  it('any other failure (out of memory, past what scrypt accepts) is LIMIT_EXCEEDED', async () => {
    const scrypt = () => Promise.reject(new RangeError('Invalid scrypt params'));
    expect(await codeOf(deriveKeys({ passphrase: 'x' }, kdf, scrypt))).toBe('LIMIT_EXCEEDED');
  });
});

describe('checkSegmentBytes in place (a worker reads a segment into a buffer of its own)', () => {
  it('gives what the copying reader gives, as a view of the input; refuses the same damage', async () => {
    const { EncryptSegmentTransform } = await import('#lib');
    const layout = { frameSize: 16, framesPerSegment: 3 };
    const pt = new Uint8Array(100).map((_, i) => i);
    const chunks: Uint8Array[] = [];
    await new Blob([pt])
      .stream()
      .pipeThrough(new EncryptSegmentTransform(new Uint8Array(32), { ...layout, workers: 0 }))
      .pipeTo(new WritableStream({ write: (c) => void chunks.push(c) }));
    const segments = chunks.slice(1); // one chunk per segment after the header
    for (const [k, seg] of segments.entries()) {
      const last = k === segments.length - 1;
      // The copying path: the segment fed byte by byte gathers into a buffer of the reader's.
      const reader = new SegmentReader(layout, undefined, k);
      let copied: WireSegment | undefined;
      for (let i = 0; i < seg.length; i++) copied = reader.feed(seg.subarray(i, i + 1), 0).segment ?? copied;
      const own = seg.slice();
      const inPlace = checkSegmentBytes(own, layout, k, last);
      expect(inPlace.bytes.buffer).toBe(own.buffer);
      expect(inPlace.owned).toBe(false);
      expect(copied?.owned).toBe(true);
      expect(copied?.bytes.buffer).not.toBe(seg.buffer);
      const fields = (w: WireSegment) => ({ ...w, owned: undefined, bytes: [...w.bytes] });
      expect(fields(inPlace)).toEqual(fields(copied as WireSegment));
      for (const cut of [own.subarray(0, own.length - 1), seg.slice(0, 20)]) {
        expect(() => checkSegmentBytes(cut.slice(), layout, k, last)).toThrow(/TRUNCATED/);
      }
      const flipped = seg.slice();
      flipped[2] = (flipped[2] as number) ^ 1; // the first frame header's segment_index
      expect(() => checkSegmentBytes(flipped, layout, k, last)).toThrow(/BAD_FRAME/);
    }
  });
});
