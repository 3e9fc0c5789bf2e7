/**
 * The HPKE layer of the key envelope (docs/RECIPIENTS.md §1): base mode, KDF HKDF-SHA256, AEAD
 * ChaCha20-Poly1305, KEM DHKEM(X25519, HKDF-SHA256) or X-Wing, composed into HPKE by panva's
 * `hpke`. The primitives are noble's (audited, pure JS, the same everywhere), except X25519 where
 * the platform's WebCrypto has it (Node 20, Chromium 133, Firefox 130, Safari 17): native, it
 * opens a stanza about five times faster than noble's.
 */
import {
  AEAD_ChaCha20Poly1305,
  KDF_HKDF_SHA256,
  KEM_MLKEM768_X25519,
  KEM_DHKEM_X25519_HKDF_SHA256 as KEM_X25519_NOBLE,
} from '@panva/hpke-noble';
import { CipherSuite, KEM_DHKEM_X25519_HKDF_SHA256 as KEM_X25519_WEBCRYPTO } from 'hpke';
import { StreamV2Error } from '../errors.js';
import { HEADER_SIZE } from '../format/constants.js';
import type { RecipientType, Stanza } from './envelope.js';

/** §1: info = "stream_v2 envelope" || header. */
const INFO_LABEL = new TextEncoder().encode('stream_v2 envelope');

/** The HPKE suite of a stanza type, with WebCrypto's X25519 or noble's (both RFC 9180 DHKEM(X25519)). */
export function makeSuite(type: RecipientType, webCryptoX25519: boolean): CipherSuite {
  const kem = type === 'x-wing' ? KEM_MLKEM768_X25519 : webCryptoX25519 ? KEM_X25519_WEBCRYPTO : KEM_X25519_NOBLE;
  return new CipherSuite(kem, KDF_HKDF_SHA256, AEAD_ChaCha20Poly1305);
}

/** Whether WebCrypto does X25519 here; asked once, on first use (nothing runs at load). */
let webCryptoX25519: Promise<boolean> | undefined;
const suites = new Map<RecipientType, CipherSuite[]>();

async function hasWebCryptoX25519(): Promise<boolean> {
  try {
    await crypto.subtle.generateKey({ name: 'X25519' }, false, ['deriveBits']);
    return true;
  } catch {
    return false;
  }
}

/**
 * The HPKE suites to try for a stanza type on this platform, made on first use: WebCrypto's
 * X25519 where it exists, then noble's, since WebKit's WebCrypto imports only some valid X25519
 * keys (it refuses keys that other platforms make: RFC 7748 takes any 32 bytes).
 */
async function suitesOf(type: RecipientType): Promise<CipherSuite[]> {
  webCryptoX25519 ??= hasWebCryptoX25519();
  const webCrypto = type === 'x25519' && (await webCryptoX25519);
  let list = suites.get(type);
  if (!list) {
    list = webCrypto ? [makeSuite(type, true), makeSuite(type, false)] : [makeSuite(type, false)];
    suites.set(type, list);
  }
  return list;
}

/** `use` with each suite in turn, until one does not throw; the last failure otherwise. */
async function withSuites<T>(type: RecipientType, use: (suite: CipherSuite) => Promise<T>): Promise<T> {
  let failure: unknown;
  for (const suite of await suitesOf(type)) {
    try {
      return await use(suite);
    } catch (e) {
      failure = e;
    }
  }
  throw failure;
}

function infoFor(header: Uint8Array): Uint8Array {
  const info = new Uint8Array(INFO_LABEL.length + HEADER_SIZE);
  info.set(INFO_LABEL);
  info.set(header.subarray(0, HEADER_SIZE), INFO_LABEL.length);
  return info;
}

/** A new key pair of `type`: the public key and the secret key's bytes (an X25519 key, an X-Wing seed). */
export async function generateKeyPair(type: RecipientType): Promise<{ publicKey: Uint8Array; secretKey: Uint8Array }> {
  const [suite] = (await suitesOf(type)) as [CipherSuite];
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
  try {
    // DHKEM refuses a public key whose shared secret is all zero (a low-order point, RFC 9180 §7.1.4).
    return await withSuites(type, async (suite) => {
      const sealed = await suite.Seal(await suite.DeserializePublicKey(publicKey), fileKey, { info: infoFor(header) });
      return { type, enc: sealed.encapsulatedSecret, ct: sealed.ciphertext };
    });
  } catch (e) {
    throw new StreamV2Error('BAD_ARGUMENT', `${what} is not a valid ${type} public key`, {}, { cause: e });
  }
}

/** An identity's secret key, deserialized once for every stanza it tries. */
export interface OpeningKey {
  readonly type: RecipientType;
  readonly suite: CipherSuite;
  readonly key: Awaited<ReturnType<CipherSuite['DeserializePrivateKey']>>;
}

/**
 * Deserializes a secret key for {@link openStanza}.
 * @throws StreamV2Error `BAD_ARGUMENT` when the KEM refuses the bytes
 */
export async function openingKey(type: RecipientType, secretKey: Uint8Array, what: string): Promise<OpeningKey> {
  try {
    // Extractable: where WebCrypto cannot give a private key's public key, HPKE exports it (its
    // bytes came from the identity's text anyway, they are no better kept in a CryptoKey).
    return await withSuites(type, async (suite) => ({
      type,
      suite,
      key: await suite.DeserializePrivateKey(secretKey, true),
    }));
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
    return await opening.suite.Open(opening.key, stanza.enc, stanza.ct, { info: infoFor(header) });
  } catch {
    return undefined;
  }
}
