/**
 * Passkey stanzas (docs/RECIPIENTS.md §1, type 3): the wrapping key comes from a WebAuthn
 * credential's PRF extension (WebAuthn Level 3), evaluated on a fresh prf_salt, through
 * HKDF-SHA256, then ChaCha20-Poly1305. Browsers only; elsewhere, or where the authenticator
 * has no PRF, `UNSUPPORTED`.
 */
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64urlnopad } from '@scure/base';
import { StreamV2Error } from '../errors.js';
import { HEADER_SIZE, KEY_SIZE } from '../format/constants.js';
import { type Envelope, PRF_SALT_SIZE, type Stanza } from './envelope.js';
import { encodeKey } from './text.js';

/** §1: info = "stream_v2 passkey" || header; the key seals once, so the nonce is 12 zero bytes. */
const INFO_LABEL = new TextEncoder().encode('stream_v2 passkey');
const NONCE = new Uint8Array(12);

function credentials(): CredentialsContainer {
  if (typeof navigator === 'undefined' || !navigator.credentials || typeof PublicKeyCredential === 'undefined') {
    throw new StreamV2Error('UNSUPPORTED', 'passkeys need a browser with WebAuthn');
  }
  return navigator.credentials;
}

function wrappingKey(prf: Uint8Array, salt: Uint8Array, header: Uint8Array): Uint8Array {
  const info = new Uint8Array(INFO_LABEL.length + HEADER_SIZE);
  info.set(INFO_LABEL);
  info.set(header.subarray(0, HEADER_SIZE), INFO_LABEL.length);
  return hkdf(sha256, prf, salt, info, KEY_SIZE);
}

type PrfResults = { prf?: { enabled?: boolean; results?: { first?: BufferSource } } };

const bytesOf = (b: BufferSource): Uint8Array =>
  b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/** The WebAuthn request; its failures as codes (a cancel and "no such passkey here" look alike, by design). */
async function assertion(options: CredentialRequestOptions): Promise<{ id: Uint8Array; prf: Uint8Array }> {
  let credential: PublicKeyCredential;
  try {
    credential = (await credentials().get(options)) as PublicKeyCredential;
  } catch (e) {
    if ((e as { name?: string }).name === 'NotAllowedError') {
      throw new StreamV2Error('WRONG_KEY', 'no passkey here opens it (or the request was cancelled)', {}, { cause: e });
    }
    throw new StreamV2Error('UNSUPPORTED', `the passkey request failed (${(e as Error).name})`, {}, { cause: e });
  }
  const first = (credential.getClientExtensionResults() as PrfResults).prf?.results?.first;
  if (!first) throw new StreamV2Error('UNSUPPORTED', 'this passkey or browser gives no PRF output (WebAuthn PRF)');
  return { id: new Uint8Array(credential.rawId), prf: bytesOf(first).slice() };
}

/**
 * Makes a passkey (a WebAuthn credential with the PRF extension, for this page's origin) and
 * returns it as a recipient, `s2passkey1…` (its credential id: not secret; the secret stays in
 * the authenticator). Encrypting to it (`{ recipients: [it] }`) and opening with
 * `{ passkey: true }` each ask the authenticator once. Browsers only.
 *
 * @param options - `name`: the user name the authenticator shows (default "stream-v2")
 * @throws StreamV2Error `UNSUPPORTED` (no WebAuthn, an authenticator without PRF, a refusal),
 *   `BAD_ARGUMENT`
 */
export async function createPasskey(options?: { name?: string }): Promise<string> {
  const name = options?.name ?? 'stream-v2';
  if (typeof name !== 'string' || name.length === 0) throw new StreamV2Error('BAD_ARGUMENT', 'name must be a string');
  let created: PublicKeyCredential;
  try {
    created = (await credentials().create({
      publicKey: {
        rp: { name: 'stream-v2' },
        user: { id: crypto.getRandomValues(new Uint8Array(16)), name, displayName: name },
        challenge: crypto.getRandomValues(new Uint8Array(32)),
        pubKeyCredParams: [
          { type: 'public-key', alg: -7 },
          { type: 'public-key', alg: -257 },
        ],
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
        extensions: { prf: {} } as AuthenticationExtensionsClientInputs,
      },
    })) as PublicKeyCredential;
  } catch (e) {
    throw new StreamV2Error('UNSUPPORTED', `no passkey was made (${(e as Error).name})`, {}, { cause: e });
  }
  if (!(created.getClientExtensionResults() as PrfResults).prf?.enabled) {
    throw new StreamV2Error('UNSUPPORTED', 'this authenticator has no PRF extension: its passkey cannot wrap a key');
  }
  return encodeKey('public', 'passkey', new Uint8Array(created.rawId));
}

/** Seals the file key to a passkey (§1): one WebAuthn request, with PRF on a fresh prf_salt. */
export async function sealPasskeyStanza(
  credentialId: Uint8Array,
  fileKey: Uint8Array,
  header: Uint8Array,
): Promise<Stanza> {
  const salt = crypto.getRandomValues(new Uint8Array(PRF_SALT_SIZE));
  const { prf } = await assertion({
    publicKey: {
      challenge: crypto.getRandomValues(new Uint8Array(32)),
      allowCredentials: [{ type: 'public-key', id: credentialId.slice() }],
      userVerification: 'required',
      extensions: { prf: { eval: { first: salt } } } as AuthenticationExtensionsClientInputs,
    },
  });
  const ct = chacha20poly1305(wrappingKey(prf, salt, header), NONCE).encrypt(fileKey);
  const enc = new Uint8Array(PRF_SALT_SIZE + credentialId.length);
  enc.set(salt);
  enc.set(credentialId, PRF_SALT_SIZE);
  return { type: 'passkey', enc, ct };
}

/**
 * The file keys the passkey stanzas of `envelope` give (§2 check 12): one WebAuthn request that
 * offers every stanza's credential, each with its prf_salt; the authenticator answers for one.
 * @throws StreamV2Error `WRONG_KEY` (no passkey stanza, none of them here, a cancel), `UNSUPPORTED`
 */
export async function openPasskeyStanzas(envelope: Envelope): Promise<Uint8Array[]> {
  const stanzas = envelope.stanzas.filter((s) => s.type === 'passkey');
  if (stanzas.length === 0) throw new StreamV2Error('WRONG_KEY', 'the key envelope has no passkey stanza');
  const idOf = (s: Stanza) => s.enc.subarray(PRF_SALT_SIZE);
  const evalByCredential: Record<string, { first: Uint8Array }> = {};
  for (const s of stanzas) evalByCredential[base64urlnopad.encode(idOf(s))] = { first: s.enc.slice(0, PRF_SALT_SIZE) };
  const { id, prf } = await assertion({
    publicKey: {
      challenge: crypto.getRandomValues(new Uint8Array(32)),
      allowCredentials: stanzas.map((s) => ({ type: 'public-key' as const, id: idOf(s).slice() })),
      userVerification: 'required',
      extensions: { prf: { evalByCredential } } as AuthenticationExtensionsClientInputs,
    },
  });
  const mine = base64urlnopad.encode(id);
  const keys: Uint8Array[] = [];
  for (const s of stanzas.filter((x) => base64urlnopad.encode(idOf(x)) === mine)) {
    try {
      keys.push(
        chacha20poly1305(wrappingKey(prf, s.enc.subarray(0, PRF_SALT_SIZE), envelope.header.bytes), NONCE).decrypt(
          s.ct,
        ),
      );
    } catch {
      // damaged, or another stream's: §2 gives it the same WRONG_KEY
    }
  }
  return keys;
}
