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
      seal(nonce, body, aad) {
        const n = body.length - TAG_SIZE;
        const c = createCipheriv(suite as 'aes-256-gcm', k, nonce, { authTagLength: TAG_SIZE });
        c.setAAD(aad);
        body.set(c.update(body.subarray(0, n)), 0);
        c.final();
        body.set(c.getAuthTag(), n);
      },
      open(nonce, sealed, aad) {
        const n = sealed.length - TAG_SIZE;
        if (n < 0) return null;
        const d = createDecipheriv(suite as 'aes-256-gcm', k, nonce, { authTagLength: TAG_SIZE });
        d.setAAD(aad);
        d.setAuthTag(sealed.subarray(n));
        const plain = d.update(sealed.subarray(0, n));
        try {
          d.final();
        } catch {
          return null; // "Unsupported state or unable to authenticate data"
        }
        return plain;
      },
    };
  },
  sha256: (data) => createHash('sha256').update(data).digest(),
};
