/** Frames in flight together (src/codec/lanes.ts): bounded, in index order, and failing as a loop would. */
import { describe, expect, it } from 'vitest';
import { eachFrame, FRAMES_IN_FLIGHT } from '../../src/codec/lanes.js';

const tick = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

describe('eachFrame', () => {
  it('runs every index once, starting them in order, at most FRAMES_IN_FLIGHT at a time', async () => {
    const started: number[] = [];
    let running = 0;
    let most = 0;
    await eachFrame(40, async (i) => {
      started.push(i);
      most = Math.max(most, ++running);
      await tick(i % 3);
      running--;
    });
    expect(started).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(most).toBe(FRAMES_IN_FLIGHT);
  });

  it('overlaps asynchronous frames (the point: WebCrypto answers later)', async () => {
    let running = 0;
    let most = 0;
    await eachFrame(4, async () => {
      most = Math.max(most, ++running);
      await tick(5);
      running--;
    });
    expect(most).toBe(4);
  });

  it('reports the lowest failing index even when a later frame fails first', async () => {
    const seen: number[] = [];
    const run = eachFrame(20, async (i) => {
      seen.push(i);
      if (i === 5) throw new Error('frame 5'); // fails at once
      if (i === 2) {
        await tick(20);
        throw new Error('frame 2'); // fails last
      }
      await tick(1);
    });
    await expect(run).rejects.toThrow('frame 2');
    // no frame after the first failure in index order starts once it is known
    expect(Math.max(...seen)).toBeLessThan(20);
  });

  it('runs synchronous tasks and does nothing for no frames', async () => {
    const out: number[] = [];
    await eachFrame(3, (i) => {
      out.push(i);
    });
    await eachFrame(0, () => {
      throw new Error('never');
    });
    expect(out).toEqual([0, 1, 2]);
  });
});
