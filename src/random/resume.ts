/**
 * The resume state of a Blob encryption: JSON, no key material. It names the stream (its
 * header, hence its salt), the source it was made from (size, lastModified), and the DIGEST
 * value of every segment released so far: the proof, segment by segment, that a resumed
 * encryption seals the same plaintext under the same nonces (spec §8).
 */

import { StreamLayout } from '../codec/layout.js';
import { StreamV2Error } from '../errors.js';
import { HEADER_SIZE } from '../format/constants.js';
import { checkLimits, parseHeader, type StreamHeader } from '../format/header.js';
import { decodeEnvelope, ENVELOPE_FIXED_SIZE, type Envelope, MAX_ENVELOPE_SIZE } from '../recipients/envelope.js';
import type { Source } from '../source/source.js';

/** What {@link BlobEncryption.resumeState} returns; `JSON.stringify` it as is. */
export interface ResumeState {
  /** Format of this object. */
  readonly version: 1;
  /** The stream header, 80 bytes in lowercase hex (no key material: the salt and header_mac are public). */
  readonly header: string;
  /** The plaintext size of the source. */
  readonly plaintextSize: number;
  /** The source's `lastModified` (a File), or its mtime in ms (a Blob of `openFile`); compared on resume. */
  readonly lastModified?: number;
  /**
   * Segment index (canonical decimal: `0`, `1`, … below the stream's segment count) → the
   * 32-byte DIGEST value (64 lowercase hex digits) of every segment released so far.
   */
  readonly digests: Readonly<Record<string, string>>;
  /**
   * The key envelope before the stream, in lowercase hex, when the encryption is to recipients
   * (a container, docs/RECIPIENTS.md §3): public, like the header. Resuming such a state takes
   * `{ identity }` of one of its recipients (or `{ passkey: true }`, or the file key), which
   * opens the envelope's file key.
   */
  readonly envelope?: string;
}

const HEADER_HEX = new RegExp(`^[0-9a-f]{${2 * HEADER_SIZE}}$`);
const DIGEST_HEX = /^[0-9a-f]{64}$/;
/** One spelling per segment number: "01", "1e0", "0x1", " 1" would alias segment 1. */
const SEGMENT_KEY = /^(0|[1-9][0-9]*)$/;
const FIELDS: ReadonlySet<string> = new Set([
  'version',
  'header',
  'plaintextSize',
  'lastModified',
  'digests',
  'envelope',
]);
/** Hex of at most the largest envelope (docs/RECIPIENTS.md §1), checked before it is decoded. */
const ENVELOPE_HEX = new RegExp(`^(?:[0-9a-f]{2}){${ENVELOPE_FIXED_SIZE},${MAX_ENVELOPE_SIZE}}$`);

/** Bytes → lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function malformed(why: string): StreamV2Error {
  return new StreamV2Error('BAD_ARGUMENT', `not a resume state of stream-v2 (version 1): ${why}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Checks the fields a state is made of, each on its own (what needs the header comes later).
 * Unknown fields are refused: the state is a proof, and a field this version ignores could be
 * one a caller meant to count (a misspelt `lastModified` would silently skip that check).
 */
function checkFields(s: unknown): asserts s is ResumeState {
  if (!isPlainObject(s)) throw malformed('not an object');
  const extra = Object.keys(s).find((k) => !FIELDS.has(k));
  if (extra !== undefined) throw malformed(`unknown field ${JSON.stringify(extra.slice(0, 40))}`);
  if (s['version'] !== 1) throw malformed('version must be 1');
  if (typeof s['header'] !== 'string' || !HEADER_HEX.test(s['header'])) {
    throw malformed(`header must be ${HEADER_SIZE} bytes in lowercase hex`);
  }
  const size = s['plaintextSize'];
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw malformed('plaintextSize must be a non-negative safe integer');
  }
  const lastModified = s['lastModified'];
  if (lastModified !== undefined && (typeof lastModified !== 'number' || !Number.isFinite(lastModified))) {
    throw malformed('lastModified must be a finite number when given');
  }
  const envelope = s['envelope'];
  if (envelope !== undefined && (typeof envelope !== 'string' || !ENVELOPE_HEX.test(envelope))) {
    throw malformed(
      `envelope must be ${ENVELOPE_FIXED_SIZE} to ${MAX_ENVELOPE_SIZE} bytes in lowercase hex when given`,
    );
  }
  const digests = s['digests'];
  if (!isPlainObject(digests)) throw malformed('digests must be an object');
  for (const [k, v] of Object.entries(digests)) {
    if (!SEGMENT_KEY.test(k)) throw malformed(`digest key ${JSON.stringify(k.slice(0, 40))} is not a segment number`);
    if (typeof v !== 'string' || !DIGEST_HEX.test(v)) {
      throw malformed(`the digest of segment ${k} must be 64 lowercase hex digits`);
    }
  }
}

/**
 * Checks a resume state against the source: its shape (every field, and digest keys that name
 * segments of the stream the header and plaintextSize describe), its header's structure, its
 * envelope's (one sealed to that header), and that the source has the recorded size and
 * lastModified. A malformed state is always `BAD_ARGUMENT`, found before the state is compared
 * with the source.
 * @returns the state's header, its recorded digests, and its envelope (bytes and decoded) if any
 * @throws StreamV2Error `BAD_ARGUMENT` (malformed state), `BAD_HEADER`/`UNSUPPORTED`/`LIMIT_EXCEEDED`
 *   (its header), `SOURCE_CHANGED` (another size or lastModified)
 */
export function checkResumeState(
  state: ResumeState,
  source: Source,
): { header: StreamHeader; digests: Map<number, string>; envelope?: { bytes: Uint8Array; decoded: Envelope } } {
  checkFields(state);
  const header = parseHeader(fromHex(state.header));
  checkLimits(header);
  const envelope = state.envelope === undefined ? undefined : envelopeOf(fromHex(state.envelope), header);
  const layout = new StreamLayout(header, state.plaintextSize);
  if (!Number.isSafeInteger(layout.wireSize)) {
    throw malformed('plaintextSize gives a ciphertext past Number.MAX_SAFE_INTEGER bytes');
  }
  const map = new Map<number, string>();
  for (const [k, v] of Object.entries(state.digests)) {
    const index = Number(k);
    if (index >= layout.segments) {
      throw malformed(`digest of segment ${k.slice(0, 20)}, past the last segment (${layout.segments - 1})`);
    }
    map.set(index, v);
  }
  if (source.size !== state.plaintextSize) {
    throw new StreamV2Error('SOURCE_CHANGED', `the source has ${source.size} bytes, the state ${state.plaintextSize}`);
  }
  if (state.lastModified !== undefined && source.lastModified !== state.lastModified) {
    throw new StreamV2Error('SOURCE_CHANGED', 'the source was modified since the state was taken (lastModified)');
  }
  return { header, digests: map, ...(envelope ? { envelope } : {}) };
}

/** A state's envelope: whole (§2 checks 1 to 11) and sealed to the state's header (§3). */
function envelopeOf(bytes: Uint8Array, header: StreamHeader): { bytes: Uint8Array; decoded: Envelope } {
  let decoded: Envelope;
  try {
    decoded = decodeEnvelope(bytes, true);
  } catch (e) {
    throw malformed(`its envelope is not one (${StreamV2Error.is(e) ? e.code : 'unreadable'})`);
  }
  if (!decoded.header.bytes.every((b, i) => header.bytes[i] === b)) {
    throw malformed("its envelope belongs to another stream (the envelope's header is not the state's)");
  }
  return { bytes, decoded };
}
