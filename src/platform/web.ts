/** The Web platform (browsers, Deno, Bun): module Web Workers, WebCrypto first, then noble. */
import { nobleBackend } from '../crypto/noble.js';
import { webCryptoBackend } from '../crypto/webcrypto.js';
import type { Platform, WorkerHandle } from './types.js';

function spawnWorker(): WorkerHandle {
  // Bundlers (Vite) turn this exact pattern into a separate worker chunk.
  const worker = new Worker(new URL('../worker/web.ts', import.meta.url), { type: 'module' });
  const noop = () => {};
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
    ref: noop,
    unref: noop,
  };
}

/** The Web platform. */
export const webPlatform: Platform = {
  name: 'web',
  backends: [webCryptoBackend, nobleBackend],
  spawnWorker,
  hardwareConcurrency: () => globalThis.navigator?.hardwareConcurrency ?? 4,
};
