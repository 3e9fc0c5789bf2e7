/** Chromium: encryptBlob of a File read by the Web Workers themselves, range reads of the result as a Blob. */
import { describe, expect, it } from 'vitest';
import { encryptBlob, openEncrypted, verifyDigests } from '#lib';
import { randomBytes } from '../helpers.js';
import { prng, sameBytesOrIndex } from '../random-helpers.js';

describe('random access in the browser', () => {
  it('encryptBlob(File) on the default pool, then openEncrypted(Blob) reads random ranges', async () => {
    const plain = randomBytes(5 * 1024 * 1024 + 4321);
    const file = new File([plain as Uint8Array<ArrayBuffer>], 'plain.bin', { lastModified: 7 });
    const key = crypto.getRandomValues(new Uint8Array(32));
    const enc = await encryptBlob(file, key, { suite: 'chacha20-poly1305' });
    expect(enc.resumeState().lastModified).toBe(7);
    const wire = await new Response(enc.stream()).arrayBuffer();
    expect(wire.byteLength).toBe(enc.ciphertextSize);
    enc.close();
    const blob = new Blob([wire]);
    expect((await verifyDigests(blob)).ok).toBe(true);
    const opened = await openEncrypted(blob, key);
    expect(opened.plaintextSize).toBe(plain.length);
    const r = prng(3);
    for (let i = 0; i < 20; i++) {
      const a = Math.floor(r() * plain.length);
      const b = a + Math.floor(r() * Math.min(plain.length - a, 2 * 1024 * 1024));
      expect(sameBytesOrIndex(await opened.read(a, b), plain.subarray(a, b)), `[${a}, ${b})`).toBe(-1);
    }
    opened.close();
  });
});
