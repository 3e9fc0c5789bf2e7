/**
 * Public-key recipients (docs/RECIPIENTS.md): identities, and the envelope-only functions that
 * seal a stream's file key to recipients, open it with an identity, and re-wrap it. Pure: no I/O,
 * no workers (one HPKE operation per stanza runs here, in milliseconds).
 */
import { deriveKeys, verifyHeaderMac } from '../codec/keys.js';
import { StreamV2Error } from '../errors.js';
import { HEADER_SIZE, KEY_SIZE } from '../format/constants.js';
import { copyHeader, parseHeader, type StreamHeader } from '../format/header.js';
import type { Platform } from '../platform/types.js';
import { decodeEnvelope, type Envelope, encodeEnvelope, MAX_STANZAS, type RecipientType } from './envelope.js';
import { generateKeyPair, openingKeyOf, openStanza, sealStanza } from './hpke.js';
import type { KemBackend } from './kem-backend.js';
import { openPasskeyStanzas, sealPasskeyStanza } from './passkey.js';
import { decodeKey, encodeKey, type KeyBytes } from './text.js';

/** Encrypt to public keys instead of a secret: each `s2pk1…` (X25519) or `s2pkpq1…` (X-Wing) key can open the result. */
export interface Recipients {
  /** Public keys as text, 1 to 64 (the same key twice counts once); `s2passkey1…` ones (browsers) ask the passkey. */
  readonly recipients: readonly string[];
}

/** Open with a secret key (`S2SK1…`, `S2SKPQ1…`), or several: the first whose stanza opens is used. */
export interface Identity {
  /** Secret key text, or several. */
  readonly identity: string | readonly string[];
}

/**
 * Open with a passkey of this browser (a `s2passkey1…` recipient, {@link createPasskey}): one
 * WebAuthn request offers every passkey stanza of the envelope; the authenticator answers.
 */
export interface Passkey {
  readonly passkey: true;
}

/** A new identity, from {@link generateIdentity}. */
export interface IdentityKeys {
  /** `x25519`, or `x-wing` (ML-KEM-768 + X25519, post-quantum hybrid). */
  readonly type: RecipientType;
  /** The recipient to encrypt to (share it): `s2pk1…` or `s2pkpq1…`. */
  readonly publicKey: string;
  /** The identity that opens what is encrypted to it (keep it secret): `S2SK1…` or `S2SKPQ1…`. */
  readonly secretKey: string;
}

/** What {@link openEnvelope} finds. */
export interface OpenedEnvelope {
  /** The stream's 32-byte file key: its raw key (`openEncrypted(stream, fileKey)` reads it). */
  readonly fileKey: Uint8Array;
  /** The header of the stream the envelope belongs to (header_mac verified with the file key). */
  readonly header: StreamHeader;
}

/** `generateIdentity` on a platform passed in; the public function and its documentation: src/index.ts. */
export async function generateIdentity(platform: Platform, options?: { pq?: boolean }): Promise<IdentityKeys> {
  const pq = options?.pq ?? false;
  if (typeof pq !== 'boolean') throw new StreamV2Error('BAD_ARGUMENT', 'options.pq must be a boolean');
  const type: RecipientType = pq ? 'x-wing' : 'x25519';
  const { publicKey, secretKey } = await generateKeyPair(platform.kemBackends, type);
  const keys = {
    type,
    publicKey: encodeKey('public', type, publicKey),
    secretKey: encodeKey('secret', type, secretKey),
  };
  secretKey.fill(0);
  return keys;
}

/**
 * The recipients of a seal, checked and without repeats.
 * @throws StreamV2Error `BAD_ARGUMENT`
 */
export function parseRecipients(recipients: unknown): KeyBytes[] {
  if (!Array.isArray(recipients)) throw new StreamV2Error('BAD_ARGUMENT', 'recipients must be an array of public keys');
  const seen = new Set<string>();
  const keys: KeyBytes[] = [];
  recipients.forEach((r, i) => {
    const key = decodeKey('public', r, `recipient ${i + 1}`);
    const id = `${key.type}:${Array.from(key.bytes).join(',')}`;
    if (seen.has(id)) return;
    seen.add(id);
    keys.push(key);
  });
  if (keys.length === 0) throw new StreamV2Error('BAD_ARGUMENT', 'recipients is empty');
  if (keys.length > MAX_STANZAS) {
    throw new StreamV2Error('BAD_ARGUMENT', `${keys.length} recipients; a key envelope holds at most ${MAX_STANZAS}`);
  }
  return keys;
}

/**
 * An identity's secret keys, checked.
 * @throws StreamV2Error `BAD_ARGUMENT`
 */
export function parseIdentities(identity: unknown): KeyBytes[] {
  if (typeof identity === 'object' && identity !== null && (identity as Partial<Passkey>).passkey === true) {
    return [{ type: 'passkey', bytes: new Uint8Array(0) }]; // the authenticator holds the secret
  }
  const list = typeof identity === 'string' ? [identity] : identity;
  if (!Array.isArray(list) || list.length === 0) {
    throw new StreamV2Error('BAD_ARGUMENT', 'identity must be a secret key, or a non-empty array of them');
  }
  return list.map((s, i) => decodeKey('secret', s, list.length === 1 ? 'the identity' : `identity ${i + 1}`));
}

const parsedIdentities = new WeakMap<object, { texts: readonly unknown[]; keys: KeyBytes[] }>();

/**
 * {@link parseIdentities} of `identity`, kept with `holder` (the caller's `{ identity }`
 * object): the same keys, and so the same expanded keys (hpke.ts `openingKeyOf`), each time
 * the caller hands in that object with the same key texts; parsed anew when they changed.
 * @throws StreamV2Error `BAD_ARGUMENT`
 */
export function identitiesOf(holder: object, identity: unknown): KeyBytes[] {
  const texts: readonly unknown[] = Array.isArray(identity) ? [...identity] : [identity];
  const kept = parsedIdentities.get(holder);
  if (kept && kept.texts.length === texts.length && kept.texts.every((t, i) => t === texts[i])) return kept.keys;
  const keys = parseIdentities(identity);
  parsedIdentities.set(holder, { texts, keys });
  return keys;
}

/** The 80 header bytes, checked to be a raw-key stream's that `fileKey` opens (its header_mac). */
async function keyedHeader(fileKey: Uint8Array, header: StreamHeader): Promise<void> {
  // kdf = 0 (checked by the callers): no scrypt runs.
  const noScrypt = () => Promise.reject(new StreamV2Error('BAD_HEADER', 'a key envelope is for raw-key streams'));
  const { headerKey } = await deriveKeys(fileKey, header, noScrypt);
  verifyHeaderMac(headerKey, header.bytes);
}

/**
 * Seals a file key to checked recipients (docs/RECIPIENTS.md §1) for the stream of `header`.
 * The caller checked that the key opens the header.
 */
export async function sealKeys(
  kems: readonly KemBackend[],
  fileKey: Uint8Array,
  header: Uint8Array,
  keys: readonly KeyBytes[],
): Promise<Uint8Array> {
  const stanzas = [];
  for (const [i, k] of keys.entries()) {
    stanzas.push(
      k.type === 'passkey'
        ? await sealPasskeyStanza(k.bytes, fileKey, header)
        : await sealStanza(kems, k.type, k.bytes, fileKey, header, `recipient ${i + 1}`),
    );
  }
  return encodeEnvelope(header, stanzas);
}

/**
 * Opens a decoded envelope with checked identities (§2 check 12): the file key of the first
 * stanza that opens and verifies the header's header_mac.
 * @throws StreamV2Error `WRONG_KEY`; `BAD_ARGUMENT` for a secret key the KEM refuses
 */
export async function openWith(
  kems: readonly KemBackend[],
  envelope: Envelope,
  identities: readonly KeyBytes[],
): Promise<Uint8Array> {
  const header = envelope.header.bytes;
  for (const [i, id] of identities.entries()) {
    let found: (Uint8Array | undefined)[];
    if (id.type === 'passkey') found = await openPasskeyStanzas(envelope);
    else {
      const opening = await openingKeyOf(kems, id as KeyBytes & { type: RecipientType }, `identity ${i + 1}`);
      found = [];
      for (const stanza of envelope.stanzas) found.push(await openStanza(opening, stanza, header));
    }
    for (const fileKey of found) {
      if (fileKey === undefined || fileKey.length !== KEY_SIZE) continue;
      try {
        await keyedHeader(fileKey, envelope.header);
        return fileKey;
      } catch {
        // A stanza sealed to this identity under another file key (§2: the same WRONG_KEY).
      }
    }
  }
  throw new StreamV2Error('WRONG_KEY', 'no stanza of the key envelope opens with this identity');
}

/** `sealEnvelope` on a platform passed in; the public function and its documentation: src/index.ts. */
export async function sealEnvelope(
  platform: Platform,
  fileKey: Uint8Array,
  header: Uint8Array,
  recipients: readonly string[],
): Promise<Uint8Array> {
  if (!(fileKey instanceof Uint8Array) || fileKey.length !== KEY_SIZE) {
    throw new StreamV2Error('BAD_ARGUMENT', `the file key must be a ${KEY_SIZE}-byte Uint8Array`);
  }
  if (!(header instanceof Uint8Array) || header.length < HEADER_SIZE) {
    throw new StreamV2Error('BAD_ARGUMENT', `header must be the stream's first ${HEADER_SIZE} bytes`);
  }
  const keys = parseRecipients(recipients);
  const parsed = parseHeader(header.slice(0, HEADER_SIZE));
  if (parsed.kdf !== 'raw') throw new StreamV2Error('BAD_ARGUMENT', 'a passphrase stream has no file key to seal');
  await keyedHeader(fileKey, parsed);
  return sealKeys(platform.kemBackends, fileKey.slice(), parsed.bytes, keys);
}

/** `openEnvelope` on a platform passed in; the public function and its documentation: src/index.ts. */
export async function openEnvelope(
  platform: Platform,
  envelope: Uint8Array,
  identity: string | readonly string[] | Passkey,
): Promise<OpenedEnvelope> {
  const identities = parseIdentities(identity);
  const decoded = decodeEnvelope(checkBytes(envelope), true);
  return { fileKey: await openWith(platform.kemBackends, decoded, identities), header: copyHeader(decoded.header) };
}

/** `rewrap` on a platform passed in; the public function and its documentation: src/index.ts. */
export async function rewrap(
  platform: Platform,
  envelope: Uint8Array,
  identity: string | readonly string[] | Passkey,
  recipients: readonly string[],
): Promise<Uint8Array> {
  const identities = parseIdentities(identity);
  const keys = parseRecipients(recipients);
  const decoded = decodeEnvelope(checkBytes(envelope), true);
  const fileKey = await openWith(platform.kemBackends, decoded, identities);
  try {
    return await sealKeys(platform.kemBackends, fileKey, decoded.header.bytes, keys);
  } finally {
    fileKey.fill(0);
  }
}

function checkBytes(envelope: unknown): Uint8Array {
  if (!(envelope instanceof Uint8Array)) throw new StreamV2Error('BAD_ARGUMENT', 'the envelope must be a Uint8Array');
  return envelope;
}
