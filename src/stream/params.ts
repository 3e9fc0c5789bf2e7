/** The encoder's header parameters (spec §2), checked, shared by the transform and encryptBlob. */
import { checkSecret, MAX_RUNNABLE_LOG_N, type Secret } from '../codec/keys.js';
import { checkInt, StreamV2Error } from '../errors.js';
import {
  DEFAULTS,
  MAX_DECODER_SEGMENT_BYTES,
  MAX_FRAME_SIZE,
  MAX_FRAMES_PER_SEGMENT,
  SUITE,
  type SuiteName,
} from '../format/constants.js';
import type { HeaderParams } from '../format/header.js';
import { segmentPlaintextSize } from '../format/sizes.js';

/**
 * Largest segment an encoder buffers (1 GiB). Decoders refuse segments over 64 MiB by default
 * (spec §2 limits), so larger ones need `limits.maxSegmentBytes` on the reading side.
 */
const MAX_ENCODER_SEGMENT = MAX_DECODER_SEGMENT_BYTES;

/** The option names of {@link EncoderOptions}. */
export const ENCODER_KEYS = ['suite', 'frameSize', 'framesPerSegment', 'logN'] as const;

/** The layout and cost options of an encoder. */
export interface EncoderOptions {
  /** AEAD suite (default `aes-256-gcm`). */
  suite?: SuiteName;
  /** Plaintext bytes per DATA frame, 1..2^24 (default 65536). */
  frameSize?: number;
  /** DATA frames per segment, 1..65536 (default 16, so 1 MiB segments). */
  framesPerSegment?: number;
  /** scrypt cost for a passphrase, N = 2^logN (default 17). */
  logN?: number;
}

/**
 * Checks the secret and options of an encoder and fills in the defaults.
 * @throws StreamV2Error `BAD_ARGUMENT`
 */
export function encoderParams(secret: Secret, o: EncoderOptions): HeaderParams {
  checkSecret(secret, true);
  if (o.suite !== undefined && !Object.hasOwn(SUITE, o.suite)) {
    throw new StreamV2Error('BAD_ARGUMENT', `suite must be one of ${Object.keys(SUITE).join(', ')}`);
  }
  checkInt('frameSize', o.frameSize, 1, MAX_FRAME_SIZE);
  checkInt('framesPerSegment', o.framesPerSegment, 1, MAX_FRAMES_PER_SEGMENT);
  checkInt('logN', o.logN, 1, MAX_RUNNABLE_LOG_N);
  const raw = secret instanceof Uint8Array;
  const params: HeaderParams = {
    suite: o.suite ?? DEFAULTS.suite,
    kdf: raw ? 'raw' : 'scrypt',
    logN: raw ? 0 : (o.logN ?? DEFAULTS.logN),
    frameSize: o.frameSize ?? DEFAULTS.frameSize,
    framesPerSegment: o.framesPerSegment ?? DEFAULTS.framesPerSegment,
  };
  if (segmentPlaintextSize(params) > MAX_ENCODER_SEGMENT) {
    throw new StreamV2Error('BAD_ARGUMENT', `segments over ${MAX_ENCODER_SEGMENT} bytes cannot be buffered`);
  }
  return params;
}
