/** The page's measuring tools: a random Blob built in pieces, sinks, timing and paired ratios. */

export const MiB = 1024 * 1024;
/** Pieces of the Blobs the page builds: it never holds more than one piece in its own memory. */
const PIECE = 16 * MiB;

/** A Blob of `bytes` random bytes, built piece by piece. */
export function randomBlob(bytes: number): Blob {
  const parts: Blob[] = [];
  const buf = new Uint8Array(PIECE);
  for (let at = 0; at < bytes; at += PIECE) {
    const n = Math.min(PIECE, bytes - at);
    for (let i = 0; i < n; i += 65536) crypto.getRandomValues(buf.subarray(i, Math.min(n, i + 65536)));
    parts.push(new Blob([buf.subarray(0, n)]));
  }
  return new Blob(parts);
}

/** A sink that drops what it gets and counts it. */
export function dropSink(): { stream: WritableStream<Uint8Array>; bytes: () => number } {
  let n = 0;
  const write = (c: Uint8Array) => {
    n += c.byteLength;
  };
  return { stream: new WritableStream({ write }), bytes: () => n };
}

/** Drains `s` into a Blob, in pieces of about {@link PIECE} bytes. */
export async function collect(s: ReadableStream<Uint8Array>): Promise<Blob> {
  const parts: Blob[] = [];
  let chunks: Uint8Array<ArrayBuffer>[] = [];
  let held = 0;
  await s.pipeTo(
    new WritableStream({
      write(c) {
        chunks.push(c as Uint8Array<ArrayBuffer>);
        held += c.byteLength;
        if (held < PIECE) return;
        parts.push(new Blob(chunks));
        chunks = [];
        held = 0;
      },
    }),
  );
  parts.push(new Blob(chunks));
  return new Blob(parts);
}

/** Runs `make()` and drains its stream into a dropping sink: ms, after checking the byte count. */
export async function timeDrain(make: () => Promise<ReadableStream<Uint8Array>>, expected?: number): Promise<number> {
  const sink = dropSink();
  const t0 = performance.now();
  await (await make()).pipeTo(sink.stream);
  const ms = performance.now() - t0;
  if (expected !== undefined && sink.bytes() !== expected) {
    throw new Error(`got ${sink.bytes()} bytes, expected ${expected}`);
  }
  return ms;
}

/** MB/s (1 MB = 1e6 bytes) of `bytes` in `ms`. */
export const mbps = (bytes: number, ms: number): number => bytes / 1e3 / ms;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** The median of the per-round ratios a[i] / b[i]: runs of one round were taken back to back. */
export const pairedRatio = (a: number[], b: number[]): number => median(a.map((x, i) => x / (b[i] as number)));
