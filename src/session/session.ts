/**
 * The keyed session of one stream, shared by both transforms and the random-access APIs: it
 * builds or checks the header (spec §2), derives the keys once (spec §3: scrypt runs once per
 * stream, however many ranges are read), writes or checks header_mac, and holds what workers
 * need to seal and open the stream's segments (the frame key travels with each job; this
 * thread does no frame crypto). Closing it has every worker forget the key and releases the
 * runner's own pool.
 */
import {
  checkSecret,
  deriveKeys,
  MAX_RUNNABLE_LOG_N,
  type Secret,
  sealHeader,
  verifyHeaderMac,
} from '../codec/keys.js';
import type { SessionKey } from '../crypto/select.js';
import { checkInt, optionsOf } from '../errors.js';
import { MAX_DECODER_SEGMENT_BYTES, SALT_SIZE } from '../format/constants.js';
import {
  type DecoderLimits,
  encodeHeaderPrefix,
  type HeaderParams,
  parseHeader,
  type StreamHeader,
} from '../format/header.js';
import type { SegmentRunner } from '../pool/runner.js';

/**
 * Checks a decoder's `limits` option (spec §2).
 * @throws StreamV2Error `BAD_ARGUMENT`
 */
export function checkLimitsOption(value?: DecoderLimits): DecoderLimits {
  const limits = optionsOf(value, 'limits', ['maxSegmentBytes', 'maxLogN']);
  checkInt('limits.maxSegmentBytes', limits.maxSegmentBytes, 1, MAX_DECODER_SEGMENT_BYTES);
  checkInt('limits.maxLogN', limits.maxLogN, 1, MAX_RUNNABLE_LOG_N);
  return limits;
}

/** A random id for a stream's session (not secret; it names the cached key in workers). */
function sessionId(): string {
  const b = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/**
 * One stream's keys. Made once per stream ({@link KeyedSession.create} or
 * {@link KeyedSession.open}); {@link KeyedSession.close} releases the key and the runner.
 */
export class KeyedSession {
  private closed = false;

  private constructor(
    /** The stream header, parsed (its `bytes` are the 80 header bytes, MAC included). */
    readonly header: StreamHeader,
    /** What workers need to seal or open the stream's frames. */
    readonly key: SessionKey,
    /** Where the stream's segments are worked on. */
    readonly runner: SegmentRunner,
  ) {}

  /**
   * Starts a new stream: header with a fresh random salt, keys, header_mac.
   * The session owns `runner` from here on (released by {@link KeyedSession.close}).
   */
  static async create(secret: Secret, params: HeaderParams, runner: SegmentRunner): Promise<KeyedSession> {
    // spec §2: 32 random bytes, fresh for every stream. No caller chooses them (spec §8).
    const salt = crypto.getRandomValues(new Uint8Array(SALT_SIZE));
    const bytes = encodeHeaderPrefix(params, salt);
    const keys = await deriveKeys(secret, { kdf: params.kdf, logN: params.logN, salt }, runner.scrypt);
    sealHeader(keys.headerKey, bytes);
    return KeyedSession.keyed(parseHeader(bytes), keys.frameKey, runner);
  }

  /**
   * Opens an existing stream whose header was parsed and checked against the decoder limits:
   * derives the keys and checks header_mac (spec §3).
   * @throws StreamV2Error `WRONG_KEY`
   */
  static async open(secret: Secret, header: StreamHeader, runner: SegmentRunner): Promise<KeyedSession> {
    checkSecret(secret);
    const keys = await deriveKeys(secret, header, runner.scrypt);
    verifyHeaderMac(keys.headerKey, header.bytes);
    return KeyedSession.keyed(header, keys.frameKey, runner);
  }

  private static keyed(header: StreamHeader, frameKey: Uint8Array, runner: SegmentRunner): KeyedSession {
    const key: SessionKey = { id: sessionId(), suite: header.suite, frameKey, header: header.bytes };
    return new KeyedSession(header, key, runner);
  }

  /** Has every worker (and this thread) forget the frame key, and releases the runner's own pool. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.runner.forget(this.key.id);
    this.runner.close();
  }
}
