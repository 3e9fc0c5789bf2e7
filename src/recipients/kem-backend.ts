/**
 * The primitives under the recipients' KEMs (docs/RECIPIENTS.md §1): X25519 (RFC 7748) and
 * ML-KEM-768 (FIPS 203), from one backend each. The KEMs themselves (kems.ts) are built once
 * over them, so every backend gives the same bytes; a backend only says how fast. The platform
 * hands in its list, fastest first (node:crypto, WebCrypto, noble); noble is the one that
 * always works. A secret key is imported once per identity (`x25519`, `mlKem768`), and its
 * imported form opens every stanza it tries.
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import type { MaybePromise } from '../crypto/types.js';

/** An X25519 secret key, imported. */
export interface X25519Key {
  /** X25519(sk, 9): the public key (RFC 7748 §6.1). */
  readonly publicKey: Uint8Array;
  /** X25519(sk, peer), 32 bytes; a backend may throw where it is all zero (a low-order peer). */
  dh(peer: Uint8Array): MaybePromise<Uint8Array>;
}

/** An ML-KEM-768 decapsulation key, expanded from its 64-byte seed d ‖ z (FIPS 203 §6.1). */
export interface MlKem768Key {
  /** The 1,184-byte encapsulation key. */
  publicKey(): MaybePromise<Uint8Array>;
  /** ML-KEM.Decaps (FIPS 203 §7.3): the 32-byte shared secret (implicit rejection: never throws for a 1,088-byte `ct`). */
  decapsulate(ct: Uint8Array): MaybePromise<Uint8Array>;
}

/** One backend of the KEM primitives. */
export interface KemBackend {
  /** `node`, `webcrypto`, `noble`; with the ML-KEM's backend where it differs (`node+noble`). */
  readonly name: string;
  /**
   * Imports a 32-byte X25519 secret key (any 32 bytes, RFC 7748 §5); rejects where this backend
   * cannot (no X25519 here, or WebKit, which refuses some valid keys).
   */
  x25519(secretKey: Uint8Array): Promise<X25519Key>;
  /** Expands a 64-byte ML-KEM-768 seed into its keys (FIPS 203 ML-KEM.KeyGen_internal). */
  mlKem768(seed: Uint8Array): Promise<MlKem768Key>;
  /** ML-KEM.Encaps (FIPS 203 §7.2) to a 1,184-byte encapsulation key; rejects an invalid one. */
  mlKem768Encapsulate(publicKey: Uint8Array): Promise<{ cipherText: Uint8Array; sharedSecret: Uint8Array }>;
}

/** The u-coordinate 9 (RFC 7748 §4.1): X25519(sk, 9) is sk's public key. */
export const X25519_BASE = Uint8Array.of(9, ...new Uint8Array(31));

/** RFC 5958 PKCS #8 of an X25519 private key: this prefix, then the 32 key bytes (RFC 8410 §7). */
export const X25519_PKCS8_PREFIX = Uint8Array.of(
  0x30,
  0x2e,
  0x02,
  0x01,
  0x00,
  0x30,
  0x05,
  0x06,
  0x03,
  0x2b,
  0x65,
  0x6e,
  0x04,
  0x22,
  0x04,
  0x20,
);

/** noble's ML-KEM-768 (pure JS): the same everywhere, and the only one in Node 20 and browsers. */
export const nobleMlKem768: Pick<KemBackend, 'mlKem768' | 'mlKem768Encapsulate'> = {
  async mlKem768(seed) {
    const { publicKey, secretKey } = ml_kem768.keygen(seed);
    return { publicKey: () => publicKey, decapsulate: (ct) => ml_kem768.decapsulate(ct, secretKey) };
  },
  async mlKem768Encapsulate(publicKey) {
    return ml_kem768.encapsulate(publicKey);
  },
};

/** noble's X25519 and ML-KEM-768: works everywhere. */
export const nobleKemBackend: KemBackend = {
  name: 'noble',
  async x25519(secretKey) {
    const sk = secretKey.slice();
    return { publicKey: x25519.getPublicKey(sk), dh: (peer) => x25519.getSharedSecret(sk, peer) };
  },
  ...nobleMlKem768,
};

const X25519 = { name: 'X25519' } as const;
let webCryptoX25519: Promise<boolean> | undefined;

/** Whether WebCrypto does X25519 here; asked once, on first use (nothing runs at load). */
function hasWebCryptoX25519(): Promise<boolean> {
  webCryptoX25519 ??= crypto.subtle.generateKey(X25519, false, ['deriveBits']).then(
    () => true,
    () => false,
  );
  return webCryptoX25519;
}

async function webCryptoDh(secretKey: CryptoKey, peer: Uint8Array): Promise<Uint8Array> {
  const pub = await crypto.subtle.importKey('raw', peer.slice(), X25519, false, []);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: 'X25519', public: pub }, secretKey, 256));
}

/**
 * WebCrypto's X25519 (Chromium 133, Firefox 130, Safari 17, Node 20; native, about five times
 * noble's speed), with noble's ML-KEM-768 (no browser here has ML-KEM in WebCrypto).
 */
export const webCryptoKemBackend: KemBackend = {
  name: 'webcrypto+noble',
  async x25519(secretKey) {
    if (!(await hasWebCryptoX25519())) throw new Error('no X25519 in WebCrypto here');
    const pkcs8 = new Uint8Array(X25519_PKCS8_PREFIX.length + 32);
    pkcs8.set(X25519_PKCS8_PREFIX);
    pkcs8.set(secretKey, X25519_PKCS8_PREFIX.length);
    const key = await crypto.subtle.importKey('pkcs8', pkcs8, X25519, false, ['deriveBits']);
    pkcs8.fill(0);
    return { publicKey: await webCryptoDh(key, X25519_BASE), dh: (peer) => webCryptoDh(key, peer) };
  },
  ...nobleMlKem768,
};
