/** Node: worker_threads with Comlink's node adapter, node:crypto first, native scrypt. */

import { scrypt } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import workerCode from 'virtual:node-worker-code';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { scryptMaxmem } from '../codec/keys.js';
import { nobleBackend } from '../crypto/noble.js';
import { nodeBackend } from '../crypto/node.js';
import { webCryptoBackend } from '../crypto/webcrypto.js';
import { nobleKemBackend } from '../recipients/kem-backend.js';
import { nodeKemBackend } from '../recipients/kem-node.js';
import { nodeFileOf, openNodeFile } from './node-file.js';
import type { Platform, WorkerHandle } from './types.js';

/**
 * The worker (src/worker/node.ts and its dependencies, one module) travels inside this build
 * as a string (vite.config.ts), so workers start wherever the library's code ends up: an app
 * bundled by esbuild or Vite SSR has no worker file beside its entry. Node reads data: URLs as
 * ES modules, which may import its built-in modules.
 */
let workerUrl: URL | undefined;

/** Flags (with a separate value) of the parent that describe its own entry, not a worker's. */
const ENTRY_FLAGS = new Set(['-e', '--eval', '-p', '--print', '--input-type']);

/**
 * Workers inherit the parent's execArgv; `--input-type`, `--eval` and `--print` describe the
 * parent's entry point and make a worker fail to start, so they are dropped.
 */
export function workerExecArgv(parent: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < parent.length; i++) {
    const arg = parent[i] as string;
    if (ENTRY_FLAGS.has(arg))
      i++; // skip its value too
    else if (!arg.startsWith('--input-type=') && !arg.startsWith('--eval=') && !arg.startsWith('--print='))
      out.push(arg);
  }
  return out;
}

/**
 * Young generation of our workers' isolates, in MiB (Node's default is 16 or more). A worker's
 * garbage is almost all outside its V8 heap: the 64 KiB buffer node:crypto's `update()` returns
 * per frame and the segment buffers it receives or transfers away. V8 11.3 and 12.4 (Node 20,
 * 22) answer every ~32 MiB of new ArrayBuffer memory with a scavenge; V8 13.6 (Node 24) only
 * with incremental mark-compacts, ~70 MiB apart and slow to finish on a busy thread, so each
 * worker held far more dead buffers. A 1 MiB young generation fills with a few segments' small
 * objects, so scavenges (which free those buffers) come often on every version. It is our
 * workers' own setting, not the process's. docs/BENCHMARKS.md, "Memory by Node version".
 */
export const WORKER_YOUNG_GENERATION_MB = 1;

/** The options of a new worker, for a parent run with `parentExecArgv`. */
export function workerOptions(parentExecArgv: readonly string[]): WorkerOptions {
  const resourceLimits = { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB };
  const execArgv = workerExecArgv(parentExecArgv);
  // Inherit untouched flags implicitly: Node refuses some (V8 flags such as --expose-gc) when
  // they are listed explicitly, though they apply to the whole process anyway.
  return execArgv.length === parentExecArgv.length ? { resourceLimits } : { execArgv, resourceLimits };
}

function startWorker(): Worker {
  workerUrl ??= new URL(`data:text/javascript,${encodeURIComponent(workerCode)}`);
  const url = workerUrl;
  const options = workerOptions(process.execArgv);
  try {
    return new Worker(url, options);
  } catch (e) {
    if (!options.execArgv) throw e;
    return new Worker(url, { ...options, execArgv: [] });
  }
}

function spawnWorker(): WorkerHandle {
  const worker = startWorker();
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
  kemBackends: [nodeKemBackend, nobleKemBackend],
  spawnWorker,
  hardwareConcurrency: () => availableParallelism(),
  // Fresh zeroed segment buffers cost page faults on every segment (~100 ms per GiB measured);
  // malloc'd memory without the zeroing costs about half. A plain Uint8Array view, not a Buffer.
  allocUninitialized: (size) => new Uint8Array(Buffer.allocUnsafeSlow(size).buffer, 0, size),
  openFile: openNodeFile,
  workerFileOf: nodeFileOf,
  workersReadBlobs: false,
  // libuv's thread pool runs it: off the main thread without a worker of ours.
  nativeScrypt: (password, salt, logN) =>
    new Promise((resolve, reject) =>
      scrypt(password, salt, 32, { N: 2 ** logN, r: 8, p: 1, maxmem: scryptMaxmem(logN) }, (err, key) =>
        err ? reject(err) : resolve(new Uint8Array(key)),
      ),
    ),
};
