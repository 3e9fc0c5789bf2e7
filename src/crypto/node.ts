/** Node's native crypto (OpenSSL): both suites and SHA-256, synchronous and fast. */
import { createCipheriv, createDecipheriv, createHash, getCiphers } from 'node:crypto';
import { type SuiteName, TAG_SIZE } from '../format/constants.js';
import type { CryptoBackend, FrameCipher } from './types.js';

const available = new Set(getCiphers());

/** node:crypto backend. Only imported by the Node entry points. */
export const nodeBackend: CryptoBackend = {
  name: 'node',
  canHash: () => true,
  supports: (suite: SuiteName) => available.has(suite),
  async cipher(suite: SuiteName, key: Uint8Array): Promise<FrameCipher> {
    const k = Buffer.from(key); // a private copy
    return {
      seal(nonce, plaintext, out, aad) {
        const c = createCipheriv(suite as 'aes-256-gcm', k, nonce, { authTagLength: TAG_SIZE });
        c.setAAD(aad);
        out.set(c.update(plaintext), 0); // node:crypto cannot write into a given buffer (in place: update read it all first)
        c.final();
        out.set(c.getAuthTag(), plaintext.length);
      },
      open(nonce, sealed, aad) {
        const n = sealed.length - TAG_SIZE;
        if (n < 0) return undefined;
        const d = createDecipheriv(suite as 'aes-256-gcm', k, nonce, { authTagLength: TAG_SIZE });
        d.setAAD(aad);
        d.setAuthTag(sealed.subarray(n));
        const plaintext = d.update(sealed.subarray(0, n)); // a buffer of its own: no copy
        try {
          d.final();
        } catch {
          return undefined; // "Unsupported state or unable to authenticate data"
        }
        return plaintext;
      },
    };
  },
  sha256: (data) => createHash('sha256').update(data).digest(),
};
