/** Package entry for Node: worker_threads and node:crypto, passed to the public API (bind.ts). */
import { bindNodePlatform } from './bind.js';
import { nodePlatform } from './platform/node.js';

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
  openFile,
} = bindNodePlatform(nodePlatform);
