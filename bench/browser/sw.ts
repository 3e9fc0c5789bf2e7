/**
 * The browser bench's Service Worker (built to sw.js by run.mjs): stream-v2/service-worker for
 * `/stream-v2/…` (decryption here, `workers: 0`), and `/page-pool` for the other design the
 * issue asks to measure: the worker asks the page, which decrypts on its own pool and hands back
 * the plaintext as a transferred ReadableStream, and answers with that.
 */
import { type ServiceWorkerScopeLike, serveDecrypted } from '../../src/service-worker/index.js';

/** What this script uses of its `self`: the library's part, and the lifecycle calls. */
interface Scope extends ServiceWorkerScopeLike {
  readonly clients: ServiceWorkerScopeLike['clients'] & { claim(): Promise<void> };
  skipWaiting(): Promise<void>;
  // biome-ignore lint/suspicious/noExplicitAny: the worker's own event types
  addEventListener(type: string, listener: (event: any) => void): void;
}
declare const self: Scope;

const server = serveDecrypted(self);
let pagePool: MessagePort | undefined;

self.addEventListener('install', () => void self.skipWaiting());
self.addEventListener('activate', (e: { waitUntil(p: Promise<unknown>): void }) => e.waitUntil(self.clients.claim()));
self.addEventListener('message', (e: { data: { type?: string }; ports: MessagePort[] }) => {
  if (e.data?.type === 'bench-page-pool') pagePool = e.ports[0];
  else server.handleMessage(e);
});
self.addEventListener('fetch', (e: { request: Request; respondWith(r: Promise<Response>): void }) => {
  if (server.handleFetch(e)) return;
  const url = new URL(e.request.url);
  if (url.pathname === '/page-pool') e.respondWith(fromPage(e.request.headers.get('range')));
  if (url.pathname === '/floor') e.respondWith(Promise.resolve(floor(Number(url.searchParams.get('bytes')))));
});

/**
 * The floor of a download a worker streams: `bytes` zero bytes, one fresh 1 MiB buffer a pull,
 * no fetch, no crypto (what the browser's download path itself holds).
 */
function floor(bytes: number): Response {
  let left = bytes;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(c) {
        const n = Math.min(2 ** 20, left);
        left -= n;
        if (n > 0) c.enqueue(new Uint8Array(n));
        if (left === 0) c.close();
      },
    },
    { highWaterMark: 0 },
  );
  const headers = { 'Content-Length': String(bytes), 'Content-Disposition': 'attachment; filename="floor.bin"' };
  return new Response(body, { headers });
}

function fromPage(range: string | null): Promise<Response> {
  const { port1, port2 } = new MessageChannel();
  return new Promise((ok, no) => {
    if (!pagePool) return no(new Error('no page pool'));
    port1.onmessage = (m: MessageEvent<{ stream: ReadableStream<Uint8Array>; length: number }>) =>
      ok(new Response(m.data.stream, { headers: { 'Content-Length': String(m.data.length) } }));
    pagePool.postMessage({ range }, [port2]);
  });
}
