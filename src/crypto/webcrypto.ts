/**
 * WebCrypto backend: hardware AES-256-GCM and SHA-256 in browsers, Deno, Bun and Node.
 * WebCrypto has no ChaCha20-Poly1305, so {@link CryptoBackend.supports} says no to it.
 */
import type { SuiteName } from '../format/constants.js';
import type { CryptoBackend, FrameCipher } from './types.js';

// `BufferSource` views must be backed by a plain ArrayBuffer for WebCrypto's types.
type Bytes = Uint8Array<ArrayBuffer>;

function subtle(): SubtleCrypto | undefined {
  return globalThis.crypto?.subtle;
}

/** WebCrypto backend (AES-256-GCM and SHA-256 only). */
export const webCryptoBackend: CryptoBackend = {
  name: 'webcrypto',
  canHash: () => subtle() !== undefined,
  supports: (suite: SuiteName) => suite === 'aes-256-gcm' && subtle() !== undefined,
  async cipher(_suite: SuiteName, key: Uint8Array): Promise<FrameCipher> {
    const s = subtle() as SubtleCrypto;
    const k = await s.importKey('raw', key.slice() as Bytes, 'AES-GCM', false, ['encrypt', 'decrypt']);
    return {
      async seal(nonce, plaintext, out, aad) {
        const params = { name: 'AES-GCM', iv: nonce as Bytes, additionalData: aad as Bytes };
        out.set(new Uint8Array(await s.encrypt(params, k, plaintext as Bytes)));
      },
      async open(nonce, sealed, aad) {
        const params = { name: 'AES-GCM', iv: nonce as Bytes, additionalData: aad as Bytes };
        try {
          return new Uint8Array(await s.decrypt(params, k, sealed as Bytes));
        } catch {
          return undefined; // OperationError: the tag did not verify
        }
      },
    };
  },
  async sha256(data) {
    return new Uint8Array(await (subtle() as SubtleCrypto).digest('SHA-256', data as Bytes));
  },
};
