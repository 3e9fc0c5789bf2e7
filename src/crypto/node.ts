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
        out.set(c.update(plaintext), 0); // node:crypto cannot write into a given buffer
        c.final();
        out.set(c.getAuthTag(), plaintext.length);
      },
      open(nonce, sealed, out, aad) {
        const n = sealed.length - TAG_SIZE;
        if (n < 0) return false;
        const d = createDecipheriv(suite as 'aes-256-gcm', k, nonce, { authTagLength: TAG_SIZE });
        d.setAAD(aad);
        d.setAuthTag(sealed.subarray(n));
        out.set(d.update(sealed.subarray(0, n)), 0);
        try {
          d.final();
        } catch {
          return false; // "Unsupported state or unable to authenticate data"
        }
        return true;
      },
    };
  },
  sha256: (data) => createHash('sha256').update(data).digest(),
};
