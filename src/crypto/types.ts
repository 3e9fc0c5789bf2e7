/** The one small interface every crypto backend implements. */
import type { SuiteName } from '../format/constants.js';

/** A value or a promise of it: node:crypto and noble answer synchronously, WebCrypto does not. */
export type MaybePromise<T> = T | Promise<T>;

/** Backend names; `backend` options and telemetry use them. */
export type BackendName = 'node' | 'webcrypto' | 'noble';

/**
 * An AEAD keyed once with a frame_key. Nonces are built by the codec from positions only.
 * Sealing writes into a buffer the caller gives, which may be the plaintext's own place (sealing
 * in place, as a reader that put the plaintext straight into the wire buffer wants); opening
 * gives the plaintext in a new buffer of its own, which can go to a reader as it is (every
 * primitive makes one anyway: node:crypto's `update()`, WebCrypto's result).
 */
export interface FrameCipher {
  /**
   * Seals `plaintext` into `out` (exactly `plaintext.length + 16` bytes): ciphertext ‖ tag
   * (spec §4 DATA body). An empty plaintext gives just the tag. `out` either does not overlap
   * `plaintext` or starts at the same byte (in place).
   */
  seal(nonce: Uint8Array, plaintext: Uint8Array, out: Uint8Array, aad: Uint8Array): MaybePromise<void>;
  /**
   * Opens `sealed` (ciphertext ‖ tag): the plaintext (`sealed.length - 16` bytes) in a new
   * buffer that nothing else holds, or undefined when the tag does not verify.
   */
  open(nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): MaybePromise<Uint8Array | undefined>;
}

/** A crypto backend: AEAD ciphers for the suites it supports, and SHA-256. */
export interface CryptoBackend {
  readonly name: BackendName;
  /** Whether this backend can hash (SHA-256) here. */
  canHash(): boolean;
  /** Suites this backend can seal and open here. */
  supports(suite: SuiteName): boolean;
  /** Imports `key` for `suite`; the caller has checked {@link CryptoBackend.supports}. */
  cipher(suite: SuiteName, key: Uint8Array): Promise<FrameCipher>;
  /** SHA-256 of one contiguous byte range. */
  sha256(data: Uint8Array): MaybePromise<Uint8Array>;
}

/** What the codec needs to seal or open frames: a keyed cipher and a hash. */
export interface FrameCrypto {
  readonly cipher: FrameCipher;
  readonly sha256: (data: Uint8Array) => MaybePromise<Uint8Array>;
}
