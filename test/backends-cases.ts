/** Backend cross-check cases, run in Node (node, webcrypto, noble) and Chromium (webcrypto, noble). */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { CryptoBackend } from '../src/crypto/types.js';
import type { SuiteName } from '../src/format/constants.js';
import { toHex } from './helpers.js';

const SUITES: SuiteName[] = ['aes-256-gcm', 'chacha20-poly1305'];

/** Defines the cross-check tests over `backends` (the first is the reference). */
export function crossCheckBackends(backends: CryptoBackend[]): void {
  for (const suite of SUITES) {
    const able = backends.filter((b) => b.supports(suite));
    it(`${suite}: ${able.map((b) => b.name).join(', ')} seal to identical bytes and open each other`, async () => {
      expect(able.length).toBeGreaterThanOrEqual(suite === 'aes-256-gcm' ? 2 : 1);
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ minLength: 32, maxLength: 32 }),
          fc.uint8Array({ minLength: 12, maxLength: 12 }),
          fc.uint8Array({ maxLength: 3000 }),
          fc.uint8Array({ maxLength: 200 }),
          async (key, nonce, plaintext, aad) => {
            const sealed: string[] = [];
            for (const b of able) {
              const body = new Uint8Array(plaintext.length + 16);
              await (await b.cipher(suite, key)).seal(nonce, plaintext, body, aad);
              sealed.push(toHex(body));
              // In place: the plaintext already sits where the ciphertext goes.
              const inPlace = new Uint8Array(plaintext.length + 16);
              inPlace.set(plaintext);
              await (await b.cipher(suite, key)).seal(nonce, inPlace.subarray(0, plaintext.length), inPlace, aad);
              expect(toHex(inPlace)).toBe(toHex(body));
              for (const other of able) {
                const opened = await (await other.cipher(suite, key)).open(nonce, body, aad);
                expect(toHex(opened ?? new Uint8Array([1]))).toBe(toHex(plaintext));
                // A buffer of its own: a reader may keep it, or transfer it.
                expect(opened?.byteOffset).toBe(0);
                expect(opened?.buffer.byteLength).toBe(plaintext.length);
                const bad = body.slice();
                bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
                expect(await (await other.cipher(suite, key)).open(nonce, bad, aad)).toBeUndefined();
              }
            }
            expect(new Set(sealed).size).toBe(1);
          },
        ),
        { numRuns: 30, seed: 42 },
      );
    });
  }

  it(`sha256: ${backends.map((b) => b.name).join(', ')} agree`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 70_000 }), async (data) => {
        const digests = await Promise.all(backends.map(async (b) => toHex(await b.sha256(data))));
        expect(new Set(digests).size).toBe(1);
      }),
      { numRuns: 25, seed: 7 },
    );
  });

  it('sha256 of "abc" is the FIPS 180-2 value', async () => {
    for (const b of backends) {
      expect(toHex(await b.sha256(new TextEncoder().encode('abc')))).toBe(
        'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      );
    }
  });
}
