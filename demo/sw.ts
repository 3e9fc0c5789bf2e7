/**
 * The demo's Service Worker (built to demo/dist/sw.js by demo/vite.sw.config.ts): it answers
 * /stream-v2/<id>/<name> with the decrypted plaintext of a stored file the page registered
 * (stream-v2/service-worker), and leaves every other request to the network.
 */
import { type ServiceWorkerScopeLike, serveDecrypted } from '../src/service-worker/index.js';

declare const self: ServiceWorkerGlobalScopeLike;
/** What this script uses of its `self`: the library's part, and the lifecycle calls. */
interface ServiceWorkerGlobalScopeLike extends ServiceWorkerScopeLike {
  readonly clients: ServiceWorkerScopeLike['clients'] & { claim(): Promise<void> };
  skipWaiting(): Promise<void>;
  // biome-ignore lint/suspicious/noExplicitAny: the worker's own event types
  addEventListener(type: string, listener: (event: any) => void): void;
}

serveDecrypted(self).listen();
// A new worker takes over at once, and controls the open pages (which register their URLs again).
self.addEventListener('install', () => void self.skipWaiting());
self.addEventListener('activate', (e: { waitUntil(p: Promise<unknown>): void }) => e.waitUntil(self.clients.claim()));
