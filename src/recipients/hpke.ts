/**
 * The HPKE layer of the key envelope (docs/RECIPIENTS.md §1): base mode, KDF HKDF-SHA256, AEAD
 * ChaCha20-Poly1305, KEM DHKEM(X25519, HKDF-SHA256) or X-Wing. All primitives are noble's
 * (audited, pure JS: the same code in Node, browsers and workers, no WebCrypto X25519 or ML-KEM
 * needed), composed into HPKE by panva's `hpke`.
 */
import {
  AEAD_ChaCha20Poly1305,
  KDF_HKDF_SHA256,
  KEM_DHKEM_X25519_HKDF_SHA256,
  KEM_MLKEM768_X25519,
} from '@panva/hpke-noble';
import { CipherSuite } from 'hpke';
import { StreamV2Error } from '../errors.js';
import { HEADER_SIZE } from '../format/constants.js';
import type { RecipientType, Stanza } from './envelope.js';

/** §1: info = "stream_v2 envelope" || header. */
const INFO_LABEL = new TextEncoder().encode('stream_v2 envelope');

const KEMS = { x25519: KEM_DHKEM_X25519_HKDF_SHA256, 'x-wing': KEM_MLKEM768_X25519 } as const;
const suites = new Map<RecipientType, CipherSuite>();

/** The HPKE suite of a stanza type, made on first use (an app that never uses recipients pays nothing at load). */
function suiteOf(type: RecipientType): CipherSuite {
  let suite = suites.get(type);
  if (!suite) {
    suite = new CipherSuite(KEMS[type], KDF_HKDF_SHA256, AEAD_ChaCha20Poly1305);
    suites.set(type, suite);
  }
  return suite;
}

function infoFor(header: Uint8Array): Uint8Array {
  const info = new Uint8Array(INFO_LABEL.length + HEADER_SIZE);
  info.set(INFO_LABEL);
  info.set(header.subarray(0, HEADER_SIZE), INFO_LABEL.length);
  return info;
}

/** A new key pair of `type`: the public key and the secret key's bytes (an X25519 key, an X-Wing seed). */
export async function generateKeyPair(type: RecipientType): Promise<{ publicKey: Uint8Array; secretKey: Uint8Array }> {
  const suite = suiteOf(type);
  const pair = await suite.GenerateKeyPair(true);
  return {
    publicKey: await suite.SerializePublicKey(pair.publicKey),
    secretKey: await suite.SerializePrivateKey(pair.privateKey),
  };
}

/**
 * Seals the file key to one recipient (§1).
 * @throws StreamV2Error `BAD_ARGUMENT` for a public key the KEM refuses (an invalid point or encapsulation key)
 */
export async function sealStanza(
  type: RecipientType,
  publicKey: Uint8Array,
  fileKey: Uint8Array,
  header: Uint8Array,
  what: string,
): Promise<Stanza> {
  const suite = suiteOf(type);
  let pk: Awaited<ReturnType<CipherSuite['DeserializePublicKey']>>;
  try {
    pk = await suite.DeserializePublicKey(publicKey);
  } catch (e) {
    throw new StreamV2Error('BAD_ARGUMENT', `${what} is not a valid ${type} public key`, {}, { cause: e });
  }
  try {
    const sealed = await suite.Seal(pk, fileKey, { info: infoFor(header) });
    return { type, enc: sealed.encapsulatedSecret, ct: sealed.ciphertext };
  } catch (e) {
    // DHKEM refuses a public key whose shared secret is all zero (a low-order point, RFC 9180 §7.1.4).
    throw new StreamV2Error('BAD_ARGUMENT', `${what} is not a valid ${type} public key`, {}, { cause: e });
  }
}

/** An identity's secret key, deserialized once for every stanza it tries. */
export interface OpeningKey {
  readonly type: RecipientType;
  readonly key: Awaited<ReturnType<CipherSuite['DeserializePrivateKey']>>;
}

/**
 * Deserializes a secret key for {@link openStanza}.
 * @throws StreamV2Error `BAD_ARGUMENT` when the KEM refuses the bytes
 */
export async function openingKey(type: RecipientType, secretKey: Uint8Array, what: string): Promise<OpeningKey> {
  try {
    return { type, key: await suiteOf(type).DeserializePrivateKey(secretKey, false) };
  } catch (e) {
    throw new StreamV2Error('BAD_ARGUMENT', `${what} is not a valid ${type} secret key`, {}, { cause: e });
  }
}

/**
 * Opens one stanza with one key: the file key, or undefined when it does not open (not this
 * recipient's, damaged, an `enc` the KEM refuses: §2 gives them all one answer, WRONG_KEY).
 */
export async function openStanza(
  opening: OpeningKey,
  stanza: Stanza,
  header: Uint8Array,
): Promise<Uint8Array | undefined> {
  if (stanza.type !== opening.type) return undefined;
  try {
    return await suiteOf(opening.type).Open(opening.key, stanza.enc, stanza.ct, { info: infoFor(header) });
  } catch {
    return undefined;
  }
}
