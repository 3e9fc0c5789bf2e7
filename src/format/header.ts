/** The 80-byte stream header (spec §2): encoding, structural checks and decoder limits. */
import { StreamV2Error } from '../errors.js';
import {
  DEFAULTS,
  HEADER_SIZE,
  KDF_RAW,
  KDF_SCRYPT,
  MAGIC,
  MAX_DECODER_SEGMENT_BYTES,
  MAX_FRAME_SIZE,
  MAX_FRAMES_PER_SEGMENT,
  MAX_LOG_N,
  SALT_OFFSET,
  SALT_SIZE,
  SUITE_NAME,
  type SuiteId,
  type SuiteName,
  VERSION,
} from './constants.js';

/** The fields of a stream header, as parsed by {@link parseHeader}. */
export interface StreamHeader {
  /** Format version (always 1). */
  readonly version: number;
  /** AEAD suite. */
  readonly suite: SuiteName;
  /** Key derivation: a raw 32-byte key, or scrypt over a passphrase. */
  readonly kdf: 'raw' | 'scrypt';
  /** scrypt cost exponent (N = 2^logN); 0 for raw keys. */
  readonly logN: number;
  /** Plaintext bytes in every full DATA frame. */
  readonly frameSize: number;
  /** DATA frames in every non-final segment. */
  readonly framesPerSegment: number;
  /** The stream's 32-byte salt. */
  readonly salt: Uint8Array;
  /** The whole 80 header bytes, header_mac included (a copy). */
  readonly bytes: Uint8Array;
}

/** A copy of `h` that its holder may change without touching the stream's own header. */
export function copyHeader(h: StreamHeader): StreamHeader {
  return { ...h, salt: h.salt.slice(), bytes: h.bytes.slice() };
}

/** Decoder limits (spec §2). */
export interface DecoderLimits {
  /**
   * Largest accepted segment plaintext (frame_size × frames_per_segment). Default 64 MiB; at
   * most 1 GiB (`MAX_DECODER_SEGMENT_BYTES`), what this implementation can hold in one buffer.
   */
  maxSegmentBytes?: number;
  /** Largest accepted scrypt log_n. Default 20. */
  maxLogN?: number;
}

/** Parameters an encoder writes into a header (everything but salt and MAC). */
export interface HeaderParams {
  suite: SuiteName;
  kdf: 'raw' | 'scrypt';
  logN: number;
  frameSize: number;
  framesPerSegment: number;
}

/**
 * Parses and checks the structure of a stream header (spec §2) without any key: magic,
 * version, suite, kdf, log_n and the size fields. It does not check header_mac (that needs
 * the key) nor decoder limits (see {@link checkLimits}).
 *
 * @param bytes - at least the first 80 bytes of a stream
 * @throws StreamV2Error `TRUNCATED` (fewer than 80 bytes), `BAD_HEADER` or `UNSUPPORTED`
 */
export function parseHeader(bytes: Uint8Array): StreamHeader {
  if (!(bytes instanceof Uint8Array)) {
    throw new StreamV2Error('BAD_ARGUMENT', 'parseHeader expects a Uint8Array');
  }
  checkMagic(bytes);
  if (bytes.length < HEADER_SIZE) {
    throw new StreamV2Error('TRUNCATED', `the stream header needs ${HEADER_SIZE} bytes, got ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_SIZE);
  const version = bytes[4] as number;
  if (version !== VERSION) throw new StreamV2Error('UNSUPPORTED', `unknown version ${version}`);
  const suiteId = bytes[5] as number;
  if (suiteId !== 1 && suiteId !== 2) throw new StreamV2Error('UNSUPPORTED', `unknown suite ${suiteId}`);
  const kdf = bytes[6] as number;
  if (kdf !== KDF_RAW && kdf !== KDF_SCRYPT) throw new StreamV2Error('UNSUPPORTED', `unknown kdf ${kdf}`);
  const logN = bytes[7] as number;
  // spec §2: log_n must be 0 for a raw key and 1..63 for scrypt.
  if (kdf === KDF_RAW ? logN !== 0 : logN < 1 || logN > MAX_LOG_N) {
    throw new StreamV2Error('BAD_HEADER', `log_n ${logN} is not allowed with kdf ${kdf}`);
  }
  const frameSize = view.getUint32(8);
  if (frameSize < 1 || frameSize > MAX_FRAME_SIZE) {
    throw new StreamV2Error('BAD_HEADER', `frame_size ${frameSize} is outside 1..${MAX_FRAME_SIZE}`);
  }
  const framesPerSegment = view.getUint32(12);
  if (framesPerSegment < 1 || framesPerSegment > MAX_FRAMES_PER_SEGMENT) {
    throw new StreamV2Error(
      'BAD_HEADER',
      `frames_per_segment ${framesPerSegment} is outside 1..${MAX_FRAMES_PER_SEGMENT}`,
    );
  }
  const copy = bytes.slice(0, HEADER_SIZE);
  return {
    version,
    suite: SUITE_NAME[suiteId as SuiteId],
    kdf: kdf === KDF_RAW ? 'raw' : 'scrypt',
    logN,
    frameSize,
    framesPerSegment,
    salt: copy.subarray(SALT_OFFSET, SALT_OFFSET + SALT_SIZE),
    bytes: copy,
  };
}

/** Fails fast on a wrong magic, even before 80 bytes have arrived. */
export function checkMagic(bytes: Uint8Array): void {
  const n = Math.min(bytes.length, MAGIC.length);
  for (let i = 0; i < n; i++) {
    if (bytes[i] !== MAGIC[i]) throw new StreamV2Error('BAD_HEADER', 'not a stream_v2 stream (bad magic)');
  }
}

/**
 * Checks a parsed header against decoder limits (spec §2), before any allocation or scrypt.
 * @throws StreamV2Error `LIMIT_EXCEEDED`
 */
export function checkLimits(header: StreamHeader, limits: DecoderLimits = {}): void {
  // Never above what this implementation can allocate, whatever a caller passed.
  const maxSegmentBytes = Math.min(limits.maxSegmentBytes ?? DEFAULTS.maxSegmentBytes, MAX_DECODER_SEGMENT_BYTES);
  const maxLogN = limits.maxLogN ?? DEFAULTS.maxLogN;
  const segmentBytes = header.frameSize * header.framesPerSegment;
  if (segmentBytes > maxSegmentBytes) {
    throw new StreamV2Error(
      'LIMIT_EXCEEDED',
      `segment size ${segmentBytes} exceeds the limit of ${maxSegmentBytes} bytes`,
    );
  }
  if (header.logN > maxLogN) {
    throw new StreamV2Error('LIMIT_EXCEEDED', `scrypt log_n ${header.logN} exceeds the limit of ${maxLogN}`);
  }
}

/**
 * Writes the first 48 bytes of a header (spec §2); the caller adds header_mac at 48..80.
 * @param salt - 32 fresh random bytes
 */
export function encodeHeaderPrefix(params: HeaderParams, salt: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[4] = VERSION;
  out[5] = params.suite === 'chacha20-poly1305' ? 1 : 2;
  out[6] = params.kdf === 'raw' ? KDF_RAW : KDF_SCRYPT;
  out[7] = params.kdf === 'raw' ? 0 : params.logN;
  view.setUint32(8, params.frameSize);
  view.setUint32(12, params.framesPerSegment);
  out.set(salt, SALT_OFFSET);
  return out;
}
