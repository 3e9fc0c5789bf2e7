/** The Web platform (browsers, Deno, Bun): module Web Workers, WebCrypto first, then noble. */
import { nobleBackend } from '../crypto/noble.js';
import { webCryptoBackend } from '../crypto/webcrypto.js';
import { nobleKemBackend, webCryptoKemBackend } from '../recipients/kem-backend.js';
import type { Platform, WorkerHandle } from './types.js';

function spawnWorker(): WorkerHandle {
  // Bundlers (Vite) turn this exact pattern into a separate worker chunk.
  const worker = new Worker(new URL('../worker/web.ts', import.meta.url), { type: 'module' });
  (worker as { unref?: () => void }).unref?.(); // idle workers never keep a process alive
  return {
    endpoint: worker,
    onFailure(callback) {
      worker.addEventListener('error', (e) => {
        e.preventDefault?.();
        callback(new Error(`worker failed: ${(e as ErrorEvent).message ?? 'load or runtime error'}`));
      });
      worker.addEventListener('messageerror', () => callback(new Error('worker message could not be read')));
    },
    terminate: () => worker.terminate(),
    // Bun's Worker can be unref'd like Node's; browsers and Deno have no such call.
    ref: () => (worker as { ref?: () => void }).ref?.(),
    unref: () => (worker as { unref?: () => void }).unref?.(),
  };
}

/** The Web platform. */
export const webPlatform: Platform = {
  name: 'web',
  backends: [webCryptoBackend, nobleBackend],
  kemBackends: [webCryptoKemBackend, nobleKemBackend],
  spawnWorker,
  idleWorkerMs: 2000,
  workersReadBlobs: true,
  hardwareConcurrency: () => globalThis.navigator?.hardwareConcurrency ?? 4,
};
