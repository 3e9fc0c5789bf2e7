/** The CLI's gathered writes: order kept, chunks that come together written together, no error lost. */
import { describe, expect, it } from 'vitest';
import { batchedWritable } from '../../src/cli/batch.js';

const chunk = (n: number, v: number) => new Uint8Array(n).fill(v);

describe('batchedWritable', () => {
  it('writes a burst of small chunks in few calls, in order, and everything by close', async () => {
    const calls: number[][] = [];
    const sink = batchedWritable(async (chunks) => {
      calls.push(chunks.map((c) => c[0] as number));
    });
    const parts = Array.from({ length: 40 }, (_, i) => chunk(64 * 1024, i)); // 2.5 MiB, as frames come
    await new ReadableStream({
      start(c) {
        for (const p of parts) c.enqueue(p);
        c.close();
      },
    }).pipeTo(sink);
    expect(calls.flat()).toEqual(parts.map((_, i) => i));
    expect(calls.length).toBeLessThanOrEqual(3); // 1 MiB batches, not 40 writes
  });

  it('a lone small chunk is written without waiting for more (within a task)', async () => {
    const written: number[] = [];
    const sink = batchedWritable(async (chunks) => {
      written.push(...chunks.map((c) => c.length));
    });
    const writer = sink.getWriter();
    await writer.write(chunk(10, 1));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(written).toEqual([10]);
    await writer.close();
  });

  it('a failed batch fails the close (or the next write): no error is lost', async () => {
    const sink = batchedWritable(async () => {
      throw new Error('disk full');
    });
    const writer = sink.getWriter();
    await writer.write(chunk(10, 1)); // buffered
    await expect(writer.close()).rejects.toThrow('disk full');

    const again = batchedWritable(async () => {
      throw new Error('disk full');
    }).getWriter();
    await again.write(chunk(10, 1));
    await new Promise((r) => setImmediate(r)); // the batch was written (and failed) meanwhile
    await expect(again.write(chunk(10, 2))).rejects.toThrow('disk full');
  });

  it('holds at most one batch in flight: a slow writer slows the stream', async () => {
    let release: () => void = () => {};
    let inFlight = 0;
    let most = 0;
    const sink = batchedWritable(async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise<void>((r) => {
        release = r;
      });
      inFlight--;
    });
    const writer = sink.getWriter();
    const first = writer.write(chunk(1024 * 1024, 1)); // a full batch: its write starts, and waits
    let accepted = false;
    const next = writer.write(chunk(10, 2)).then(() => {
      accepted = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(accepted).toBe(false); // waits for the batch in flight
    release();
    await first;
    await next;
    expect(accepted).toBe(true);
    const closing = writer.close();
    await new Promise((r) => setImmediate(r));
    release();
    await closing;
    expect(most).toBe(1);
  });
});
