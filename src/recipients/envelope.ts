/**
 * The key envelope's bytes (docs/RECIPIENTS.md §1, §2): pure encoding and decoding, no crypto.
 * The decoder refuses in the order of §2, each failure with its stable code.
 */
import { StreamV2Error } from '../errors.js';
import { HEADER_SIZE } from '../format/constants.js';
import { parseHeader, type StreamHeader } from '../format/header.js';

/** §1: "SV2E". */
export const ENVELOPE_MAGIC = Uint8Array.of(0x53, 0x56, 0x32, 0x45);
export const ENVELOPE_VERSION = 1;
/** §1: magic, version, stanza_count, envelope_size. */
export const ENVELOPE_PREFIX_SIZE = 10;
/** §1: the prefix and the stream header. */
export const ENVELOPE_FIXED_SIZE = ENVELOPE_PREFIX_SIZE + HEADER_SIZE;
/** §1: type, enc_length, ct_length. */
const STANZA_HEAD_SIZE = 5;
export const MAX_STANZAS = 64;

/** A recipient type: X25519, or the X-Wing hybrid (ML-KEM-768 + X25519, post-quantum). */
export type RecipientType = 'x25519' | 'x-wing';

/** A stanza's type: a public-key recipient's, or a passkey's (§1). */
export type StanzaType = RecipientType | 'passkey';

/** §1: a passkey stanza's enc is prf_salt (32) || credential_id (1 to 1023 bytes). */
export const PRF_SALT_SIZE = 32;
export const MAX_CREDENTIAL_ID = 1023;

/** §1: the stanza types this version defines, with their enc sizes (a range for passkeys). */
export const STANZA_TYPES: Readonly<Record<StanzaType, { id: number; enc: [number, number]; ctLength: number }>> = {
  x25519: { id: 1, enc: [32, 32], ctLength: 48 },
  'x-wing': { id: 2, enc: [1120, 1120], ctLength: 48 },
  passkey: { id: 3, enc: [PRF_SALT_SIZE + 1, PRF_SALT_SIZE + MAX_CREDENTIAL_ID], ctLength: 48 },
};

const TYPE_OF_ID: ReadonlyMap<number, StanzaType> = new Map(
  Object.entries(STANZA_TYPES).map(([name, t]) => [t.id, name as StanzaType]),
);

const SMALLEST_STANZA = STANZA_HEAD_SIZE + Math.min(...Object.values(STANZA_TYPES).map((t) => t.enc[0] + t.ctLength));
const LARGEST_STANZA = STANZA_HEAD_SIZE + Math.max(...Object.values(STANZA_TYPES).map((t) => t.enc[1] + t.ctLength));
/** §1: 75,162 bytes. */
export const MAX_ENVELOPE_SIZE = ENVELOPE_FIXED_SIZE + MAX_STANZAS * LARGEST_STANZA;

/** One recipient's stanza: HPKE's `enc` and the sealed file key. */
export interface Stanza {
  readonly type: StanzaType;
  readonly enc: Uint8Array;
  readonly ct: Uint8Array;
}

/** A decoded envelope: the stream's header and the stanzas. */
export interface Envelope {
  readonly header: StreamHeader;
  readonly stanzas: readonly Stanza[];
}

/** §1: the envelope's bytes. The caller checked the stanzas' count and sizes (they come from HPKE). */
export function encodeEnvelope(header: Uint8Array, stanzas: readonly Stanza[]): Uint8Array {
  const size = stanzas.reduce((n, s) => n + STANZA_HEAD_SIZE + s.enc.length + s.ct.length, ENVELOPE_FIXED_SIZE);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(ENVELOPE_MAGIC, 0);
  out[4] = ENVELOPE_VERSION;
  out[5] = stanzas.length;
  view.setUint32(6, size);
  out.set(header.subarray(0, HEADER_SIZE), ENVELOPE_PREFIX_SIZE);
  let at = ENVELOPE_FIXED_SIZE;
  for (const s of stanzas) {
    out[at] = STANZA_TYPES[s.type].id;
    view.setUint16(at + 1, s.enc.length);
    view.setUint16(at + 3, s.ct.length);
    out.set(s.enc, at + STANZA_HEAD_SIZE);
    out.set(s.ct, at + STANZA_HEAD_SIZE + s.enc.length);
    at += STANZA_HEAD_SIZE + s.enc.length + s.ct.length;
  }
  return out;
}

/**
 * §2 checks 1 to 6 on the first bytes of an envelope: returns envelope_size, so that a reader
 * of a container knows how much to read (never more than 75,162 bytes).
 * @throws StreamV2Error `TRUNCATED`, `BAD_HEADER`, `UNSUPPORTED`, `LIMIT_EXCEEDED`
 */
export function envelopeSize(prefix: Uint8Array): number {
  if (prefix.length < ENVELOPE_PREFIX_SIZE) {
    throw new StreamV2Error('TRUNCATED', `the key envelope ends within its ${ENVELOPE_PREFIX_SIZE}-byte prefix`);
  }
  if (!ENVELOPE_MAGIC.every((b, i) => prefix[i] === b)) {
    throw new StreamV2Error('BAD_HEADER', 'not a key envelope (magic is not "SV2E"): a stream without recipients?');
  }
  if (prefix[4] !== ENVELOPE_VERSION) {
    throw new StreamV2Error('UNSUPPORTED', `key envelope version ${prefix[4]} (this implementation reads 1)`);
  }
  const count = prefix[5] as number;
  if (count === 0) throw new StreamV2Error('BAD_HEADER', 'a key envelope with no stanza');
  if (count > MAX_STANZAS) {
    throw new StreamV2Error('LIMIT_EXCEEDED', `a key envelope with ${count} stanzas (at most ${MAX_STANZAS})`);
  }
  const size = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength).getUint32(6);
  if (size < ENVELOPE_FIXED_SIZE + count * SMALLEST_STANZA || size > MAX_ENVELOPE_SIZE) {
    throw new StreamV2Error('BAD_HEADER', `envelope_size ${size} does not fit ${count} stanzas`);
  }
  return size;
}

/**
 * Decodes an envelope (§2 checks 1 to 11). `alone`: the bytes are the envelope and nothing more
 * (otherwise what follows envelope_size is left to the caller: a container's stream).
 * @throws StreamV2Error `TRUNCATED`, `BAD_HEADER`, `UNSUPPORTED`, `LIMIT_EXCEEDED`, `TRAILING_DATA`
 */
export function decodeEnvelope(bytes: Uint8Array, alone: boolean): Envelope {
  const size = envelopeSize(bytes);
  if (bytes.length < size) {
    throw new StreamV2Error('TRUNCATED', `the key envelope ends after ${bytes.length} of its ${size} bytes`);
  }
  const header = parseHeader(bytes.slice(ENVELOPE_PREFIX_SIZE, ENVELOPE_FIXED_SIZE));
  if (header.kdf !== 'raw') {
    throw new StreamV2Error('BAD_HEADER', "the key envelope's header is a passphrase stream's (kdf must be 0)");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, size);
  const stanzas: Stanza[] = [];
  let at = ENVELOPE_FIXED_SIZE;
  for (let i = 0; i < (bytes[5] as number); i++) {
    if (at + STANZA_HEAD_SIZE > size) throw new StreamV2Error('BAD_HEADER', `stanza ${i} runs past envelope_size`);
    const type = TYPE_OF_ID.get(bytes[at] as number);
    if (type === undefined) throw new StreamV2Error('UNSUPPORTED', `stanza ${i} has type ${bytes[at]}`);
    const encLength = view.getUint16(at + 1);
    const ctLength = view.getUint16(at + 3);
    const sizes = STANZA_TYPES[type];
    if (encLength < sizes.enc[0] || encLength > sizes.enc[1] || ctLength !== sizes.ctLength) {
      throw new StreamV2Error('BAD_HEADER', `stanza ${i} (${type}) has enc/ct lengths ${encLength}/${ctLength}`);
    }
    const from = at + STANZA_HEAD_SIZE;
    at = from + encLength + ctLength;
    if (at > size) throw new StreamV2Error('BAD_HEADER', `stanza ${i} runs past envelope_size`);
    stanzas.push({ type, enc: bytes.slice(from, from + encLength), ct: bytes.slice(from + encLength, at) });
  }
  if (at !== size) throw new StreamV2Error('BAD_HEADER', `the stanzas end at byte ${at}, envelope_size is ${size}`);
  if (alone && bytes.length > size) {
    throw new StreamV2Error('TRAILING_DATA', `${bytes.length - size} bytes after the key envelope`);
  }
  return { header, stanzas };
}
