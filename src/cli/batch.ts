/**
 * Gathered writes for the CLI's outputs. `openEncrypted` gives a chunk per 64 KiB DATA frame
 * (the buffers its workers' ciphers made, never joined by a copy); written one by one, that is
 * a system call per 64 KiB. Here chunks that come together (a segment's frames arrive at once)
 * go out together: one `writev`, or one corked burst on stdout.
 */

/** A batch is written once it holds this many bytes, or when no chunk came for a task. */
const BATCH_BYTES = 1024 * 1024;

/**
 * A writable that hands its chunks to `writeAll` in batches, one batch in flight at a time (a
 * slow reader still slows the writer; memory stays at two batches). A failed batch fails the
 * next write or the close, so no error is lost.
 */
export function batchedWritable(writeAll: (chunks: Uint8Array[]) => Promise<void>): WritableStream<Uint8Array> {
  let pending: Uint8Array[] = [];
  let size = 0;
  let writing: Promise<void> = Promise.resolve();
  let timer: ReturnType<typeof setImmediate> | undefined;
  const flush = (): Promise<void> => {
    if (timer) clearImmediate(timer);
    timer = undefined;
    if (pending.length > 0) {
      const chunks = pending;
      pending = [];
      size = 0;
      writing = writing.then(() => writeAll(chunks));
    }
    return writing;
  };
  return new WritableStream<Uint8Array>({
    async write(chunk) {
      await writing;
      pending.push(chunk);
      size += chunk.length;
      if (size >= BATCH_BYTES) await flush();
      else timer ??= setImmediate(() => void flush().catch(() => {})); // rethrown by the next write or close
    },
    close: flush,
    abort() {
      if (timer) clearImmediate(timer);
      pending = [];
    },
  });
}
