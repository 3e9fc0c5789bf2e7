/**
 * Test files of the demo's end-to-end tests, shared by the Playwright specs and the engine runner
 * (e2e/engines): no browser driver is imported here.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';

/** A file of pseudo-random bytes (seeded), written to `path`. */
export function makeFile(path: string, size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i + 4 <= size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.writeUInt32LE(x >>> 0, i);
  }
  out.fill(seed & 0xff, size - (size % 4)); // a size that is not a multiple of 4: its tail
  writeFileSync(path, out);
  return out;
}

/** SHA-256 of `b`, in hex. */
export const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
