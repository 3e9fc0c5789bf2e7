/**
 * Recycled input buffers: a segment being formed (plaintext for encrypt, wire bytes for
 * decrypt) goes to a worker and comes back with the answer. They never reach a stream's
 * reader, whose chunks are always new buffers, so reusing them is safe; it spares the calling
 * thread a fresh allocation per segment, which costs page faults (~100 ms per GiB measured in
 * Node). One per pool, shared by all its streams (and one per inline runner): the free buffers
 * are bounded per pool, not per stream.
 */
import type { Allocator } from '../platform/types.js';

/** Free buffers kept beyond this many bytes are dropped (huge segments are not hoarded). */
const KEEP_BYTES = 64 * 1024 * 1024;

export class Recycler {
  private readonly free: ArrayBuffer[] = [];
  /**
   * @param keep - how many free buffers to hold at most (about the segments its budget allows)
   * @param allocate - the platform's allocator
   */
  constructor(
    private readonly keep: number,
    private readonly allocate: Allocator,
  ) {}

  /** A buffer of exactly `size` bytes, recycled when one is free; its content is stale. */
  take = (size: number): Uint8Array => {
    const i = this.free.findIndex((b) => b.byteLength === size);
    if (i < 0) return this.allocate(size);
    return new Uint8Array(this.free.splice(i, 1)[0] as ArrayBuffer);
  };

  /** Hands a buffer back once nothing reads it any more. */
  give(buffer: ArrayBuffer): void {
    const most = Math.min(this.keep, Math.max(1, Math.floor(KEEP_BYTES / buffer.byteLength)));
    if (buffer.byteLength > 0 && !this.free.includes(buffer)) {
      this.free.push(buffer);
      if (this.free.length > most) this.free.shift();
    }
  }
}
