/**
 * stream-v2: segmented, parallel, authenticated encryption of WHATWG streams
 * (wire format: shared spec stream_v2, version 1).
 *
 * @packageDocumentation
 */
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
export { getDefaultPool, WorkerPool, type WorkerPoolOptions } from './pool/pool.js';
export {
  type BlobEncryption,
  type EncryptBlobOptions,
  encryptBlob,
  type ResumeOptions,
  resumeEncryption,
} from './random/encrypt.js';
export { openFile } from './random/file.js';
export { httpRangeSource } from './random/http.js';
export {
  type EncryptedFile,
  openEncrypted,
  type PlaintextRange,
  type RandomAccessOptions,
} from './random/open.js';
export type { ResumeState } from './random/resume.js';
export type { RandomAccessSource, RangeSource } from './random/source.js';
export { type VerifyOptions, type VerifyResult, verifyDigests } from './random/verify.js';
export { type DecryptOptions, DecryptSegmentTransform } from './stream/decrypt.js';
export { type EncryptOptions, EncryptSegmentTransform } from './stream/encrypt.js';
export type { WorkersOption } from './stream/engine.js';
export type { CommonOptions, Telemetry } from './stream/options.js';
