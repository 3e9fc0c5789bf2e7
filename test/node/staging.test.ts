/** The per-stream recycling of input buffers (src/pool/recycler.ts). */
import { describe, expect, it } from 'vitest';
import { nodePlatform } from '../../src/platform/node.js';
import { allocator } from '../../src/platform/types.js';
import { Recycler as BaseStaging } from '../../src/pool/recycler.js';

class Staging extends BaseStaging {
  constructor(keep: number) {
    super(keep, allocator(nodePlatform));
  }
}

describe('Staging', () => {
  it('hands a given-back buffer out again, only for the same size, never twice at once', () => {
    const s = new Staging(4);
    const a = s.take(1024);
    const b = s.take(1024);
    expect(a.buffer).not.toBe(b.buffer);
    s.give(a.buffer as ArrayBuffer);
    s.give(a.buffer as ArrayBuffer); // a second give of the same buffer is ignored
    expect(s.take(2048).buffer).not.toBe(a.buffer);
    const again = s.take(1024);
    expect(again.buffer).toBe(a.buffer);
    expect(again.length).toBe(1024);
    expect(s.take(1024).buffer).not.toBe(a.buffer); // it was taken: not handed out twice
  });

  it('ignores detached buffers and keeps at most `keep` free ones', () => {
    const s = new Staging(2);
    const detached = s.take(16).buffer as ArrayBuffer;
    structuredClone(detached, { transfer: [detached] });
    s.give(detached);
    const bufs = [s.take(16), s.take(16), s.take(16)].map((u) => u.buffer as ArrayBuffer);
    for (const b of bufs) s.give(b);
    const back = [s.take(16), s.take(16), s.take(16)].map((u) => u.buffer);
    expect(back.filter((b) => bufs.includes(b as ArrayBuffer))).toHaveLength(2);
    expect(back.every((b) => b.byteLength === 16)).toBe(true);
  });

  it('does not hoard huge buffers: one free buffer of 64 MiB or more at most', () => {
    const s = new Staging(8);
    const big = [s.take(40 * 2 ** 20), s.take(40 * 2 ** 20)].map((u) => u.buffer as ArrayBuffer);
    for (const b of big) s.give(b);
    const back = [s.take(40 * 2 ** 20), s.take(40 * 2 ** 20)].map((u) => u.buffer);
    expect(back.filter((b) => big.includes(b as ArrayBuffer))).toHaveLength(1);
  });
});
