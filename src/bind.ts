/**
 * The public API bound to one platform. A package entry point passes its platform here and
 * exports the result; nothing below is configured by importing a module.
 */
import type * as Api from './index.js';
import { PLATFORM, type Platform } from './platform/types.js';
import { defaultPoolOn, WorkerPool } from './pool/pool.js';
import { encryptBlob, resumeEncryption } from './random/encrypt.js';
import { openFile } from './random/file.js';
import { openEncrypted } from './random/open.js';
import { verifyDigests } from './random/verify.js';
import { DecryptSegmentTransform } from './stream/decrypt.js';
import { EncryptSegmentTransform } from './stream/encrypt.js';

/** The platform-dependent part of the public API (declared, with its docs, in index.ts). */
export interface BoundApi {
  WorkerPool: typeof WorkerPool;
  EncryptSegmentTransform: typeof EncryptSegmentTransform;
  DecryptSegmentTransform: typeof DecryptSegmentTransform;
  getDefaultPool: typeof Api.getDefaultPool;
  encryptBlob: typeof Api.encryptBlob;
  resumeEncryption: typeof Api.resumeEncryption;
  openEncrypted: typeof Api.openEncrypted;
  verifyDigests: typeof Api.verifyDigests;
  openFile: typeof Api.openFile;
}

/** The public classes and functions that run on `platform`. */
export function bindPlatform(platform: Platform): BoundApi {
  return {
    WorkerPool: bound(WorkerPool, platform),
    EncryptSegmentTransform: bound(EncryptSegmentTransform, platform),
    DecryptSegmentTransform: bound(DecryptSegmentTransform, platform),
    getDefaultPool: () => defaultPoolOn(platform),
    encryptBlob: (blob, secret, options) => encryptBlob(platform, blob, secret, options),
    resumeEncryption: (blob, secret, state, options) => resumeEncryption(platform, blob, secret, state, options),
    openEncrypted: (source, secret, options) => openEncrypted(platform, source, secret, options),
    verifyDigests: (input, options) => verifyDigests(platform, input, options),
    openFile: (path) => openFile(platform, path),
  };
}

/**
 * A subclass of a public class that carries `platform` (read by `platformOf(new.target)`), with
 * the class's own name, so that `instanceof` and a caller's own subclasses work as usual.
 */
// biome-ignore lint/suspicious/noExplicitAny: a mixin's base must be `new (...args: any[])`
function bound<C extends new (...args: any[]) => object>(base: C, platform: Platform): C {
  const sub = class extends base {};
  Object.defineProperty(sub, PLATFORM, { value: platform });
  Object.defineProperty(sub, 'name', { value: base.name });
  return sub;
}
