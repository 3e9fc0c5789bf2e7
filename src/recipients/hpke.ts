/**
 * The HPKE layer of the key envelope (docs/RECIPIENTS.md §1): base mode, KDF HKDF-SHA256, AEAD
 * ChaCha20-Poly1305, KEM DHKEM(X25519, HKDF-SHA256) or X-Wing, composed into HPKE by panva's
 * `hpke`. The KEMs (kems.ts) run on the platform's KEM backends, fastest first (node:crypto,
 * WebCrypto, noble); the KDF and AEAD are noble's (a few hundred bytes a stanza).
 */
import { AEAD_ChaCha20Poly1305, KDF_HKDF_SHA256 } from '@panva/hpke-noble';
import { CipherSuite } from 'hpke';
import { StreamV2Error } from '../errors.js';
import { HEADER_SIZE } from '../format/constants.js';
import type { RecipientType, Stanza } from './envelope.js';
import type { KemBackend } from './kem-backend.js';
import { kemOf } from './kems.js';

/** §1: info = "stream_v2 envelope" || header. */
const INFO_LABEL = new TextEncoder().encode('stream_v2 envelope');

/** The HPKE suite of a stanza type over one KEM backend. */
export function makeSuite(type: RecipientType, backend: KemBackend): CipherSuite {
  return new CipherSuite(kemOf(type, backend), KDF_HKDF_SHA256, AEAD_ChaCha20Poly1305);
}

const suites = new WeakMap<KemBackend, Map<RecipientType, CipherSuite>>();

/** The suites of a type, one per backend in the platform's order, each made once. */
function suitesOf(backends: readonly KemBackend[], type: RecipientType): CipherSuite[] {
  return backends.map((backend) => {
    let byType = suites.get(backend);
    if (!byType) {
      byType = new Map();
      suites.set(backend, byType);
    }
    let suite = byType.get(type);
    if (!suite) {
      suite = makeSuite(type, backend);
      byType.set(type, suite);
    }
    return suite;
  });
}

/**
 * `use` with each backend's suite in turn, until one does not throw; the last failure
 * otherwise. A backend may lack a primitive here (WebCrypto without X25519), or refuse a key
 * that another takes (WebKit's WebCrypto imports only some valid X25519 keys: RFC 7748 takes
 * any 32 bytes); the answer, where there is one, is the same bytes from each.
 */
async function withSuites<T>(
  backends: readonly KemBackend[],
  type: RecipientType,
  use: (suite: CipherSuite) => Promise<T>,
): Promise<T> {
  let failure: unknown;
  for (const suite of suitesOf(backends, type)) {
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
export async function generateKeyPair(
  backends: readonly KemBackend[],
  type: RecipientType,
): Promise<{ publicKey: Uint8Array; secretKey: Uint8Array }> {
  return withSuites(backends, type, async (suite) => {
    const pair = await suite.GenerateKeyPair(true);
    return {
      publicKey: await suite.SerializePublicKey(pair.publicKey),
      secretKey: await suite.SerializePrivateKey(pair.privateKey),
    };
  });
}

/**
 * Seals the file key to one recipient (§1).
 * @throws StreamV2Error `BAD_ARGUMENT` for a public key the KEM refuses (an invalid point or encapsulation key)
 */
export async function sealStanza(
  backends: readonly KemBackend[],
  type: RecipientType,
  publicKey: Uint8Array,
  fileKey: Uint8Array,
  header: Uint8Array,
  what: string,
): Promise<Stanza> {
  try {
    // DHKEM refuses a public key whose shared secret is all zero (a low-order point, RFC 9180 §7.1.4).
    return await withSuites(backends, type, async (suite) => {
      const sealed = await suite.Seal(await suite.DeserializePublicKey(publicKey), fileKey, { info: infoFor(header) });
      return { type, enc: sealed.encapsulatedSecret, ct: sealed.ciphertext };
    });
  } catch (e) {
    throw new StreamV2Error('BAD_ARGUMENT', `${what} is not a valid ${type} public key`, {}, { cause: e });
  }
}

/** An identity's secret key, deserialized (expanded) once for every stanza it tries. */
export interface OpeningKey {
  readonly type: RecipientType;
  readonly suite: CipherSuite;
  readonly key: Awaited<ReturnType<CipherSuite['DeserializePrivateKey']>>;
}

/**
 * Deserializes a secret key for {@link openStanza}.
 * @throws StreamV2Error `BAD_ARGUMENT` when the KEM refuses the bytes
 */
export async function openingKey(
  backends: readonly KemBackend[],
  type: RecipientType,
  secretKey: Uint8Array,
  what: string,
): Promise<OpeningKey> {
  try {
    // The KEM expands the key here, once for every stanza it tries (kems.ts).
    return await withSuites(backends, type, async (suite) => ({
      type,
      suite,
      key: await suite.DeserializePrivateKey(secretKey, false),
    }));
  } catch (e) {
    throw new StreamV2Error('BAD_ARGUMENT', `${what} is not a valid ${type} secret key`, {}, { cause: e });
  }
}

const openings = new WeakMap<object, { kems: readonly KemBackend[]; opening: Promise<OpeningKey> }>();

/**
 * {@link openingKey} of an identity's key, made once and kept with that key object for as long
 * as it lives: a caller that opens file after file with one `{ identity }` (its parsed keys are
 * kept with it, recipients.ts) expands an X-Wing key once, not once per file.
 */
export function openingKeyOf(
  kems: readonly KemBackend[],
  id: { readonly type: RecipientType; readonly bytes: Uint8Array },
  what: string,
): Promise<OpeningKey> {
  const kept = openings.get(id);
  if (kept?.kems === kems) return kept.opening;
  const opening = openingKey(kems, id.type, id.bytes, what);
  openings.set(id, { kems, opening });
  opening.catch(() => openings.delete(id));
  return opening;
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
