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
    const make = suite === 'aes-256-gcm' ? gcm : chacha20poly1305;
    const k = key.slice();
    return {
      seal(nonce, body, aad) {
        body.set(make(k, nonce, aad).encrypt(body.subarray(0, body.length - TAG_SIZE)));
      },
      open(nonce, sealed, aad) {
        try {
          return make(k, nonce, aad).decrypt(sealed);
        } catch {
          return null; // noble throws on a bad tag; the codec maps null to AUTH_FAILED
        }
      },
    };
  },
  sha256: (data) => sha256(data),
};
