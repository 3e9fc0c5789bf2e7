/**
 * The page's ciphertext chunks (demo/chunks.ts): what tus reads, chunk by chunk from one
 * stream(), is byte for byte the ciphertext, also when tus goes back to an earlier offset (a
 * PATCH that failed) or asks for a range it did not read ahead.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BlobEncryption, encryptBlob } from '#lib';
import { CiphertextChunks } from '../../demo/chunks.js';

const MiB = 2 ** 20;

describe('demo page: ciphertext chunks from one stream', () => {
  let enc: BlobEncryption;
  let whole: Uint8Array;
  beforeAll(async () => {
    enc = await encryptBlob(new Blob([randomBytes(5 * MiB + 12345)]), randomBytes(32), { workers: 0 });
    whole = await enc.read(0, enc.ciphertextSize);
  });
  afterAll(() => enc?.close());

  const bytesOf = async (b: Blob) => new Uint8Array(await b.arrayBuffer());

  it('chunks in order are the ciphertext; the last says done; onRead reports each end', async () => {
    const ends: number[] = [];
    const chunks = new CiphertextChunks(enc, 1.5 * MiB, (e) => ends.push(e));
    const parts: Uint8Array[] = [];
    let done = false;
    for (let at = 0; !done; at += 1.5 * MiB) {
      const r = await chunks.slice(at, at + 1.5 * MiB);
      parts.push(await bytesOf(r.value));
      done = r.done;
    }
    chunks.close();
    expect(Buffer.concat(parts).equals(whole)).toBe(true);
    expect(ends.at(-1)).toBe(enc.ciphertextSize);
    expect(ends.slice(0, parts.length)).toEqual(parts.map((_, i) => Math.min((i + 1) * 1.5 * MiB, enc.ciphertextSize)));
  });

  it('going back to an earlier offset, or elsewhere, gives the bytes there', async () => {
    const chunks = new CiphertextChunks(enc, MiB);
    await chunks.slice(0, MiB);
    await chunks.slice(MiB, 2 * MiB);
    for (const [a, b] of [
      [MiB, 2 * MiB], // tus resends a chunk after a failed PATCH
      [777, 777 + MiB], // an offset inside a segment (the server's offset after a cut)
      [4 * MiB, 5 * MiB], // ahead of what was read
      [enc.ciphertextSize - 10, enc.ciphertextSize + MiB], // the end, clamped
    ] as const) {
      const r = await chunks.slice(a, b);
      expect(Buffer.from(await bytesOf(r.value)).equals(whole.subarray(a, Math.min(b, enc.ciphertextSize)))).toBe(true);
      expect(r.done).toBe(b >= enc.ciphertextSize);
    }
    chunks.close();
  });
});
