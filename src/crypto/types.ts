/** The one small interface every crypto backend implements. */
import type { SuiteName } from '../format/constants.js';

/** A value or a promise of it: node:crypto and noble answer synchronously, WebCrypto does not. */
export type MaybePromise<T> = T | Promise<T>;

/** Backend names; `backend` options and telemetry use them. */
export type BackendName = 'node' | 'webcrypto' | 'noble';

/**
 * An AEAD keyed once with a frame_key. Nonces are built by the codec from positions only.
 * Outputs go into buffers the caller gives (no extra copy where the primitive can write there);
 * inputs and outputs never overlap.
 */
export interface FrameCipher {
  /**
   * Seals `plaintext` into `out` (exactly `plaintext.length + 16` bytes): ciphertext ‖ tag
   * (spec §4 DATA body). An empty plaintext gives just the tag.
   */
  seal(nonce: Uint8Array, plaintext: Uint8Array, out: Uint8Array, aad: Uint8Array): MaybePromise<void>;
  /**
   * Opens `sealed` (ciphertext ‖ tag) into `out` (exactly `sealed.length - 16` bytes).
   * Returns false when the tag does not verify; `out` may then hold unauthenticated bytes,
   * which the caller drops.
   */
  open(nonce: Uint8Array, sealed: Uint8Array, out: Uint8Array, aad: Uint8Array): MaybePromise<boolean>;
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
