/**
 * stream-v2: segmented, parallel, authenticated encryption of WHATWG streams
 * (wire format: shared spec stream_v2, version 1).
 *
 * @packageDocumentation
 */
import type { Secret } from './codec/keys.js';
import type { WorkerPool } from './pool/pool.js';
import type { BlobEncryption, EncryptBlobOptions, ResumeOptions } from './random/encrypt.js';
import type { EncryptedFile, RandomAccessOptions } from './random/open.js';
import type { ResumeState } from './random/resume.js';
import type { VerifyOptions, VerifyResult } from './random/verify.js';
import type { RandomAccessSource } from './source/source.js';

export type { Secret } from './codec/keys.js';
export type { BackendName } from './crypto/types.js';
export {
  type ErrorCode,
  type ErrorPosition,
  IMPLEMENTATION_ERROR_CODES,
  SPEC_ERROR_CODES,
  StreamV2Error,
} from './errors.js';
export { DEFAULTS, HEADER_SIZE, type SuiteName } from './format/constants.js';
export { type DecoderLimits, parseHeader, type StreamHeader } from './format/header.js';
export { encryptedSize, type LayoutParams, plaintextSize } from './format/sizes.js';
export type { WorkersOption } from './pool/engine.js';
export { WorkerPool, type WorkerPoolOptions } from './pool/pool.js';
export type { BlobEncryption, EncryptBlobOptions, ResumeOptions } from './random/encrypt.js';
export { httpRangeSource } from './random/http.js';
export type { EncryptedFile, PlaintextRange, RandomAccessOptions } from './random/open.js';
export type { ResumeState } from './random/resume.js';
export type { VerifyOptions, VerifyResult } from './random/verify.js';
export type { RandomAccessSource, RangeSource } from './source/source.js';
export { type DecryptOptions, DecryptSegmentTransform } from './stream/decrypt.js';
export { type EncryptOptions, EncryptSegmentTransform } from './stream/encrypt.js';
export type { CommonOptions, Telemetry } from './stream/options.js';

// The functions below depend on the platform. Each package entry point (node.ts, browser.ts)
// exports them bound to its platform (bind.ts); here they are declared once, with their docs,
// for the published declarations. The classes above take their platform the same way.

/** The lazily created pool that transforms and the random-access APIs use when `workers` is not given. */
export declare function getDefaultPool(): WorkerPool;

/**
 * Encrypts a Blob into a stream_v2 ciphertext that can be read from any offset. The header
 * (fresh salt) and the exact size are known at once, before any frame is sealed.
 *
 * @param blob - the plaintext: a File, Node's `fs.openAsBlob(path)`, `Bun.file()`
 * @param secret - a 32-byte key, or `{ passphrase }`
 * @param options - suite, layout, scrypt cost, workers
 * @throws StreamV2Error `BAD_ARGUMENT`
 */
export declare function encryptBlob(blob: Blob, secret: Secret, options?: EncryptBlobOptions): Promise<BlobEncryption>;

/**
 * Resumes an encryption from its {@link BlobEncryption.resumeState}: same header, same salt,
 * byte-identical output at every offset. It first proves that the source is the same: a size
 * or `lastModified` other than the state's is `SOURCE_CHANGED`; and every segment whose DIGEST
 * value the state recorded is re-sealed and compared before any byte of it is released (a
 * mismatch is `SOURCE_CHANGED`, and nothing of that segment leaves the library).
 *
 * A change in a segment that the state did not record, and that is not read again, cannot be
 * seen (see the README): the state records what was released.
 *
 * @throws StreamV2Error `SOURCE_CHANGED`, `WRONG_KEY` (a secret that does not open the state's
 *   header), `BAD_ARGUMENT` (a malformed state)
 */
export declare function resumeEncryption(
  blob: Blob,
  secret: Secret,
  state: ResumeState,
  options?: ResumeOptions,
): Promise<BlobEncryption>;

/**
 * Opens a stream_v2 ciphertext held by a Blob or a {@link RangeSource} for random access. Reads
 * the 80-byte header and checks it, derives the keys, checks that the source's size is a wire
 * size of the header's layout and that the last segment ends with a FINAL TERMINATOR whose tag
 * verifies: truncation and trailing bytes fail here, before any segment is read.
 *
 * @param source - the ciphertext
 * @param secret - the 32-byte key, or `{ passphrase }`
 * @throws StreamV2Error with the spec §7 code (`BAD_HEADER`, `WRONG_KEY`, `TRUNCATED`,
 *   `TRAILING_DATA`, `BAD_FRAME`, `AUTH_FAILED` ...), or `SOURCE_FAILED`/`SOURCE_CHANGED`
 */
export declare function openEncrypted(
  source: RandomAccessSource,
  secret: Secret,
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
 * @throws StreamV2Error `BAD_ARGUMENT` for an input that is no stream or source; every
 *   failure of the stream itself is in the result
 */
export declare function verifyDigests(
  input: ReadableStream<Uint8Array> | RandomAccessSource,
  options?: VerifyOptions,
): Promise<VerifyResult>;

/**
 * Opens a file as a Blob for {@link encryptBlob}, {@link resumeEncryption},
 * {@link openEncrypted} and {@link verifyDigests}, whose segments the pool's workers read
 * themselves by path: Node's `fs.openAsBlob(path)` Blobs cannot cross to `worker_threads`
 * ("File-backed Blobs are not cloneable"), so for those the main thread reads every segment.
 * The size and mtime are recorded now: a file truncated or modified afterwards fails its
 * reads with `SOURCE_CHANGED`. Node only (elsewhere pass a `File` or `Bun.file()`, which
 * workers read themselves).
 *
 * @param path - the file's path
 * @returns a Blob of the file (Node's `fs.openAsBlob`), also readable as any other Blob
 * @throws StreamV2Error `SOURCE_FAILED` (no such file, not readable), `SOURCE_CHANGED`,
 *   `UNSUPPORTED` (not on Node), `BAD_ARGUMENT`
 */
export declare function openFile(path: string): Promise<Blob>;
