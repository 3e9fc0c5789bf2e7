/**
 * Recipients where a secret is taken (docs/RECIPIENTS.md §3): an encoder given `{ recipients }`
 * makes the stream under a fresh file key and writes the key envelope before it; a decoder given
 * `{ identity }` reads the envelope first, opens the file key, then the stream as a raw-key one.
 */
import { ownSecret, type Secret } from '../codec/keys.js';
import { StreamV2Error } from '../errors.js';
import { KEY_SIZE } from '../format/constants.js';
import type { StreamHeader } from '../format/header.js';
import type { Source } from '../source/source.js';
import { decodeEnvelope, ENVELOPE_MAGIC, ENVELOPE_PREFIX_SIZE, type Envelope, envelopeSize } from './envelope.js';
import type { KemBackend } from './kem-backend.js';
import {
  type Identity,
  identitiesOf,
  openWith,
  type Passkey,
  parseIdentities,
  parseRecipients,
  type Recipients,
  sealKeys,
} from './recipients.js';
import type { KeyBytes } from './text.js';

/** What an encoder is given: a 32-byte key, `{ passphrase }`, or `{ recipients }`. */
export type EncryptSecret = Secret | Recipients;
/** What a decoder is given: a 32-byte key, `{ passphrase }`, `{ identity }` or `{ passkey: true }`. */
export type DecryptSecret = Secret | Identity | Passkey;

function has(value: unknown, key: string): boolean {
  return typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && key in value;
}

/** Whether an encoder's secret is `{ recipients }` (its shape only; {@link ownEncryptSecret} checks the keys). */
export function isRecipients(value: unknown): value is Recipients {
  return has(value, 'recipients');
}

/** An encoder's secret, checked and its own: the stream's secret, and the recipients of its file key. */
export interface EncoderSecret {
  readonly secret: Secret;
  readonly recipients: readonly KeyBytes[] | undefined;
}

/**
 * Checks an encoder's secret; for recipients, draws the file key (32 random bytes).
 * @throws StreamV2Error `BAD_ARGUMENT`
 */
export function ownEncryptSecret(value: unknown): EncoderSecret {
  if (has(value, 'identity')) {
    throw new StreamV2Error('BAD_ARGUMENT', 'an identity opens; to encrypt, pass { recipients: [public keys] }');
  }
  if (!isRecipients(value)) return { secret: ownSecret(value, true), recipients: undefined };
  const recipients = parseRecipients((value as Recipients).recipients);
  return { secret: crypto.getRandomValues(new Uint8Array(KEY_SIZE)), recipients };
}

/** The key envelope of an encoder's stream, or nothing without recipients (the stream's header is sealed). */
export async function envelopeFor(
  kems: readonly KemBackend[],
  own: EncoderSecret,
  header: Uint8Array,
): Promise<Uint8Array> {
  if (own.recipients === undefined) return new Uint8Array(0);
  return sealKeys(kems, own.secret as Uint8Array, header, own.recipients);
}

/** A decoder's secret, checked and its own: a secret, or identities that open the envelope first. */
export type DecoderSecret = { readonly secret: Secret } | { readonly identities: readonly KeyBytes[] };

/**
 * Checks a decoder's secret.
 * @throws StreamV2Error `BAD_ARGUMENT`
 */
export function ownDecryptSecret(value: unknown): DecoderSecret {
  if (has(value, 'recipients')) {
    throw new StreamV2Error('BAD_ARGUMENT', 'recipients are public keys that encrypt; to decrypt, pass { identity }');
  }
  if (has(value, 'identity')) return { identities: identitiesOf(value as object, (value as Identity).identity) };
  if (has(value, 'passkey')) return { identities: parseIdentities(value) };
  return { secret: ownSecret(value) };
}

/**
 * §3: the stream's header must be the envelope's.
 * @throws StreamV2Error `WRONG_KEY`
 */
export function checkSameHeader(envelopeHeader: StreamHeader, header: StreamHeader): void {
  if (!envelopeHeader.bytes.every((b, i) => header.bytes[i] === b)) {
    throw new StreamV2Error('WRONG_KEY', 'the key envelope belongs to another stream (its header differs)');
  }
}

/** The envelope at the start of a byte stream, gathered as it comes (never more than its envelope_size). */
export class EnvelopeGatherer {
  private buffer = new Uint8Array(ENVELOPE_PREFIX_SIZE);
  private filled = 0;
  private size: number | undefined;

  /**
   * Takes bytes of `chunk`: the whole envelope once it is complete (and what of the chunk
   * follows it), or undefined while more is needed.
   * @throws StreamV2Error what §2 checks 1 to 10 throw
   */
  feed(chunk: Uint8Array): { envelope: Uint8Array; rest: Uint8Array } | undefined {
    let at = 0;
    for (;;) {
      const take = Math.min(this.buffer.length - this.filled, chunk.length - at);
      this.buffer.set(chunk.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      if (this.filled < this.buffer.length) return undefined; // the chunk is used up
      if (this.size !== undefined) return { envelope: this.buffer, rest: chunk.subarray(at) };
      this.size = envelopeSize(this.buffer); // never less than 175 bytes: the buffer grows
      const whole = new Uint8Array(this.size);
      whole.set(this.buffer);
      this.buffer = whole;
    }
  }

  /**
   * At the end of the input before the envelope completed.
   * @throws StreamV2Error `TRUNCATED`
   */
  finish(): never {
    decodeEnvelope(this.buffer.subarray(0, this.filled), false); // TRUNCATED with the sizes, or its own code
    throw new StreamV2Error('TRUNCATED', 'the input ends with the key envelope: no stream follows it');
  }
}

const EMPTY = new Uint8Array(0);

/**
 * For the keyless check of a byte stream: the key envelope at its start when it starts with one
 * (docs/RECIPIENTS.md §3), gathered as it comes; the stream's bytes are passed on.
 */
export class LeadingEnvelope {
  /** Bytes held until there are 4 to tell an envelope's magic from a stream's. */
  private head: Uint8Array | undefined = EMPTY;
  private gatherer: EnvelopeGatherer | undefined;
  /** The envelope (its structure checked, §2 checks 1 to 10), once read. */
  found: { envelope: Envelope } | undefined;

  /**
   * The bytes of `chunk` that belong to the stream (none while an envelope is gathered).
   * @throws StreamV2Error what §2 checks 1 to 10 throw
   */
  feed(chunk: Uint8Array): Uint8Array {
    let bytes = chunk;
    if (this.head) {
      // Nothing held yet (the usual first chunk): the chunk itself, not a copy of it.
      const held = this.head.length === 0 ? chunk : new Uint8Array(this.head.length + chunk.length);
      if (held !== chunk) {
        held.set(this.head);
        held.set(chunk, this.head.length);
      }
      if (held.length < ENVELOPE_MAGIC.length) {
        this.head = held;
        return EMPTY;
      }
      this.head = undefined;
      if (startsWithMagic(held)) this.gatherer = new EnvelopeGatherer();
      bytes = held;
    }
    if (!this.gatherer) return bytes;
    const got = this.gatherer.feed(bytes);
    if (!got) return EMPTY;
    this.gatherer = undefined;
    this.found = { envelope: decodeEnvelope(got.envelope, false) };
    return got.rest;
  }

  /**
   * At the end of the input: the bytes still held (fewer than 4: a stream's, cut short).
   * @throws StreamV2Error `TRUNCATED` inside an envelope
   */
  finish(): Uint8Array {
    if (this.gatherer) this.gatherer.finish();
    const held = this.head ?? EMPTY;
    this.head = undefined;
    return held;
  }
}

/**
 * The key envelope at the start of `source` (its structure checked, §2 checks 1 to 10) and the
 * source of the stream after it. `prefix` is the source's first bytes when the caller read them.
 * @throws StreamV2Error what §2 checks 1 to 10 throw, and the source's `SOURCE_FAILED`/`SOURCE_CHANGED`
 */
async function readEnvelope(source: Source, prefix?: Uint8Array): Promise<{ envelope: Envelope; stream: Source }> {
  const size = envelopeSize(prefix ?? (await source.read(0, Math.min(ENVELOPE_PREFIX_SIZE, source.size))));
  if (source.size < size) {
    throw new StreamV2Error('TRUNCATED', `the input ends after ${source.size} of the key envelope's ${size} bytes`);
  }
  const envelope = decodeEnvelope((await source.read(0, size)).slice(), false);
  return { envelope, stream: streamAfter(source, size) };
}

/**
 * Reads and opens the envelope at the start of a container source (§2, §3): the file key, the
 * envelope's header, and the source of the stream after it.
 * @throws StreamV2Error what §2 throws, and the source's `SOURCE_FAILED`/`SOURCE_CHANGED`
 */
export async function openContainer(
  kems: readonly KemBackend[],
  source: Source,
  identities: readonly KeyBytes[],
): Promise<{ fileKey: Uint8Array; header: StreamHeader; stream: Source }> {
  const { envelope, stream } = await readEnvelope(source);
  return { fileKey: await openWith(kems, envelope, identities), header: envelope.header, stream };
}

/**
 * For the keyless check: the key envelope at the start of `source` when it starts with one
 * (its structure checked, §2 checks 1 to 10), and the source of the stream after it; the source
 * as it is otherwise.
 * @throws StreamV2Error what §2 checks 1 to 10 throw, and the source's `SOURCE_FAILED`/`SOURCE_CHANGED`
 */
export async function skipEnvelope(source: Source): Promise<{ envelope: Envelope | undefined; stream: Source }> {
  // One read tells the magic and, when it is there, the envelope's size (no second round trip).
  const prefix = (await source.read(0, Math.min(ENVELOPE_PREFIX_SIZE, source.size))).slice();
  if (!startsWithMagic(prefix)) return { envelope: undefined, stream: source };
  return readEnvelope(source, prefix);
}

/** Whether `bytes` (4 or more) begin with the envelope's magic "SV2E" (§1). */
export function startsWithMagic(bytes: Uint8Array): boolean {
  return bytes.length >= ENVELOPE_MAGIC.length && ENVELOPE_MAGIC.every((b, i) => bytes[i] === b);
}

/** The part of `source` after its first `offset` bytes (workers read a Blob's slice themselves). */
function streamAfter(source: Source, offset: number): Source {
  const blob = source.workerSource instanceof Blob ? source.workerSource.slice(offset) : undefined;
  return {
    size: source.size - offset,
    workerSource: blob,
    lastModified: source.lastModified,
    read: (at, length) => source.read(at + offset, length),
    ownsReads: source.ownsReads,
  };
}
