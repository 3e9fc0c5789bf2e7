/** Node: worker_threads with Comlink's node adapter, node:crypto first, native scrypt. */

import { scrypt } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import workerCode from 'virtual:node-worker-code';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { scryptMaxmem } from '../codec/keys.js';
import { nobleBackend } from '../crypto/noble.js';
import { nodeBackend } from '../crypto/node.js';
import { webCryptoBackend } from '../crypto/webcrypto.js';
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

function startWorker(): Worker {
  workerUrl ??= new URL(`data:text/javascript,${encodeURIComponent(workerCode)}`);
  const url = workerUrl;
  const execArgv = workerExecArgv(process.execArgv);
  // Inherit untouched flags implicitly: Node refuses some (V8 flags such as --expose-gc) when
  // they are listed explicitly, though they apply to the whole process anyway.
  if (execArgv.length === process.execArgv.length) return new Worker(url);
  try {
    return new Worker(url, { execArgv });
  } catch {
    return new Worker(url, { execArgv: [] });
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
  spawnWorker,
  hardwareConcurrency: () => availableParallelism(),
  // Fresh zeroed segment buffers cost page faults on every segment (~100 ms per GiB measured);
  // malloc'd memory without the zeroing costs about half. A plain Uint8Array view, not a Buffer.
  allocUninitialized: (size) => new Uint8Array(Buffer.allocUnsafeSlow(size).buffer, 0, size),
  openFile: openNodeFile,
  workerFileOf: nodeFileOf,
  // libuv's thread pool runs it: off the main thread without a worker of ours.
  nativeScrypt: (password, salt, logN) =>
    new Promise((resolve, reject) =>
      scrypt(password, salt, 32, { N: 2 ** logN, r: 8, p: 1, maxmem: scryptMaxmem(logN) }, (err, key) =>
        err ? reject(err) : resolve(new Uint8Array(key)),
      ),
    ),
};
