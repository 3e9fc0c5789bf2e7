/**
 * The Service Worker side: answers GET and HEAD of `<prefix><id>/<name>` with a streaming
 * Response of the plaintext of a registered ciphertext, read through
 * `openEncrypted(httpRangeSource(url), secret, { workers: 0 })`: only the segments that cover
 * the asked range, one segment ahead of the reader at most (the reader's pulls drive the reads),
 * nothing of a segment before it verified. A failure errors the body, so a download fails and
 * is never completed with wrong or missing bytes; its code and segment go to the page on the
 * registration's port. Keys live in this worker's memory only, until revoked or expired.
 */
import { type EncryptedFile, httpRangeSource, openEncrypted, type RangeSource, StreamV2Error } from '../browser.js';
import type { DecoderLimits } from '../format/header.js';
import { errorResponse, type Representation, representationHeaders, unsatisfiable } from './headers.js';
import { errorData, isProtocolMessage, type PortEvent, TAG } from './protocol.js';
import { ifRangeHolds, parseRange, type RangeAnswer } from './range.js';
import { checkRegister, type Entry, Registry } from './registry.js';

/** The part of a `FetchEvent` the worker uses. */
export interface FetchEventLike {
  readonly request: Request;
  respondWith(response: Response | Promise<Response>): void;
}

/** The part of an `ExtendableMessageEvent` the worker uses. */
export interface MessageEventLike {
  readonly data: unknown;
  readonly ports: ReadonlyArray<MessagePort>;
  waitUntil?(promise: Promise<unknown>): void;
}

/** The part of a `ServiceWorkerGlobalScope` the worker uses (pass `self`). */
export interface ServiceWorkerScopeLike {
  readonly registration: { readonly scope: string };
  readonly clients: {
    matchAll(options: {
      type: 'window';
      includeUncontrolled: boolean;
    }): Promise<ReadonlyArray<{ postMessage(message: unknown): void }>>;
  };
  // biome-ignore lint/suspicious/noExplicitAny: the scope's listeners take its own event types
  addEventListener(type: 'fetch' | 'message', listener: (event: any) => void): void;
}

/** Options of {@link serveDecrypted}. */
export interface ServeDecryptedOptions {
  /**
   * The path under which the worker answers (it must end with `/`). Default: `stream-v2/` in
   * the registration's scope, as the page side assumes.
   */
  readonly prefix?: string;
  /**
   * How long a request for an id this worker does not hold waits for a page to register it
   * again (after the browser restarted the worker), in ms, before it is answered with
   * `NOT_REGISTERED`. Default 5000.
   */
  readonly reregisterTimeoutMs?: number;
  /** Refuse headers that ask for more (as `openEncrypted`'s `limits`). */
  readonly limits?: DecoderLimits;
  /** Opens a registration's ciphertext. Default: `httpRangeSource(url, init)`. */
  readonly source?: (url: string, init: RequestInit) => Promise<RangeSource>;
}

/** The worker's side, made by {@link serveDecrypted}. */
export interface DecryptingServiceWorker {
  /** The path prefix of the URLs it answers. */
  readonly prefix: string;
  /** Answers `event` when its URL is under the prefix (and returns true); else leaves it (false). */
  handleFetch(event: FetchEventLike): boolean;
  /** Takes a message of the page side (and returns true); other messages are left (false). */
  handleMessage(event: MessageEventLike): boolean;
  /** Adds `fetch` and `message` listeners to the scope that call the two above. */
  listen(): void;
  /** Revokes every registration (responses still going fail with `ABORTED`). */
  close(): void;
}

/**
 * Makes the Service Worker side of stream-v2 for `scope` (the worker's `self`). Nothing is
 * listened to until {@link DecryptingServiceWorker.listen} or calls of its handlers.
 *
 * @throws StreamV2Error `BAD_ARGUMENT` for malformed options
 */
export function serveDecrypted(
  scope: ServiceWorkerScopeLike,
  options: ServeDecryptedOptions = {},
): DecryptingServiceWorker {
  return new Server(scope, options);
}

class Server implements DecryptingServiceWorker {
  readonly prefix: string;
  private readonly origin: string;
  private readonly registry: Registry;

  constructor(
    private readonly scope: ServiceWorkerScopeLike,
    options: ServeDecryptedOptions,
  ) {
    const base = new URL(scope.registration.scope);
    const prefix = options.prefix ?? new URL('stream-v2/', base).pathname;
    if (typeof prefix !== 'string' || !prefix.startsWith('/') || !prefix.endsWith('/')) {
      throw new StreamV2Error('BAD_ARGUMENT', 'prefix must be a path that starts and ends with /');
    }
    const wait = options.reregisterTimeoutMs ?? 5000;
    if (!Number.isSafeInteger(wait) || wait < 0) {
      throw new StreamV2Error('BAD_ARGUMENT', 'reregisterTimeoutMs must be a whole number of ms');
    }
    this.prefix = prefix;
    this.origin = base.origin;
    const source = options.source ?? ((url, init) => httpRangeSource(url, init));
    const limits = options.limits;
    this.registry = new Registry({
      open: async (m) => {
        const src = await source(m.url, {
          headers: m.headers.map(([k, v]) => [k, v] as [string, string]),
          credentials: m.credentials,
        });
        return openEncrypted(src, m.secret, limits ? { workers: 0, limits } : { workers: 0 });
      },
      ask: (id) => this.broadcast(id),
      waitMs: wait,
    });
  }

  handleFetch(event: FetchEventLike): boolean {
    const url = new URL(event.request.url);
    if (url.origin !== this.origin || !url.pathname.startsWith(this.prefix)) return false;
    event.respondWith(this.respond(event.request, url));
    return true;
  }

  handleMessage(event: MessageEventLike): boolean {
    const m = event.data;
    if (!isProtocolMessage(m)) return false;
    if (m.type === 'register') {
      const port = event.ports[0];
      const done = checkRegister(m, port).then(
        (msg) => this.registry.register(msg, port as MessagePort),
        (e: unknown) => port?.postMessage({ type: 'refused', error: errorData(e) } satisfies PortEvent),
      );
      event.waitUntil?.(done);
    } else if (m.type === 'revoke') {
      const id = (m as { id?: unknown }).id;
      if (typeof id === 'string') this.registry.revoke(id, 'revoked');
    }
    // 'ping': the message event itself keeps the worker alive.
    return true;
  }

  listen(): void {
    this.scope.addEventListener('fetch', (e: FetchEventLike) => this.handleFetch(e));
    this.scope.addEventListener('message', (e: MessageEventLike) => this.handleMessage(e));
  }

  close(): void {
    this.registry.closeAll();
  }

  private async respond(request: Request, url: URL): Promise<Response> {
    try {
      return await this.answer(request, url);
    } catch (e) {
      return errorResponse(errorData(e));
    }
  }

  private async answer(request: Request, url: URL): Promise<Response> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response(null, { status: 405, headers: { Allow: 'GET, HEAD' } });
    }
    const id = url.pathname.slice(this.prefix.length).split('/')[0] ?? '';
    const entry = await this.registry.find(id);
    const size = entry.file.plaintextSize;
    const rep: Representation = { ...entry.representation, size };
    const h = request.headers;
    const range: RangeAnswer = ifRangeHolds(h.get('if-range'), rep.etag)
      ? parseRange(h.get('range'), size)
      : { kind: 'whole' };
    if (range.kind === 'unsatisfiable') return unsatisfiable(size);
    const part = range.kind === 'part' ? { start: range.start, end: range.end } : undefined;
    const { start, end } = part ?? { start: 0, end: size };
    const status = part ? 206 : 200;
    const n = ++entry.requests;
    entry.post({ type: 'start', request: n, status, start, end });
    const headers = representationHeaders(rep, part);
    if (request.method === 'HEAD' || start === end) {
      entry.post({ type: 'done', request: n, sent: 0 });
      return new Response(null, { status, headers });
    }
    return new Response(this.body(entry, n, start, end), { status, headers });
  }

  /** The plaintext `[start, end)`, pulled segment by segment as the browser reads. */
  private body(entry: Entry, n: number, start: number, end: number): ReadableStream<Uint8Array> {
    const reader = (entry.file as EncryptedFile).stream({ start, end }).getReader();
    const finish = entry.begin();
    let sent = 0;
    let ended = false;
    const stop = (event: PortEvent) => {
      if (ended) return;
      ended = true;
      entry.post(event);
      finish();
    };
    return new ReadableStream<Uint8Array>(
      {
        pull: async (c) => {
          try {
            const { done, value } = await reader.read();
            if (done) {
              c.close();
              stop({ type: 'done', request: n, sent });
              return;
            }
            c.enqueue(value);
            sent += value.length;
            entry.post({ type: 'progress', request: n, sent });
          } catch (e) {
            stop({ type: 'failed', request: n, sent, error: errorData(e) });
            c.error(e);
          }
        },
        cancel: async (reason) => {
          stop({ type: 'cancelled', request: n, sent });
          await reader.cancel(reason).catch(() => undefined);
        },
      },
      { highWaterMark: 0 },
    );
  }

  private async broadcast(id: string): Promise<void> {
    const clients = await this.scope.clients.matchAll({ type: 'window', includeUncontrolled: true });
    for (const c of clients) c.postMessage({ tag: TAG, type: 'unknown', id });
  }
}
