/**
 * The demo's Service Worker (built to demo/dist/sw.js by demo/vite.sw.config.ts): it answers
 * /stream-v2/<id>/<name> with the decrypted plaintext of a stored file the page registered
 * (stream-v2/service-worker), and leaves every other request to the network.
 */
import { serveDecrypted } from '../src/service-worker/index.js';

declare const self: ServiceWorkerGlobalScopeLike;
interface ServiceWorkerGlobalScopeLike {
  readonly registration: { readonly scope: string };
  readonly clients: {
    claim(): Promise<void>;
    matchAll(o: {
      type: 'window';
      includeUncontrolled: boolean;
    }): Promise<ReadonlyArray<{ postMessage(m: unknown): void }>>;
  };
  skipWaiting(): Promise<void>;
  // biome-ignore lint/suspicious/noExplicitAny: the worker's own event types
  addEventListener(type: string, listener: (event: any) => void): void;
}

serveDecrypted(self).listen();
// A new worker takes over at once, and controls the open pages (which register their URLs again).
self.addEventListener('install', () => void self.skipWaiting());
self.addEventListener('activate', (e: { waitUntil(p: Promise<unknown>): void }) => e.waitUntil(self.clients.claim()));
