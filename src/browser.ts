/** Package entry for browsers, Deno and Bun: Web Workers and WebCrypto, passed to the public API (bind.ts). */
import { bindPlatform } from './bind.js';
import { webPlatform } from './platform/web.js';

export * from './index.js';
export const {
  WorkerPool,
  EncryptSegmentTransform,
  DecryptSegmentTransform,
  getDefaultPool,
  encryptBlob,
  resumeStateFrom,
  openEncrypted,
  verifyDigests,
  generateIdentity,
  sealEnvelope,
  openEnvelope,
  rewrap,
} = bindPlatform(webPlatform);
