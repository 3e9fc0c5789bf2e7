/** Helpers of the random-access tests (Node and Chromium). */
import { StreamV2Error } from '#lib';
import { hex, type PositiveVector, vectorParams, vectorPlaintext, vectorSecret } from './helpers.js';
import { referenceCiphertext } from './reference.js';

/** The code a promise rejects with (undefined when it resolves). */
export async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return StreamV2Error.is(e) ? e.code : `not a StreamV2Error: ${String(e)}`;
  }
  return undefined;
}

/** The ciphertext of a positive vector: its hex, or (large ones) the reference encoder with its salt. */
export async function vectorCiphertext(v: PositiveVector): Promise<Uint8Array<ArrayBuffer>> {
  if (v.ciphertext_hex !== undefined) return hex(v.ciphertext_hex) as Uint8Array<ArrayBuffer>;
  const output = await referenceCiphertext(vectorSecret(v), vectorParams(v), vectorPlaintext(v));
  return output as Uint8Array<ArrayBuffer>;
}

/** A seeded xorshift PRNG in [0, 1). */
export function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** Every [a, b) of a size up to `every`, else `random` seeded ranges (short ones mostly) and the ends. */
export function rangesOf(size: number, random: number, every = 40, seed = 7): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  if (size <= every) {
    for (let a = 0; a <= size; a++) for (let b = a; b <= size; b++) out.push([a, b]);
    return out;
  }
  const r = prng(seed);
  out.push([0, size], [size, size], [size - 1, size], [0, 1]);
  for (let i = 0; i < random; i++) {
    const a = Math.floor(r() * size);
    const most = i % 4 === 0 ? size - a : Math.min(size - a, 70_000);
    out.push([a, a + Math.floor(r() * most) + 1]);
  }
  return out;
}

/** -1 when equal, else the first differing index (or the shorter length). */
export function sameBytesOrIndex(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}
