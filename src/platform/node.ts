/** Node: worker_threads with Comlink's node adapter, node:crypto first, native scrypt. */

import { scrypt } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { nobleBackend } from '../crypto/noble.js';
import { nodeBackend } from '../crypto/node.js';
import { webCryptoBackend } from '../crypto/webcrypto.js';
import { scryptMaxmem } from '../pool/worker-api.js';
import type { Platform, WorkerHandle } from './types.js';

// The built worker sits beside the built entry (dist/); a variable keeps bundlers from
// rewriting the URL.
const WORKER_FILE = './worker.node.js';

function spawnWorker(): WorkerHandle {
  const worker = new Worker(new URL(WORKER_FILE, import.meta.url));
  worker.unref(); // idle workers never keep the process alive; the pool refs busy ones
  return {
    endpoint: nodeEndpoint(worker),
    onFailure(callback) {
      worker.on('error', (e) => callback(e));
      worker.on('exit', (code) => callback(new Error(`worker exited with code ${code}`)));
    },
    terminate: () => void worker.terminate(),
    ref: () => worker.ref(),
    unref: () => worker.unref(),
  };
}

/** The Node platform. */
export const nodePlatform: Platform = {
  name: 'node',
  backends: [nodeBackend, webCryptoBackend, nobleBackend],
  spawnWorker,
  hardwareConcurrency: () => availableParallelism(),
  // libuv's thread pool runs it: off the main thread without a worker of ours.
  nativeScrypt: (password, salt, logN) =>
    new Promise((resolve, reject) =>
      scrypt(password, salt, 32, { N: 2 ** logN, r: 8, p: 1, maxmem: scryptMaxmem(logN) }, (err, key) =>
        err ? reject(err) : resolve(new Uint8Array(key)),
      ),
    ),
};
