/** The Web platform's KEM backends (WebCrypto's X25519, noble) give the reference's bytes (test/kem-cases.ts). */
import { describe } from 'vitest';
import { nobleKemBackend, webCryptoKemBackend } from '../../src/recipients/kem-backend.js';
import { crossCheckKemBackends } from '../kem-cases.js';

describe('KEM backends of the Web platform', () => {
  crossCheckKemBackends([webCryptoKemBackend, nobleKemBackend]);
});
