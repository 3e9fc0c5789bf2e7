/** The one small interface every crypto backend implements. */
import type { SuiteName } from '../format/constants.js';

/** A value or a promise of it: node:crypto and noble answer synchronously, WebCrypto does not. */
export type MaybePromise<T> = T | Promise<T>;

/** Backend names; `backend` options and telemetry use them. */
export type BackendName = 'node' | 'webcrypto' | 'noble';

/** An AEAD keyed once with a frame_key. Nonces are built by the codec from positions only. */
export interface FrameCipher {
  /**
   * Seals in place: `body` holds the plaintext followed by 16 spare bytes; afterwards it holds
   * ciphertext ‖ tag (spec §4 DATA body). An empty plaintext gives just the tag.
   */
  seal(nonce: Uint8Array, body: Uint8Array, aad: Uint8Array): MaybePromise<void>;
  /** Returns the plaintext, or null when the tag does not verify. */
  open(nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): MaybePromise<Uint8Array | null>;
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
