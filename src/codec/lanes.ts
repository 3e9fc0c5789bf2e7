/**
 * Frames of a work item in flight together. WebCrypto answers every call asynchronously, so a
 * worker that awaited each frame's seal and hash in turn sat idle between answers (issue 12 §2:
 * the browser pool kept ~1.1 of 2 cores busy). Backends that answer at once (node:crypto,
 * noble) run the frames one after another as before.
 */
import type { MaybePromise } from '../crypto/types.js';

/** Frames a work item keeps in flight at once: enough to cover WebCrypto's round trips. */
export const FRAMES_IN_FLIGHT = 8;

/**
 * Runs `task(i)` for every i in 0..count-1, in index order, up to {@link FRAMES_IN_FLIGHT} at a
 * time. Fails as a plain loop would: with the error of the lowest failing index. Once an index
 * fails no later one starts, and every earlier one has already started, so whichever frames
 * fail first in time, the one reported is the same.
 */
export async function eachFrame(count: number, task: (i: number) => MaybePromise<void>): Promise<void> {
  let next = 0;
  let failed = count;
  let error: unknown;
  const lane = async () => {
    while (next < Math.min(count, failed)) {
      const i = next++;
      try {
        await task(i);
      } catch (e) {
        if (i < failed) {
          failed = i;
          error = e;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(FRAMES_IN_FLIGHT, count) }, lane));
  if (failed < count) throw error;
}
