/** Shared helpers of the benchmark: generated streams, RSS sampling, statistics, formatting. */
import { randomBytes } from 'node:crypto';

export const KiB = 1024;
export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;
export const FRAME = 64 * KiB;

/** Megabytes per second, 1 MB = 1e6 bytes. */
export const mbps = (bytes, ms) => bytes / 1e6 / (ms / 1000);

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The median of the per-pair ratios `a[i] / b[i]` (runs taken back to back). */
export const pairedRatio = (a, b) => median(a.map((x, i) => x / b[i]));

export const toMiB = (bytes) => bytes / MiB;

/**
 * Peak RSS sampler: a timer every `everyMs`, plus `poke()` from hot paths (a busy main thread
 * starves timers), itself throttled to one real read per `everyMs`.
 */
export class RssSampler {
  constructor(everyMs = 10) {
    this.everyMs = everyMs;
    this.peak = 0;
    this.last = 0;
    this.timer = undefined;
  }
  start() {
    this.peak = process.memoryUsage.rss();
    this.last = performance.now();
    this.timer = setInterval(() => this.sample(), this.everyMs);
    return this;
  }
  sample() {
    this.last = performance.now();
    const r = process.memoryUsage.rss();
    if (r > this.peak) this.peak = r;
  }
  poke() {
    if (performance.now() - this.last >= this.everyMs) this.sample();
  }
  stop() {
    clearInterval(this.timer);
    this.sample();
    return this.peak;
  }
}

/** Pull-based stream of `total` bytes: views of one pre-filled random buffer of `chunk` bytes. */
export function generatedStream(total, chunk = MiB, sampler) {
  const buf = new Uint8Array(randomBytes(chunk));
  let left = total;
  return new ReadableStream(
    {
      pull(c) {
        sampler?.poke();
        if (left <= 0) return c.close();
        const n = Math.min(chunk, left);
        c.enqueue(buf.subarray(0, n));
        left -= n;
      },
    },
    { highWaterMark: 1 },
  );
}

/** Pull-based stream over stored chunks (the chunks are not consumed: the stream can be replayed). */
export function chunkStream(chunks, sampler) {
  let i = 0;
  return new ReadableStream(
    {
      pull(c) {
        sampler?.poke();
        if (i >= chunks.length) return c.close();
        c.enqueue(chunks[i++]);
      },
    },
    { highWaterMark: 1 },
  );
}

/** A sink that counts and drops bytes (or keeps them in `keep`), poking the sampler. */
export function countingSink(sampler, keep) {
  const sink = { bytes: 0 };
  sink.stream = new WritableStream({
    write(chunk) {
      sink.bytes += chunk.byteLength;
      keep?.push(chunk);
      sampler?.poke();
    },
  });
  return sink;
}

export function gc() {
  globalThis.gc?.();
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function fmt(x, digits = 0) {
  return x === undefined || Number.isNaN(x) ? '-' : x.toFixed(digits);
}

/** Prints rows (arrays of cells) as an aligned table under a header row. */
export function table(head, rows) {
  const all = [head, ...rows].map((r) => r.map(String));
  const w = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  console.log(line(all[0]));
  console.log(w.map((n) => '-'.repeat(n)).join('  '));
  for (const r of all.slice(1)) console.log(line(r));
}
