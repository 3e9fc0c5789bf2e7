/**
 * The two KEMs of docs/RECIPIENTS.md §1, as `hpke` KEMs over the primitives of one backend
 * (kem-backend.ts): DHKEM(X25519, HKDF-SHA256) (RFC 9180 §4.1) and X-Wing
 * (draft-connolly-cfrg-xwing-kem §5). One composition for every backend, so all give the same
 * bytes. A secret key is expanded once, when it is deserialized (X-Wing: SHAKE256 of the seed,
 * ML-KEM-768 key generation, X25519's public key), and that form decapsulates every stanza:
 * decapsulating from the 32-byte seed each time, as noble's X-Wing does, costs a second key
 * generation per stanza.
 */

import { sha3_256, shake256 } from '@noble/hashes/sha3.js';
import {
  KDF_HKDF_SHA256,
  KEM_DHKEM_X25519_HKDF_SHA256 as NOBLE_X25519,
  KEM_MLKEM768_X25519 as NOBLE_XWING,
} from '@panva/hpke-noble';
import { concat, encode, I2OSP, type KEM, type KEMFactory, type Key, LabeledExpand, LabeledExtract } from 'hpke';
import type { RecipientType } from './envelope.js';
import type { KemBackend, MlKem768Key, X25519Key } from './kem-backend.js';

/** A key of one of these KEMs: its serialized bytes and, for a secret key, its expanded form. */
class RecipientKey implements Key {
  constructor(
    readonly algorithm: { readonly name: string },
    readonly type: 'private' | 'public',
    readonly extractable: boolean,
    /** The public key, or the secret key (X25519: the scalar; X-Wing: the 32-byte seed). */
    readonly bytes: Uint8Array,
    readonly x25519?: X25519Key,
    readonly mlKem?: MlKem768Key,
  ) {}
}

function keyOf(key: Key, algorithm: { name: string }, type: 'private' | 'public'): RecipientKey {
  if (!(key instanceof RecipientKey) || key.algorithm !== algorithm || key.type !== type) {
    throw new TypeError(`not a ${type} key of ${algorithm.name}`);
  }
  return key;
}

/** RFC 9180 §7.1.4: a shared secret of zero (a low-order peer) is refused; X-Wing's too, as noble's X25519 does. */
function nonZero(dh: Uint8Array): Uint8Array {
  if (dh.every((b) => b === 0)) throw new Error('X25519 gave the all-zero value');
  return dh;
}

const random32 = () => crypto.getRandomValues(new Uint8Array(32));

/** RFC 9180 §7.1.3 (and the X-Wing draft's): noble's derivation, as a secret key to read back. */
async function derivedSecret(reference: KEM, ikm: Uint8Array): Promise<Uint8Array> {
  return reference.SerializePrivateKey((await reference.DeriveKeyPair(ikm, true)).privateKey);
}

/** Fields common to both KEMs. */
function common(algorithm: { name: string }) {
  return {
    type: 'KEM' as const,
    async SerializePublicKey(key: Key) {
      return keyOf(key, algorithm, 'public').bytes.slice();
    },
    async SerializePrivateKey(key: Key) {
      return keyOf(key, algorithm, 'private').bytes.slice();
    },
    async DeserializePublicKey(key: Uint8Array) {
      return new RecipientKey(algorithm, 'public', true, key.slice());
    },
  };
}

/** DHKEM(X25519, HKDF-SHA256), RFC 9180 §4.1, with `backend`'s X25519. */
export function dhkemX25519(backend: KemBackend): KEMFactory {
  const algorithm = { name: 'DHKEM(X25519, HKDF-SHA256)' };
  const suiteId = concat(encode('KEM'), I2OSP(0x0020, 2));
  const kdf = KDF_HKDF_SHA256();
  const extractAndExpand = async (dh: Uint8Array, kemContext: Uint8Array) => {
    const prk = await LabeledExtract(kdf, suiteId, new Uint8Array(), encode('eae_prk'), dh);
    return LabeledExpand(kdf, suiteId, prk, encode('shared_secret'), kemContext, 32);
  };
  const kem: KEM = {
    id: 0x0020,
    name: algorithm.name,
    Nsecret: 32,
    Nenc: 32,
    Npk: 32,
    Nsk: 32,
    ...common(algorithm),
    async DeserializePrivateKey(sk, extractable) {
      const x = await backend.x25519(sk);
      return new RecipientKey(algorithm, 'private', extractable, sk.slice(), x);
    },
    async DeriveKeyPair(ikm, extractable) {
      return pairOf(await derivedSecret(NOBLE_X25519(), ikm), extractable);
    },
    async GenerateKeyPair(extractable) {
      return pairOf(random32(), extractable);
    },
    async Encap(pkR) {
      const pk = keyOf(pkR, algorithm, 'public').bytes;
      const ephemeral = await backend.x25519(random32());
      const dh = nonZero(await ephemeral.dh(pk));
      const enc = ephemeral.publicKey;
      return { shared_secret: await extractAndExpand(dh, concat(enc, pk)), enc };
    },
    async Decap(enc, skR) {
      const x = keyOf(skR, algorithm, 'private').x25519 as X25519Key;
      const dh = nonZero(await x.dh(enc));
      return extractAndExpand(dh, concat(enc, x.publicKey));
    },
  };
  const pairOf = async (sk: Uint8Array, extractable: boolean) => {
    const privateKey = (await kem.DeserializePrivateKey(sk, extractable)) as RecipientKey;
    sk.fill(0);
    return {
      privateKey,
      publicKey: new RecipientKey(algorithm, 'public', true, (privateKey.x25519 as X25519Key).publicKey),
    };
  };
  return () => kem;
}

/** draft-connolly-cfrg-xwing-kem §5.3: XWingLabel, `\.//^\`. */
const XWING_LABEL = Uint8Array.of(0x5c, 0x2e, 0x2f, 0x2f, 0x5e, 0x5c);
const ML_KEM_768_PUBLIC = 1184;
const ML_KEM_768_CT = 1088;

/**
 * FIPS 203 §7.2 input check of an ML-KEM-768 encapsulation key: each of its 768 12-bit
 * coefficients (the first 1,152 bytes, two per three bytes, little-endian) is below q = 3329.
 * Done here, not left to the backend: node:crypto refuses such a key, noble's encapsulates to it.
 */
function checkEncapsulationKey(pkM: Uint8Array): void {
  for (let i = 0; i < 1152; i += 3) {
    const [a, b, c] = [pkM[i] as number, pkM[i + 1] as number, pkM[i + 2] as number];
    if ((a | ((b & 0x0f) << 8)) >= 3329 || ((b >> 4) | (c << 4)) >= 3329) {
      throw new Error('an ML-KEM-768 encapsulation key coefficient is not below q');
    }
  }
}

/** X-Wing (ML-KEM-768 + X25519; HPKE KEM 0x647a, MLKEM768-X25519), with `backend`'s primitives. */
export function xWing(backend: KemBackend): KEMFactory {
  const algorithm = { name: 'MLKEM768-X25519' };
  // §5.3 Combiner: SHA3-256(ss_M ‖ ss_X ‖ ct_X ‖ pk_X ‖ XWingLabel).
  const combiner = (ssM: Uint8Array, ssX: Uint8Array, ctX: Uint8Array, pkX: Uint8Array) =>
    sha3_256(concat(ssM, ssX, ctX, pkX, XWING_LABEL));
  const kem: KEM = {
    id: 0x647a,
    name: algorithm.name,
    Nsecret: 32,
    Nenc: ML_KEM_768_CT + 32,
    Npk: ML_KEM_768_PUBLIC + 32,
    Nsk: 32,
    ...common(algorithm),
    async DeserializePrivateKey(sk, extractable) {
      // §5.2 expandDecapsulationKey: SHAKE256(sk, 96) = ML-KEM seed (d ‖ z) ‖ X25519 secret key.
      const expanded = shake256(sk, { dkLen: 96 });
      try {
        const mlKem = await backend.mlKem768(expanded.subarray(0, 64));
        const x = await backend.x25519(expanded.subarray(64));
        return new RecipientKey(algorithm, 'private', extractable, sk.slice(), x, mlKem);
      } finally {
        expanded.fill(0);
      }
    },
    async DeriveKeyPair(ikm, extractable) {
      return pairOf(await derivedSecret(NOBLE_XWING(), ikm), extractable);
    },
    async GenerateKeyPair(extractable) {
      return pairOf(random32(), extractable);
    },
    async Encap(pkR) {
      const pk = keyOf(pkR, algorithm, 'public').bytes;
      const pkX = pk.subarray(ML_KEM_768_PUBLIC);
      checkEncapsulationKey(pk);
      const m = await backend.mlKem768Encapsulate(pk.subarray(0, ML_KEM_768_PUBLIC));
      const ephemeral = await backend.x25519(random32());
      const ssX = nonZero(await ephemeral.dh(pkX));
      const ctX = ephemeral.publicKey;
      return { shared_secret: combiner(m.sharedSecret, ssX, ctX, pkX), enc: concat(m.cipherText, ctX) };
    },
    async Decap(enc, skR) {
      const key = keyOf(skR, algorithm, 'private');
      const ctX = enc.subarray(ML_KEM_768_CT);
      const ssM = await (key.mlKem as MlKem768Key).decapsulate(enc.subarray(0, ML_KEM_768_CT));
      const x = key.x25519 as X25519Key;
      return combiner(ssM, nonZero(await x.dh(ctX)), ctX, x.publicKey);
    },
  };
  const pairOf = async (seed: Uint8Array, extractable: boolean) => {
    const privateKey = (await kem.DeserializePrivateKey(seed, extractable)) as RecipientKey;
    seed.fill(0);
    const pkM = await (privateKey.mlKem as MlKem768Key).publicKey();
    const pkX = (privateKey.x25519 as X25519Key).publicKey;
    return { privateKey, publicKey: new RecipientKey(algorithm, 'public', true, concat(pkM, pkX)) };
  };
  return () => kem;
}

/** The KEM of a recipient type over `backend`. */
export function kemOf(type: RecipientType, backend: KemBackend): KEMFactory {
  return type === 'x-wing' ? xWing(backend) : dhkemX25519(backend);
}
