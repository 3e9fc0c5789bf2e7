/**
 * Keys as text (docs/RECIPIENTS.md §4): Bech32 with a checksum and a prefix (HRP) that says what
 * the key is, so a pasted key with a typo, or a secret key where a public key belongs, is refused
 * with a clear message. Messages never hold the key itself.
 */
import { bech32 } from '@scure/base';
import { StreamV2Error } from '../errors.js';
import { MAX_CREDENTIAL_ID, type StanzaType } from './envelope.js';

/** §4: the HRP and byte lengths of each key form (a passkey recipient is its credential id). */
const FORMS: Record<KeyKind, Partial<Record<StanzaType, { hrp: string; length: [number, number] }>>> = {
  public: {
    x25519: { hrp: 's2pk', length: [32, 32] },
    'x-wing': { hrp: 's2pkpq', length: [1216, 1216] },
    passkey: { hrp: 's2passkey', length: [1, MAX_CREDENTIAL_ID] },
  },
  secret: {
    x25519: { hrp: 's2sk', length: [32, 32] },
    'x-wing': { hrp: 's2skpq', length: [32, 32] },
  },
};

/** A key form: public (a recipient) or secret (an identity). */
export type KeyKind = 'public' | 'secret';

/** A key read from its text: its type and raw bytes. */
export interface KeyBytes {
  readonly type: StanzaType;
  readonly bytes: Uint8Array;
}

const TYPES: readonly StanzaType[] = ['x25519', 'x-wing', 'passkey'];
const formOf = (kind: KeyKind, type: StanzaType) => FORMS[kind][type];

/** §4: public keys lower case, secret keys upper case. */
export function encodeKey(kind: KeyKind, type: StanzaType, bytes: Uint8Array): string {
  const form = formOf(kind, type) as { hrp: string };
  const text = bech32.encode(form.hrp, bech32.toWords(bytes), false);
  return kind === 'secret' ? text.toUpperCase() : text;
}

/**
 * Reads a key of `kind` from its text (surrounding white space ignored).
 * @param what - names the key in messages ("recipient 2")
 * @throws StreamV2Error `BAD_ARGUMENT`: not a string, a checksum that fails (a typo), another
 *   prefix (a secret key given as a recipient, or the reverse), a wrong length
 */
export function decodeKey(kind: KeyKind, text: unknown, what: string): KeyBytes {
  if (typeof text !== 'string') throw new StreamV2Error('BAD_ARGUMENT', `${what} must be a string`);
  const trimmed = text.trim();
  const decoded = bech32.decodeUnsafe(trimmed, false);
  if (!decoded) {
    const hint = trimmed.length === 0 ? 'it is empty' : 'its checksum or characters are wrong (a typo, a cut paste?)';
    throw new StreamV2Error('BAD_ARGUMENT', `${what} is not a valid key text: ${hint}`);
  }
  const prefix = decoded.prefix.toLowerCase();
  const type = TYPES.find((t) => formOf(kind, t)?.hrp === prefix);
  if (type === undefined) {
    const other: KeyKind = kind === 'public' ? 'secret' : 'public';
    const isOther = TYPES.some((t) => formOf(other, t)?.hrp === prefix);
    const expected =
      kind === 'public' ? 'a public key (s2pk1…, s2pkpq1…, s2passkey1…)' : 'a secret key (S2SK1…, S2SKPQ1…)';
    throw new StreamV2Error(
      'BAD_ARGUMENT',
      isOther
        ? `${what} is a ${other} key, where ${expected} is expected`
        : `${what} is not a stream-v2 key (prefix '${decoded.prefix}'); expected ${expected}`,
    );
  }
  // Words that are not whole bytes (padding left over) are refused like a damaged key.
  const bytes = bech32.fromWordsUnsafe(decoded.words);
  const [min, max] = (formOf(kind, type) as { length: [number, number] }).length;
  if (!bytes || bytes.length < min || bytes.length > max) {
    throw new StreamV2Error('BAD_ARGUMENT', `${what} has the wrong length for a ${type} ${kind} key`);
  }
  return { type, bytes };
}
