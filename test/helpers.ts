/** Test helpers shared by the Node and browser projects. `#lib` is dist/node.js or src/browser.ts. */
import { inject } from 'vitest';
import negative from './vectors/negative.json';
import positive from './vectors/positive.json';

export { negative, positive };

declare module 'vitest' {
  export interface ProvidedContext {
    /** The share of each randomized test's cases to run (vite.config.ts, the firefox and webkit projects). */
    caseShare?: number;
  }
}

/**
 * The share of the heaviest randomized tests' cases that this project runs: all of them in Node
 * and Chromium, a quarter in Firefox, an eighth in WebKit (vite.config.ts), where the same cases
 * take 2 to 5 times as long (a small Blob read costs ~0.4 ms in Firefox, more in WebKit) and
 * would take each engine past its share of CI's time. Seeds stay as they are: the cases run are
 * the first of the full list (or every n-th).
 */
const caseShare = inject('caseShare') ?? 1;

/** `n` cases scaled by {@link caseShare} (at least one). */
export const cases = (n: number): number => Math.max(1, Math.ceil(n * caseShare));

/** The step of a loop over every offset: 1, or every n-th offset at a share of 1/n. */
export const caseStride = (): number => Math.max(1, Math.round(1 / caseShare));

/** A positive vector (test/vectors/positive.json). */
export type PositiveVector = (typeof positive.vectors)[number] & {
  plaintext_hex?: string;
  ciphertext_hex?: string;
  key_hex?: string;
  passphrase?: string;
  log_n?: number;
};
/** A negative vector (test/vectors/negative.json). */
export type NegativeVector = (typeof negative.vectors)[number] & { key_hex?: string; passphrase?: string };

export function hex(h: string): Uint8Array {
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export async function sha256Hex(b: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', b as Uint8Array<ArrayBuffer>)));
}

export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Plaintext of a vector: explicit hex, or the 'i mod 251' pattern. */
export function vectorPlaintext(v: PositiveVector): Uint8Array {
  if (v.plaintext_hex !== undefined) return hex(v.plaintext_hex);
  const out = new Uint8Array(v.plaintext_length);
  for (let i = 0; i < out.length; i++) out[i] = i % 251;
  return out;
}

export function vectorSecret(v: { key_hex?: string; passphrase?: string }): Uint8Array | { passphrase: string } {
  return v.key_hex !== undefined ? hex(v.key_hex) : { passphrase: v.passphrase as string };
}

/** Deterministic pseudo-random bytes (xorshift32), so that a failing case can be replayed. */
export function seededBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Wire size W of a full segment, from the spec's formula (spec §5), not the library's. */
export function fullSegmentWire(frameSize: number, framesPerSegment: number): number {
  return framesPerSegment * (18 + frameSize + 16) + (18 + 33 + 16) + (18 + 16);
}

/** Rejects if `p` has not settled within `ms`: a hang is a failure, not a slow pass. */
export function within<T>(p: Promise<T>, ms: number, what = 'promise'): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<T>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} hung for ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A hang detector for many operations that share one machine: `within` rejects once *nothing*
 * has called `mark()` for `ms`, however long the operation itself takes. When 128 streams share
 * two workers each one's write may rightly take longer than any fixed limit, but a deadlock
 * stops every stream's progress, and that is what fails.
 */
export function progressWatch(ms: number): {
  mark(): void;
  within<T>(p: Promise<T>, what?: string): Promise<T>;
} {
  let last = Date.now();
  return {
    mark() {
      last = Date.now();
    },
    within<T>(p: Promise<T>, what = 'promise'): Promise<T> {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stalled = new Promise<T>((_, reject) => {
        const check = () => {
          const idle = Date.now() - last;
          if (idle >= ms) reject(new Error(`${what} hung: no stream made progress for ${idle} ms`));
          else timer = setTimeout(check, ms - idle);
        };
        check();
      });
      return Promise.race([p, stalled]).finally(() => clearTimeout(timer));
    },
  };
}

/** Splits `data` into chunks: whole, fixed size, or random sizes (with empty chunks). */
export function chunked(
  data: Uint8Array,
  how: 'whole' | 'bytes' | number | { seed: number; max: number },
): Uint8Array[] {
  if (how === 'whole') return [data];
  const size = how === 'bytes' ? 1 : how;
  const out: Uint8Array[] = [];
  if (typeof size === 'number') {
    for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
    return out;
  }
  let seed = size.seed >>> 0 || 1;
  const rand = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  for (let i = 0; i < data.length; ) {
    const n = Math.floor(rand() * (size.max + 1)); // 0 gives an empty chunk
    out.push(data.subarray(i, i + n));
    i += n;
  }
  return out;
}

/** Result of running a transform: what came out, and the error it ended with, if any. */
export interface RunResult {
  chunks: Uint8Array[];
  output: Uint8Array;
  error: unknown;
}

/**
 * Every chunk of `stream`, read with a reader: WebKit (2.50) has no async iteration of a
 * ReadableStream, so no browser test may use `for await` on one.
 */
export async function chunksOf<T>(stream: ReadableStream<T>): Promise<T[]> {
  const reader = stream.getReader();
  const chunks: T[] = [];
  for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
  return chunks;
}

/** Pipes `input` chunks through `transform` and collects the output chunks. Never throws. */
export async function run(
  transform: TransformStream<Uint8Array, Uint8Array>,
  input: readonly Uint8Array[],
): Promise<RunResult> {
  const chunks: Uint8Array[] = [];
  let error: unknown;
  let i = 0;
  const source = new ReadableStream<Uint8Array>({
    pull(c) {
      if (i < input.length) c.enqueue(input[i++] as Uint8Array);
      else c.close();
    },
  });
  try {
    await source.pipeThrough(transform).pipeTo(
      new WritableStream({
        write(c) {
          chunks.push(c);
        },
      }),
    );
  } catch (e) {
    error = e;
  }
  return { chunks, output: concat(chunks), error };
}

/** The encoder options of a positive vector (its suite, layout and scrypt cost; the salt is not an option). */
export function vectorEncryptOptions(v: PositiveVector) {
  return {
    suite: (v.suite === 1 ? 'chacha20-poly1305' : 'aes-256-gcm') as 'chacha20-poly1305' | 'aes-256-gcm',
    frameSize: v.frame_size,
    framesPerSegment: v.frames_per_segment,
    ...(v.log_n !== undefined ? { logN: v.log_n } : {}),
  };
}

/** What reproduces a positive vector's bytes with the test-only reference encoder (test/reference.ts). */
export function vectorParams(v: PositiveVector) {
  return { ...vectorEncryptOptions(v), salt: hex(v.salt_hex) };
}

/** `n` random bytes (getRandomValues takes at most 64 KiB a call). */
export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
}

/** Fast byte equality for large arrays (vitest's toEqual walks them element by element). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
