/**
 * node:crypto's KEM primitives (kem-backend.ts), for the Node platform only: X25519 always
 * (OpenSSL; ~50 µs a shared secret against noble's ~1 ms), ML-KEM-768 where this Node has it
 * (`crypto.decapsulate` and ML-KEM keys: Node 24.7 with OpenSSL 3.5), noble's otherwise (Node
 * 20, 22). Asked of the features, once, on first use; never of the version.
 */
import * as nodeCrypto from 'node:crypto';
import { type KemBackend, nobleMlKem768, X25519_BASE, X25519_PKCS8_PREFIX } from './kem-backend.js';

/** What Node 24.7 adds (not in Node 20's types): KEM encapsulation with an asymmetric key. */
export interface NodeKem {
  encapsulate(key: nodeCrypto.KeyObject): { sharedKey: Uint8Array; ciphertext: Uint8Array };
  decapsulate(key: nodeCrypto.KeyObject, ciphertext: Uint8Array): Uint8Array;
}

/**
 * PKCS #8 of an ML-KEM-768 private key in its seed form (RFC 9935 §6, `seed [0]`): this
 * prefix, then the 64-byte seed d ‖ z; SPKI of its public key: the prefix, then the 1,184 bytes.
 */
const ML_KEM_768_PKCS8_PREFIX = Buffer.from('3054020100300b060960864801650304040204428040', 'hex');
const ML_KEM_768_SPKI_PREFIX = Buffer.from('308204b2300b0609608648016503040402038204a100', 'hex');

const b64url = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');

function x25519Public(u: Uint8Array): nodeCrypto.KeyObject {
  return nodeCrypto.createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64url(u) }, format: 'jwk' });
}

function dh(privateKey: nodeCrypto.KeyObject, peer: Uint8Array): Uint8Array {
  const out = nodeCrypto.diffieHellman({ privateKey, publicKey: x25519Public(peer) });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

let nodeMlKem: NodeKem | undefined | null;

/**
 * node:crypto's KEM calls where this Node has ML-KEM-768: the calls, and a seed-form key that
 * it reads as an ML-KEM-768 key; undefined otherwise. Asked once.
 */
export function nodeMlKem768(): NodeKem | undefined {
  if (nodeMlKem === null) return undefined;
  if (nodeMlKem) return nodeMlKem;
  const kem = nodeCrypto as unknown as Partial<NodeKem>;
  let ok = typeof kem.encapsulate === 'function' && typeof kem.decapsulate === 'function';
  try {
    ok &&= (privateMlKem(new Uint8Array(64)).asymmetricKeyType as string | undefined) === 'ml-kem-768';
  } catch {
    ok = false; // Node 22 reads the key, but as no type it knows
  }
  nodeMlKem = ok ? (kem as NodeKem) : null;
  return nodeMlKem ?? undefined;
}

function privateMlKem(seed: Uint8Array): nodeCrypto.KeyObject {
  const der = Buffer.concat([ML_KEM_768_PKCS8_PREFIX, seed]);
  try {
    return nodeCrypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } finally {
    der.fill(0);
  }
}

/** Whether a JWK private key is read from its `d` alone (Node 20); asked on the first import. */
let jwkFromD: boolean | undefined;

/**
 * A JWK private key must carry its public key `x`, which is what the import is for. Node 20
 * reads `d` alone (it computes the public key), in ~50 µs, where its OpenSSL 3.0 takes ~0.8 ms
 * to read PKCS #8; later Nodes refuse an `x` that is not `d`'s, and read PKCS #8 as fast. So: a
 * JWK whose `x` is the base point, kept only where the key's own public key is X25519(d, 9)
 * (never a key that took the `x` given); PKCS #8 otherwise, and for good once JWK failed.
 */
function importX25519(secretKey: Uint8Array): { key: nodeCrypto.KeyObject; publicKey: Uint8Array } {
  if (jwkFromD !== false) {
    try {
      const jwk = { kty: 'OKP', crv: 'X25519', d: b64url(secretKey), x: b64url(X25519_BASE) };
      const key = nodeCrypto.createPrivateKey({ key: jwk, format: 'jwk' });
      const publicKey = dh(key, X25519_BASE);
      if (nodeCrypto.createPublicKey(key).export({ format: 'jwk' }).x === b64url(publicKey)) {
        jwkFromD = true;
        return { key, publicKey };
      }
    } catch {
      // Node 22 on: ERR_CRYPTO_INVALID_JWK
    }
    jwkFromD = false;
  }
  const der = Buffer.concat([X25519_PKCS8_PREFIX, secretKey]);
  try {
    const key = nodeCrypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    return { key, publicKey: dh(key, X25519_BASE) };
  } finally {
    der.fill(0);
  }
}

/** node:crypto's X25519. */
export const nodeX25519: Pick<KemBackend, 'x25519'> = {
  async x25519(secretKey) {
    const { key, publicKey } = importX25519(secretKey);
    return { publicKey, dh: (peer) => dh(key, peer) };
  },
};

/**
 * node:crypto's X25519 and, where this Node has it, its ML-KEM-768 (noble's otherwise; the
 * choice is made once, on the first ML-KEM call).
 */
export const nodeKemBackend: KemBackend = {
  name: 'node',
  ...nodeX25519,
  async mlKem768(seed) {
    const kem = nodeMlKem768();
    if (!kem) return nobleMlKem768.mlKem768(seed);
    const key = privateMlKem(seed);
    return {
      publicKey: () => {
        const spki = nodeCrypto.createPublicKey(key).export({ format: 'der', type: 'spki' });
        return new Uint8Array(spki.subarray(ML_KEM_768_SPKI_PREFIX.length));
      },
      decapsulate: (ct) => new Uint8Array(kem.decapsulate(key, ct)),
    };
  },
  async mlKem768Encapsulate(publicKey) {
    const kem = nodeMlKem768();
    if (!kem) return nobleMlKem768.mlKem768Encapsulate(publicKey);
    const spki = Buffer.concat([ML_KEM_768_SPKI_PREFIX, publicKey]);
    const { sharedKey, ciphertext } = kem.encapsulate(
      nodeCrypto.createPublicKey({ key: spki, format: 'der', type: 'spki' }),
    );
    return { cipherText: new Uint8Array(ciphertext), sharedSecret: new Uint8Array(sharedKey) };
  },
};
