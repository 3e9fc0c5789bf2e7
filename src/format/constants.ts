/** Wire-format constants of stream_v2 version 1 (spec §2, §4). */

/** spec §2: magic "SV2" NUL. */
export const MAGIC: Uint8Array = Uint8Array.of(0x53, 0x56, 0x32, 0x00);
/** spec §2: the only version this implementation reads and writes. */
export const VERSION = 1;
/** spec §2: the stream header is 80 bytes. */
export const HEADER_SIZE = 80;
/** spec §2: bytes of the header covered by header_mac. */
export const HEADER_MAC_OFFSET = 48;
/** spec §2: salt offset and size. */
export const SALT_OFFSET = 16;
export const SALT_SIZE = 32;
/** spec §4: frame header size. */
export const FRAME_HEADER_SIZE = 18;
/** spec §2: both suites use a 16-byte tag and a 12-byte nonce. */
export const TAG_SIZE = 16;
export const NONCE_SIZE = 12;
/** spec §3: key sizes. */
export const KEY_SIZE = 32;

/** spec §2: AEAD suites. */
export const SUITE = { 'chacha20-poly1305': 1, 'aes-256-gcm': 2 } as const;
/** A suite by name. */
export type SuiteName = keyof typeof SUITE;
/** A suite by its wire id. */
export type SuiteId = (typeof SUITE)[SuiteName];
/** Wire id to name. */
export const SUITE_NAME: Record<SuiteId, SuiteName> = { 1: 'chacha20-poly1305', 2: 'aes-256-gcm' };

/** spec §2: key derivation. */
export const KDF_RAW = 0;
export const KDF_SCRYPT = 1;

/** spec §4: frame types. */
export const FRAME_DATA = 0;
export const FRAME_DIGEST = 1;
export const FRAME_TERMINATOR = 2;
/** spec §4: flags bit 0. */
export const FLAG_FINAL = 1;

/** spec §4: DIGEST payload = alg (1) ‖ SHA-256 value (32). */
export const DIGEST_ALG_SHA256 = 1;
export const DIGEST_PAYLOAD_SIZE = 33;
/** spec §4: "stream_v2 digest" prefix of the digest input. */
export const DIGEST_LABEL: Uint8Array = new TextEncoder().encode('stream_v2 digest');

/** spec §2: bounds of the size fields. */
export const MAX_FRAME_SIZE = 2 ** 24;
export const MAX_FRAMES_PER_SEGMENT = 65536;
export const MAX_LOG_N = 63;

/**
 * Largest segment plaintext (frame_size × frames_per_segment) this implementation buffers, to
 * encode or to decode: 1 GiB. A segment is held whole in one typed array (spec §6.3: nothing is
 * released before the segment verified), so the cap stays well below what every platform can
 * allocate; decoder limits above it are refused, and a header above it is `LIMIT_EXCEEDED`.
 */
export const MAX_DECODER_SEGMENT_BYTES = 2 ** 30;

/** Wire size of a DIGEST frame (spec §5: 18 + 33 + 16). */
export const DIGEST_FRAME_SIZE = FRAME_HEADER_SIZE + DIGEST_PAYLOAD_SIZE + TAG_SIZE;
/** Wire size of a TERMINATOR frame (spec §5: 18 + 16). */
export const TERMINATOR_FRAME_SIZE = FRAME_HEADER_SIZE + TAG_SIZE;
/** Bytes after the last DATA frame of every segment. */
export const SEGMENT_TAIL_SIZE = DIGEST_FRAME_SIZE + TERMINATOR_FRAME_SIZE;

/**
 * Encoder defaults. Spec §2 recommends these; our benchmarks (docs/BENCHMARKS.md) found
 * 1 MiB segments to be the sweet spot for a worker round trip, so we keep them.
 */
export const DEFAULTS = {
  suite: 'aes-256-gcm' as SuiteName,
  frameSize: 65536,
  framesPerSegment: 16,
  logN: 17,
  maxSegmentBytes: 64 * 1024 * 1024,
  maxLogN: 20,
} as const;

/**
 * The bounds of every option and limit (BAD_ARGUMENT outside them): frame size and frames per
 * segment (spec §2), the largest segment an encoder or decoder buffers (1 GiB), and the largest
 * scrypt cost this implementation runs (log_n 30: 128 · 2^30 · 8 bytes is already 1 TiB).
 */
export const LIMITS = {
  frameSize: MAX_FRAME_SIZE,
  framesPerSegment: MAX_FRAMES_PER_SEGMENT,
  segmentBytes: MAX_DECODER_SEGMENT_BYTES,
  logN: 30,
} as const;

/** The AEAD suites (spec §2), by name. */
export const SUITES: readonly SuiteName[] = ['aes-256-gcm', 'chacha20-poly1305'];
