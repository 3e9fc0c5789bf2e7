/**
 * stream-v2: segmented, parallel, authenticated encryption of WHATWG streams
 * (wire format: shared spec stream_v2, version 1).
 *
 * @packageDocumentation
 */
import type { Secret } from './codec/keys.js';
import type { WorkerPool } from './pool/pool.js';
import type { BlobEncryption, EncryptBlobOptions } from './random/encrypt.js';
import type { EncryptedFile, RandomAccessOptions } from './random/open.js';
import type { ResumeStateFromOptions } from './random/partial.js';
import type { ResumeState } from './random/resume.js';
import type { VerifyOptions, VerifyResult } from './random/verify.js';
import type { Identity, IdentityKeys, OpenedEnvelope, Passkey, Recipients } from './recipients/recipients.js';
import type { RandomAccessSource } from './source/source.js';

export type { Secret } from './codec/keys.js';
export {
  type ErrorCode,
  type ErrorPosition,
  IMPLEMENTATION_ERROR_CODES,
  SPEC_ERROR_CODES,
  StreamV2Error,
} from './errors.js';
export { DEFAULTS, HEADER_SIZE, LIMITS, SUITES, type SuiteName } from './format/constants.js';
export { type DecoderLimits, parseHeader, type StreamHeader } from './format/header.js';
export { ciphertextSize, type LayoutParams, plaintextSize } from './format/sizes.js';
export { WorkerPool, type WorkerPoolOptions } from './pool/pool.js';
export type { BlobEncryption, EncryptBlobOptions } from './random/encrypt.js';
export { type HttpRangeSourceOptions, httpRangeSource } from './random/http.js';
export type { EncryptedFile, PlaintextRange, RandomAccessOptions } from './random/open.js';
export type { ResumeStateFromOptions } from './random/partial.js';
export type { ResumeState } from './random/resume.js';
export type { VerifyOptions, VerifyProgress, VerifyResult } from './random/verify.js';
export type { RecipientType } from './recipients/envelope.js';
export { createPasskey } from './recipients/passkey.js';
export type { Identity, IdentityKeys, OpenedEnvelope, Passkey, Recipients } from './recipients/recipients.js';
export type { RandomAccessSource, RangeSource } from './source/source.js';
export { type DecryptOptions, DecryptSegmentTransform } from './stream/decrypt.js';
export { type EncryptOptions, EncryptSegmentTransform } from './stream/encrypt.js';
export type { Progress, StreamOptions } from './stream/options.js';
export type { EncoderOptions } from './stream/params.js';

// The functions below depend on the platform. Each package entry point (node.ts, browser.ts)
// exports them bound to its platform (bind.ts); here they are declared once, with their docs,
// for the published declarations. The classes above take their platform the same way.

/** The lazily created pool that transforms and the random-access APIs use when `workers` is not given. */
export declare function getDefaultPool(): WorkerPool;

/**
 * Encrypts a Blob into a stream_v2 ciphertext that can be read from any offset. The header
 * (fresh salt) and the exact size are known at once, before any frame is sealed. With
 * `resume`, continues an earlier encryption under its header, proving the source the same
 * first (see {@link EncryptBlobOptions.resume}).
 *
 * With `{ recipients }`, the ciphertext is a container (docs/RECIPIENTS.md §3): the key envelope
 * that seals a fresh file key to each public key, then the stream under that key. Its resume
 * state carries the envelope; it resumes with `{ identity }` of one of the recipients (or
 * `{ passkey: true }`, or the file key), which opens the file key.
 *
 * @param blob - the plaintext: a File, Node's `fs.openAsBlob(path)` or `openFile(path)`, `Bun.file()`
 * @param secret - a 32-byte key, `{ passphrase }`, or `{ recipients }` (public keys); with
 *   `resume` of an encryption to recipients, `{ identity }` or `{ passkey: true }`
 * @param options - suite, layout, scrypt cost, workers, or a state to resume
 * @throws StreamV2Error `BAD_ARGUMENT` (also a malformed public key); with `resume`:
 *   `SOURCE_CHANGED` (another size, `lastModified` or segment), `WRONG_KEY` (a secret that does
 *   not open the state's header, an identity that opens no stanza of its envelope)
 */
export declare function encryptBlob(
  blob: Blob,
  secret: Secret | Recipients | Identity | Passkey,
  options?: EncryptBlobOptions,
): Promise<BlobEncryption>;

/**
 * Derives, without the key, the resume state of an encryption of `plaintext` from what is held
 * of its ciphertext (`partial`: a partial upload on a server, a cut file): the header, and the
 * DIGEST value of every complete segment, each checked first (frame headers against their
 * places, DIGEST value recomputed). Pass it to `encryptBlob(plaintext, secret, { resume })`,
 * which then proves segment by segment that `plaintext` is the source it was made from.
 * A partial ciphertext with no complete segment gives a state that records none, which
 * `encryptBlob` refuses (it would prove nothing): start afresh then.
 *
 * @param partial - what is held of the ciphertext, from its first byte
 * @param plaintext - the source to resume (its size and `lastModified` go into the state)
 * @throws StreamV2Error with the spec §7 code of a damaged or foreign segment (`DIGEST_MISMATCH`,
 *   `BAD_FRAME`, `TRAILING_DATA`, `TRUNCATED`...), `BAD_HEADER`, `LIMIT_EXCEEDED`,
 *   `SOURCE_FAILED`, `BAD_ARGUMENT`
 */
export declare function resumeStateFrom(
  partial: RandomAccessSource,
  plaintext: Blob,
  options?: ResumeStateFromOptions,
): Promise<ResumeState>;

/**
 * Opens a stream_v2 ciphertext held by a Blob or a {@link RangeSource} for random access. Reads
 * the 80-byte header and checks it, derives the keys, checks that the source's size is a
 * ciphertext size of the header's layout and that the stream ends where that size says: the
 * last DATA frame and the FINAL TERMINATOR verify, which fixes the plaintext size. Truncation
 * and trailing bytes fail here, before any segment is read.
 *
 * With `{ identity }`, the source is a container (docs/RECIPIENTS.md §3): its key envelope is
 * read and opened first, and the stream after it read as above.
 *
 * @param source - the ciphertext
 * @param secret - the 32-byte key, `{ passphrase }`, `{ identity }` (secret keys), or
 *   `{ passkey: true }` (browsers: a passkey of {@link createPasskey})
 * @throws StreamV2Error with the spec §7 code (`BAD_HEADER`, `WRONG_KEY`, `TRUNCATED`,
 *   `TRAILING_DATA`, `BAD_FRAME`, `AUTH_FAILED` ...), or `SOURCE_FAILED`/`SOURCE_CHANGED`; with
 *   an identity also the key envelope's codes (docs/RECIPIENTS.md §2)
 */
export declare function openEncrypted(
  source: RandomAccessSource,
  secret: Secret | Identity | Passkey,
  options?: RandomAccessOptions,
): Promise<EncryptedFile>;

/**
 * Checks a stream without its key: header structure and limits, every frame header against
 * its position, the end of the stream (FINAL, no trailing bytes), and every segment's DIGEST
 * value. A `ReadableStream` is read once, its segments checked on the worker pool as they come;
 * a random-access source (Blob, RangeSource) is checked at its end first, then its segments in
 * parallel on the worker pool (read by the workers themselves where they can).
 *
 * Not checked (they need the key): header_mac and every tag. A stream that passes may still
 * fail to decrypt (spec §4: the DIGEST value is public).
 *
 * A file encrypted to recipients (docs/RECIPIENTS.md §3) is checked too: its key envelope's
 * structure (§2; opening a stanza needs an identity), that the stream's header is the
 * envelope's, then the stream after it ({@link VerifyResult.stanzas}).
 *
 * @throws StreamV2Error `BAD_ARGUMENT` for an input that is no stream or source; every
 *   failure of the stream itself is in the result
 */
export declare function verifyDigests(
  input: ReadableStream<Uint8Array> | RandomAccessSource,
  options?: VerifyOptions,
): Promise<VerifyResult>;

/**
 * Makes a new identity: a key pair whose public key others encrypt to (`{ recipients }`) and
 * whose secret key opens what they encrypted (`{ identity }`), as text (docs/RECIPIENTS.md §4).
 *
 * @param options - `pq: true` for an X-Wing (ML-KEM-768 + X25519, post-quantum hybrid) identity;
 *   X25519 otherwise (shorter public key: 63 characters instead of 1,959)
 * @throws StreamV2Error `BAD_ARGUMENT`
 */
export declare function generateIdentity(options?: { pq?: boolean }): Promise<IdentityKeys>;

/**
 * Seals a stream's file key to recipients: the key envelope alone (docs/RECIPIENTS.md §1), for an
 * application that keeps it beside the ciphertext (a database row, upload metadata). The stream
 * is one made with `fileKey` as its raw key (`encryptBlob(blob, fileKey)`, a transform).
 *
 * @param fileKey - the stream's 32-byte raw key (draw it with `crypto.getRandomValues`)
 * @param header - the stream's first 80 bytes (its header), which `fileKey` must open
 * @param recipients - public keys (`s2pk1…`, `s2pkpq1…`), 1 to 64
 * @returns the envelope's bytes
 * @throws StreamV2Error `BAD_ARGUMENT` (a malformed key, header or recipient), `BAD_HEADER`,
 *   `UNSUPPORTED` (a header that breaks spec §2), `WRONG_KEY` (a key that does not open the header)
 */
export declare function sealEnvelope(
  fileKey: Uint8Array,
  header: Uint8Array,
  recipients: readonly string[],
): Promise<Uint8Array>;

/**
 * Opens a key envelope given alone (docs/RECIPIENTS.md §2) with an identity: the file key (the
 * stream's raw key) and the header of the stream it opens.
 *
 * @param envelope - the envelope's bytes, and nothing more
 * @param identity - a secret key (`S2SK1…`, `S2SKPQ1…`), or several; or `{ passkey: true }`
 * @throws StreamV2Error `WRONG_KEY` (no stanza opens), `BAD_ARGUMENT` (a malformed identity), or
 *   a malformed envelope's code: `TRUNCATED`, `BAD_HEADER`, `UNSUPPORTED`, `LIMIT_EXCEEDED`, `TRAILING_DATA`
 */
export declare function openEnvelope(
  envelope: Uint8Array,
  identity: string | readonly string[] | Passkey,
): Promise<OpenedEnvelope>;

/**
 * Re-wraps a key envelope: opens its file key with `identity` and seals it again to
 * `recipients`, which replace every stanza (add, remove, rotate readers). The stream does not
 * change, nor does its file key: whoever kept the file key, or an old envelope and an identity
 * it was sealed to, still reads the stream; only re-encrypting under a new key stops that.
 *
 * @param envelope - the envelope's bytes, and nothing more
 * @param identity - a secret key that opens it (or several), or `{ passkey: true }`
 * @param recipients - the new readers' public keys, 1 to 64
 * @returns the new envelope's bytes
 * @throws StreamV2Error as {@link openEnvelope}, and `BAD_ARGUMENT` for a malformed recipient
 */
export declare function rewrap(
  envelope: Uint8Array,
  identity: string | readonly string[] | Passkey,
  recipients: readonly string[],
): Promise<Uint8Array>;
