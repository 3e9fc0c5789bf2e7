/** Key schedule and header MAC (spec §3). Runs once per stream; noble is fast enough here. */
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { StreamV2Error } from '../errors.js';
import { HEADER_MAC_OFFSET, HEADER_SIZE, KEY_SIZE, LIMITS } from '../format/constants.js';
import type { StreamHeader } from '../format/header.js';

/** A 32-byte raw key, or a passphrase for scrypt (spec §3). */
export type Secret = Uint8Array | { passphrase: string };

/** Runs scrypt(P, S, N = 2^logN, r = 8, p = 1, dkLen = 32); may run off the main thread. */
export type ScryptFn = (password: Uint8Array, salt: Uint8Array, logN: number) => Promise<Uint8Array>;

/** The two keys of a stream (spec §3). */
export interface StreamKeys {
  readonly headerKey: Uint8Array;
  readonly frameKey: Uint8Array;
}

const HEADER_INFO = new TextEncoder().encode('stream_v2 header');
const FRAME_INFO = new TextEncoder().encode('stream_v2 frame');

/** Checks the shape of a secret, without revealing it in any message. */
export function checkSecret(secret: unknown, forEncrypt = false): asserts secret is Secret {
  if (secret instanceof Uint8Array) {
    if (secret.length !== KEY_SIZE) {
      throw new StreamV2Error('BAD_ARGUMENT', `a raw key must be ${KEY_SIZE} bytes, got ${secret.length}`);
    }
    return;
  }
  const pass = (secret as { passphrase?: unknown } | null)?.passphrase;
  if (typeof pass !== 'string') {
    throw new StreamV2Error('BAD_ARGUMENT', 'secret must be a 32-byte Uint8Array or { passphrase: string }');
  }
  if (forEncrypt && pass.length === 0) throw new StreamV2Error('BAD_ARGUMENT', 'the passphrase is empty');
  // UTF-8 (spec §3) has no code for a lone surrogate: TextEncoder writes U+FFFD instead, so two
  // different strings would open the same stream. An encoder refuses such a passphrase.
  if (forEncrypt && LONE_SURROGATE.test(pass)) {
    throw new StreamV2Error('BAD_ARGUMENT', 'the passphrase holds a lone UTF-16 surrogate (not valid Unicode)');
  }
}

/** In a `u` regular expression, `\p{Surrogate}` matches only surrogates that are not paired. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * Checks a secret and returns a copy the caller owns: a key array the user zeroes or reuses
 * after handing it over must not change the stream (keys are derived later, asynchronously).
 */
export function ownSecret(secret: unknown, forEncrypt = false): Secret {
  checkSecret(secret, forEncrypt);
  return secret instanceof Uint8Array ? secret.slice() : { passphrase: secret.passphrase };
}

/**
 * Derives header_key and frame_key for a stream (spec §3). A secret of the wrong kind for the
 * header's kdf is reported as `WRONG_KEY`, like a wrong key (spec §3).
 */
export async function deriveKeys(
  secret: Secret,
  header: Pick<StreamHeader, 'kdf' | 'logN' | 'salt'>,
  scrypt: ScryptFn,
): Promise<StreamKeys> {
  const isRaw = secret instanceof Uint8Array;
  if (isRaw !== (header.kdf === 'raw')) {
    throw new StreamV2Error(
      'WRONG_KEY',
      isRaw ? 'this stream needs a passphrase, not a raw key' : 'this stream needs a raw key, not a passphrase',
    );
  }
  // spec §3: the passphrase is UTF-8 as given, without normalization.
  const ikm = isRaw ? secret : await runScrypt(scrypt, secret.passphrase, header.salt, header.logN);
  return {
    headerKey: hkdf(sha256, ikm, header.salt, HEADER_INFO, KEY_SIZE),
    frameKey: hkdf(sha256, ikm, header.salt, FRAME_INFO, KEY_SIZE),
  };
}

/** Largest scrypt cost this implementation can run (128·2^30·8 bytes is already 1 TiB). */
export const MAX_RUNNABLE_LOG_N = LIMITS.logN;

/** scrypt maxmem for a given log_n: 128·N·r bytes plus slack (every scrypt caller passes it). */
export function scryptMaxmem(logN: number): number {
  return 2 * 128 * 8 * 2 ** logN + 1024 * 1024;
}

async function runScrypt(scrypt: ScryptFn, passphrase: string, salt: Uint8Array, logN: number): Promise<Uint8Array> {
  try {
    return await scrypt(new TextEncoder().encode(passphrase), salt, logN);
  } catch (e) {
    // A pool that was terminated or lost its worker keeps its own code (ABORTED, WORKER_FAILED).
    if (StreamV2Error.is(e)) throw e;
    // Out of memory or past what the scrypt implementation accepts: a resource limit.
    throw new StreamV2Error('LIMIT_EXCEEDED', `scrypt with log_n ${logN} could not run`, {}, { cause: e });
  }
}

/** spec §2: header_mac = HMAC-SHA256(header_key, header[0..48]). */
export function computeHeaderMac(headerKey: Uint8Array, header: Uint8Array): Uint8Array {
  return hmac(sha256, headerKey, header.subarray(0, HEADER_MAC_OFFSET));
}

/** Writes header_mac into bytes 48..80 of an encoder's header. */
export function sealHeader(headerKey: Uint8Array, header: Uint8Array): void {
  header.set(computeHeaderMac(headerKey, header), HEADER_MAC_OFFSET);
}

/**
 * spec §3: compares header_mac in constant time before any frame is read.
 * @throws StreamV2Error `WRONG_KEY`
 */
export function verifyHeaderMac(headerKey: Uint8Array, header: Uint8Array): void {
  const expected = computeHeaderMac(headerKey, header);
  let diff = 0;
  for (let i = 0; i < expected.length; i++) {
    diff |= (expected[i] as number) ^ (header[HEADER_MAC_OFFSET + i] as number);
  }
  if (diff !== 0 || header.length < HEADER_SIZE) {
    throw new StreamV2Error('WRONG_KEY', 'wrong key or passphrase, or a damaged header (header_mac mismatch)');
  }
}
