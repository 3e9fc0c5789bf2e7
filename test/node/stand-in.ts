/**
 * A stand-in for a pool worker: the worker API served over a MessageChannel on this thread, so a
 * test can pass its own platform (bind.ts) and decide when a "worker" answers or whether it dies.
 */
import { MessageChannel } from 'node:worker_threads';
import { expose } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { WorkerHandle } from '../../src/platform/types.js';
import type { WorkerApi } from '../../src/pool/protocol.js';

/**
 * Starts a stand-in worker. After `delayMs` it either serves `api()` or, when `fails()` says so
 * then, dies as a worker that cannot start.
 */
export function standInWorker(api: () => WorkerApi, fails: () => boolean, delayMs: number): WorkerHandle {
  const { port1, port2 } = new MessageChannel();
  const onFailure: Array<(e: Error) => void> = [];
  setTimeout(() => {
    if (fails()) for (const f of onFailure) f(new Error('cannot start'));
    else expose(api(), nodeEndpoint(port2));
  }, delayMs);
  return {
    endpoint: nodeEndpoint(port1),
    onFailure: (f) => void onFailure.push(f),
    terminate: () => {
      port1.close();
      port2.close();
    },
    ref: () => port1.ref(),
    unref: () => port1.unref(),
  };
}
