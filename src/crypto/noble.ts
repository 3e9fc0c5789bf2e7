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
      // noble's ChaCha20-Poly1305 writes into a given buffer: no copy.
      return {
        seal(nonce, plaintext, out, aad) {
          chacha20poly1305(k, nonce, aad).encrypt(plaintext, out);
        },
        open(nonce, sealed, out, aad) {
          if (sealed.length < TAG_SIZE) return false;
          try {
            chacha20poly1305(k, nonce, aad).decrypt(sealed, out);
            return true;
          } catch {
            return false; // noble throws on a bad tag
          }
        },
      };
    }
    return {
      seal(nonce, plaintext, out, aad) {
        out.set(gcm(k, nonce, aad).encrypt(plaintext));
      },
      open(nonce, sealed, out, aad) {
        try {
          out.set(gcm(k, nonce, aad).decrypt(sealed));
          return true;
        } catch {
          return false; // noble throws on a bad tag
        }
      },
    };
  },
  sha256: (data) => sha256(data),
};
