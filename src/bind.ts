/**
 * The public API bound to one platform: the one list of the platform-dependent exports. A
 * package entry point passes its platform here and exports the result (node.ts, browser.ts:
 * ES modules export static names, so they spell the list out; test/node/platform.test.ts fails
 * when they and the declarations of index.ts, index-node.ts differ from it). Nothing below is
 * configured by importing a module.
 */
import type * as Api from './index.js';
import type * as NodeApi from './index-node.js';
import { boundClass, type Platform } from './platform/types.js';
import { defaultPoolOn, WorkerPool } from './pool/pool.js';
import { encryptBlob } from './random/encrypt.js';
import { openFile } from './random/file.js';
import { openEncrypted } from './random/open.js';
import { resumeStateFrom } from './random/partial.js';
import { verifyDigests } from './random/verify.js';
import { generateIdentity, openEnvelope, rewrap, sealEnvelope } from './recipients/recipients.js';
import { DecryptSegmentTransform } from './stream/decrypt.js';
import { EncryptSegmentTransform } from './stream/encrypt.js';

/** The platform-dependent part of the public API (declared, with its docs, in index.ts). */
export interface BoundApi {
  WorkerPool: typeof WorkerPool;
  EncryptSegmentTransform: typeof EncryptSegmentTransform;
  DecryptSegmentTransform: typeof DecryptSegmentTransform;
  getDefaultPool: typeof Api.getDefaultPool;
  encryptBlob: typeof Api.encryptBlob;
  resumeStateFrom: typeof Api.resumeStateFrom;
  openEncrypted: typeof Api.openEncrypted;
  verifyDigests: typeof Api.verifyDigests;
  generateIdentity: typeof Api.generateIdentity;
  sealEnvelope: typeof Api.sealEnvelope;
  openEnvelope: typeof Api.openEnvelope;
  rewrap: typeof Api.rewrap;
}

/** The Node entry's: the same, and `openFile` (declared in index-node.ts). */
export interface BoundNodeApi extends BoundApi {
  openFile: typeof NodeApi.openFile;
}

/** The public classes and functions that run on `platform`. */
export function bindPlatform(platform: Platform): BoundApi {
  return {
    WorkerPool: boundClass(WorkerPool, platform),
    EncryptSegmentTransform: boundClass(EncryptSegmentTransform, platform),
    DecryptSegmentTransform: boundClass(DecryptSegmentTransform, platform),
    getDefaultPool: () => defaultPoolOn(platform),
    encryptBlob: (blob, secret, options) => encryptBlob(platform, blob, secret, options),
    resumeStateFrom: (partial, plaintext, options) => resumeStateFrom(platform, partial, plaintext, options),
    openEncrypted: (source, secret, options) => openEncrypted(platform, source, secret, options),
    verifyDigests: (input, options) => verifyDigests(platform, input, options),
    generateIdentity: (options) => generateIdentity(platform, options),
    sealEnvelope: (fileKey, header, recipients) => sealEnvelope(platform, fileKey, header, recipients),
    openEnvelope: (envelope, identity) => openEnvelope(platform, envelope, identity),
    rewrap: (envelope, identity, recipients) => rewrap(platform, envelope, identity, recipients),
  };
}

/** The same for the Node platform, with `openFile`. */
export function bindNodePlatform(platform: Platform): BoundNodeApi {
  return { ...bindPlatform(platform), openFile: (path) => openFile(platform, path) };
}
