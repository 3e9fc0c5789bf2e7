/**
 * A stand-in for a pool worker: the worker API served over a MessageChannel on this thread, so a
 * test can pass its own platform (bind.ts) and decide when a "worker" answers or whether it dies.
 */
import { MessageChannel } from 'node:worker_threads';
import { expose } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { nodeBackend } from '../../src/crypto/node.js';
import type { CryptoBackend } from '../../src/crypto/types.js';
import type { Platform, WorkerHandle } from '../../src/platform/types.js';
import type { WorkerApi } from '../../src/pool/protocol.js';
import { createWorkerApi } from '../../src/pool/worker-api.js';
import { nobleKemBackend } from '../../src/recipients/kem-backend.js';
import { nodeKemBackend } from '../../src/recipients/kem-node.js';

/**
 * Starts a stand-in worker. After `delayMs` it either serves `api()` or, when `fails()` says so
 * then, dies as a worker that cannot start.
 */
export function standInWorker(
  api: () => WorkerApi,
  fails: () => boolean,
  delayMs: number,
): WorkerHandle & { die(reason: Error): void } {
  const { port1, port2 } = new MessageChannel();
  const onFailure: Array<(e: Error) => void> = [];
  setTimeout(() => {
    if (fails()) for (const f of onFailure) f(new Error('cannot start'));
    else expose(api(), nodeEndpoint(port2));
  }, delayMs);
  return {
    endpoint: nodeEndpoint(port1),
    onFailure: (f) => void onFailure.push(f),
    die(reason) {
      // As a crashed worker: its channel closes, and the pool hears of the death.
      port1.close();
      port2.close();
      for (const f of onFailure) f(reason);
    },
    terminate: () => {
      port1.close();
      port2.close();
    },
    ref: () => port1.ref(),
    unref: () => port1.unref(),
  };
}

/** How a {@link standInPlatform}'s workers behave. */
export interface StandInOptions {
  /** Milliseconds before a worker answers (a slow isolate start). */
  startMs?: number;
  /** Whether a worker dies at start instead (asked when it would answer). */
  fails?: () => boolean;
  /** Milliseconds each job takes at least (a slow worker, so that queues form). */
  jobMs?: number;
  /** Called with each call's method name and arguments as a worker serves it. */
  onCall?: (name: string, args: unknown[]) => void;
  /** The platform's crypto backends, in order (default: node:crypto). */
  backends?: readonly CryptoBackend[];
  /** Called with each worker started, which `die` kills as a crash would. */
  onSpawn?: (worker: { die(reason: Error): void }) => void;
}

/** A Node platform whose pool workers are stand-ins (see {@link standInWorker}). */
export function standInPlatform(o: StandInOptions = {}): Platform {
  const api = (): WorkerApi => {
    const real = createWorkerApi(backends);
    return Object.fromEntries(
      Object.entries(real).map(([name, f]) => [
        name,
        async (...args: unknown[]) => {
          o.onCall?.(name, args);
          if (o.jobMs && name !== 'ping' && name !== 'forget') await new Promise((r) => setTimeout(r, o.jobMs));
          return (f as (...a: unknown[]) => unknown)(...args);
        },
      ]),
    ) as unknown as WorkerApi;
  };
  const fails = o.fails ?? (() => false);
  const backends = o.backends ?? [nodeBackend];
  const spawnWorker = (): WorkerHandle => {
    const worker = standInWorker(api, fails, o.startMs ?? 0);
    o.onSpawn?.(worker);
    return worker;
  };
  // Stand-ins run on this thread: the Blobs they are handed never cross a thread.
  return {
    name: 'node',
    backends,
    kemBackends: [nodeKemBackend, nobleKemBackend],
    spawnWorker,
    hardwareConcurrency: () => 2,
    workersReadBlobs: true,
  };
}
