/**
 * The ciphertext as tus reads it: its chunks, in order, cut from one `encryptBlob().stream()`.
 * The stream seals segments in parallel and in order, so reading it costs one pass; each chunk
 * is a Blob of the segments' own buffers (one copy, into the Blob the browser sends as is),
 * where `read(start, end)` per chunk put every chunk's bytes into a new buffer first (issue
 * 23 measured that at about 2 CPU-s per GiB more). While tus sends a chunk, the next one is
 * read ahead.
 */
import type { BlobEncryption } from '../src/browser.js';

/** One chunk being read: its range and its bytes to come. */
interface Pending {
  start: number;
  end: number;
  blob: Promise<Blob>;
}

/** tus's `FileSource` over the ciphertext of one encryption. */
export class CiphertextChunks {
  readonly size: number;
  private reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  /** The ciphertext offset of the next byte not yet taken (the first of `left`, if any). */
  private at = 0;
  /** What is left of the last buffer read, past a chunk's end. */
  private left: Uint8Array | undefined;
  private ahead: Pending | undefined;
  /** Reads run one at a time: the reader is not shared. */
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * @param enc - the encryption to read
   * @param chunkSize - tus's chunk size: how much is read ahead
   * @param onRead - after each chunk is read: the ciphertext end it reached (the bytes encrypted)
   */
  constructor(
    private readonly enc: BlobEncryption,
    private readonly chunkSize: number,
    private readonly onRead: (end: number) => void = () => {},
  ) {
    this.size = enc.ciphertextSize;
  }

  /** The bytes [start, end) as a Blob; the next chunk is read meanwhile. */
  async slice(start: number, end: number): Promise<{ value: Blob; done: boolean }> {
    const e = Math.min(end, this.size);
    const own = this.ahead?.start === start && this.ahead.end === e ? this.ahead : undefined;
    this.ahead = undefined;
    const value = await (own ?? this.read(start, e)).blob;
    // tus asks for its chunks in order: read the next one while this one uploads.
    if (e < this.size) {
      this.ahead = this.read(e, Math.min(e + this.chunkSize, this.size));
      this.ahead.blob.catch(() => {}); // a failure shows when tus asks for that chunk
    }
    return { value, done: e >= this.size };
  }

  /** Stops reading (tus calls it when the upload ends or is aborted). */
  close(): void {
    this.ahead = undefined;
    const reader = this.reader;
    this.reader = undefined;
    this.left = undefined;
    void this.queue.then(() => reader?.cancel()).catch(() => {});
  }

  private read(start: number, end: number): Pending {
    const blob = this.queue.then(() => this.take(start, end));
    this.queue = blob.catch(() => {});
    return { start, end, blob };
  }

  private async take(start: number, end: number): Promise<Blob> {
    if (!this.reader || start !== this.at) {
      // Another offset than the stream's (tus resumed from the server's offset after a
      // failure): a new stream from there; the old one stops.
      void this.reader?.cancel().catch(() => {});
      this.reader = this.enc.stream({ start }).getReader();
      this.at = start;
      this.left = undefined;
    }
    const parts: Uint8Array<ArrayBuffer>[] = [];
    let need = end - start;
    while (need > 0) {
      let b = this.left;
      this.left = undefined;
      if (!b) {
        const r = await this.reader.read();
        if (r.done) throw new Error(`the ciphertext stream ended at ${this.at} of ${this.size} bytes`);
        b = r.value;
      }
      if (b.length > need) {
        this.left = b.subarray(need);
        b = b.subarray(0, need);
      }
      parts.push(b as Uint8Array<ArrayBuffer>);
      need -= b.length;
      this.at += b.length;
    }
    this.onRead(end);
    return new Blob(parts);
  }
}
