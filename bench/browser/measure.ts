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

/** CPU seconds by thread name of the browser's processes, from run.mjs (cpu.mjs), if it gave one. */
type CpuSampler = () => Promise<Record<string, number>>;
// Looked up at each call: run.mjs installs it before the page loads (Chromium) or the page itself
// does once it knows it runs unattended (bench.ts, the other engines).
const sampleCpu = () => (globalThis as { benchCpu?: CpuSampler }).benchCpu?.();

/** A timed run: wall ms and, where sampled, the CPU seconds each thread name spent. */
export interface Timed {
  ms: number;
  cpu: Record<string, number>;
}

/** Times `job` with per-thread CPU around it. */
export async function timed(job: () => Promise<void>): Promise<Timed> {
  const c0 = (await sampleCpu()) ?? {};
  const t0 = performance.now();
  await job();
  const ms = performance.now() - t0;
  const c1 = (await sampleCpu()) ?? {};
  const cpu: Record<string, number> = {};
  for (const [name, s] of Object.entries(c1)) if (s - (c0[name] ?? 0) > 0) cpu[name] = s - (c0[name] ?? 0);
  return { ms, cpu };
}

/** Runs `make()` and drains its stream into a dropping sink, after checking the byte count. */
export function timeDrain(make: () => Promise<ReadableStream<Uint8Array>>, expected?: number): Promise<Timed> {
  return timed(async () => {
    const sink = dropSink();
    await (await make()).pipeTo(sink.stream);
    if (expected !== undefined && sink.bytes() !== expected) {
      throw new Error(`got ${sink.bytes()} bytes, expected ${expected}`);
    }
  });
}

/**
 * Cores each group of threads kept busy during a run (CPU seconds / wall seconds): the page's
 * main thread, its Web Workers, the renderer's other threads (V8's, Blob reading), and every
 * other process (browser, GPU, network, this driver); `thread:NAME` for each thread name.
 */
export function busyCores(t: Timed): Record<string, number> {
  const group = (name: string) => {
    if (name === 'renderer:main') return 'main';
    // Web Worker threads: Chromium's, Firefox's, WebKit's names for them.
    if (/^renderer:(DedicatedWorker|DOM Worker|WebCore: Worker)/.test(name)) return 'workers';
    return name.startsWith('renderer:') ? 'renderer-other' : 'other';
  };
  const out: Record<string, number> = { main: 0, workers: 0, 'renderer-other': 0, other: 0, total: 0 };
  for (const [name, s] of Object.entries(t.cpu)) {
    out[group(name)] = (out[group(name)] ?? 0) + s / (t.ms / 1e3);
    out[`thread:${name}`] = s / (t.ms / 1e3);
    out.total = (out.total ?? 0) + s / (t.ms / 1e3);
  }
  return out;
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
