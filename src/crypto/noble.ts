/** The portable backend: @noble/ciphers and @noble/hashes, pure JavaScript, synchronous. */
import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { type SuiteName, TAG_SIZE } from '../format/constants.js';
import type { CryptoBackend, FrameCipher } from './types.js';

/** Pure-JS backend; always available. */
export const nobleBackend: CryptoBackend = {
  name: 'noble',
  canHash: () => true,
  supports: () => true,
  async cipher(suite: SuiteName, key: Uint8Array): Promise<FrameCipher> {
    const k = key.slice();
    if (suite === 'chacha20-poly1305') {
      // noble's ChaCha20-Poly1305 writes into a given buffer (in place too): no copy.
      return {
        seal(nonce, plaintext, out, aad) {
          chacha20poly1305(k, nonce, aad).encrypt(plaintext, out);
        },
        open(nonce, sealed, aad) {
          if (sealed.length < TAG_SIZE) return undefined;
          try {
            return chacha20poly1305(k, nonce, aad).decrypt(sealed, new Uint8Array(sealed.length - TAG_SIZE));
          } catch {
            return undefined; // noble throws on a bad tag
          }
        },
      };
    }
    return {
      seal(nonce, plaintext, out, aad) {
        out.set(gcm(k, nonce, aad).encrypt(plaintext));
      },
      open(nonce, sealed, aad) {
        try {
          return gcm(k, nonce, aad).decrypt(sealed);
        } catch {
          return undefined; // noble throws on a bad tag
        }
      },
    };
  },
  sha256: (data) => sha256(data),
};
