/**
 * An ordered, bounded stream of segment results: up to `ahead` segments are worked on at once
 * (several workers busy), and they are enqueued in order. Memory stays at `ahead` segments
 * whatever the reader's speed: a new segment starts only when the reader pulls.
 */
import { StreamV2Error } from '../errors.js';

/**
 * @param first - index of the first item, `end` one past the last
 * @param produce - the bytes of item `i` (may be empty: nothing is enqueued then)
 * @param hooks - `onRelease(i)` runs just before item `i` is enqueued (its bytes leave the
 *   library), `onEnd` once when the stream closes, fails or is cancelled
 */
export function orderedStream(
  first: number,
  end: number,
  ahead: number,
  produce: (i: number) => Promise<Uint8Array>,
  hooks: { onRelease?: (i: number) => void; onEnd?: () => void } = {},
): ReadableStream<Uint8Array> {
  const queue: Array<{ i: number; work: Promise<Uint8Array> }> = [];
  let next = first;
  let ended = false;
  const finish = () => {
    if (ended) return;
    ended = true;
    hooks.onEnd?.();
  };
  const fill = () => {
    while (queue.length < ahead && next < end) {
      const i = next++;
      const work = produce(i);
      work.catch(() => {}); // awaited in order by pull; never an unhandled rejection
      queue.push({ i, work });
    }
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          for (;;) {
            fill();
            const head = queue.shift();
            if (!head) {
              finish();
              controller.close();
              return;
            }
            const bytes = await head.work;
            if (ended) return;
            hooks.onRelease?.(head.i);
            if (bytes.length > 0) {
              controller.enqueue(bytes);
              return;
            }
          }
        } catch (e) {
          finish();
          queue.length = 0;
          throw StreamV2Error.is(e) ? e : new StreamV2Error('SOURCE_FAILED', String(e), {}, { cause: e });
        }
      },
      cancel() {
        queue.length = 0;
        finish();
      },
    },
    { highWaterMark: 0 },
  );
}

/** Reads a whole stream into one buffer of `size` bytes. */
export async function collect(stream: ReadableStream<Uint8Array>, size: number): Promise<Uint8Array> {
  const out = new Uint8Array(size);
  let at = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    out.set(value, at);
    at += value.length;
  }
  return out;
}
