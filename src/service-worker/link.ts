/**
 * The page side of the Service Worker: registers a ciphertext URL and its secret with the
 * worker that controls the page (over a MessageChannel, never in a URL) and hands back the URL
 * the worker answers with plaintext. It keeps what it registered in this page's memory, so that
 * a worker the browser restarted (and that forgot it) or a new worker gets it again.
 */
import type { Secret } from '../codec/keys.js';
import { StreamV2Error } from '../errors.js';
import {
  type Disposition,
  errorFrom,
  isProtocolMessage,
  type PortEvent,
  type RegisterMessage,
  TAG,
} from './protocol.js';

/** Options of {@link connectServiceWorker}. */
export interface ConnectOptions {
  /** The registration of a worker that calls `serveDecrypted`. Default: `navigator.serviceWorker.ready`. */
  readonly registration?: ServiceWorkerRegistration;
  /** The worker's path prefix, when it was given another (`serveDecrypted`'s `prefix`). */
  readonly prefix?: string;
  /** How long to wait for the worker to control this page, in ms. Default 10 000. */
  readonly timeoutMs?: number;
}

/** What a response of the worker did, as {@link RegisterOptions.onEvent} hears it. */
export type ServedEvent =
  | {
      readonly type: 'start';
      readonly request: number;
      readonly status: number;
      readonly start: number;
      readonly end: number;
    }
  | { readonly type: 'progress' | 'done' | 'cancelled'; readonly request: number; readonly sent: number }
  | { readonly type: 'failed'; readonly request: number; readonly sent: number; readonly error: StreamV2Error };

/** Options of {@link ServiceWorkerLink.register}. */
export interface RegisterOptions {
  /** The file name of `Content-Disposition` and of the URL's last part. */
  readonly filename?: string;
  /** The `Content-Type` of the answers. Default `application/octet-stream`. */
  readonly type?: string;
  /** `inline` (media elements, images; the default) or `attachment` (a download). */
  readonly disposition?: Disposition;
  /** New requests are refused after this many ms (responses under way go on). Default 3 600 000. */
  readonly expiresInMs?: number;
  /** Request headers for the ciphertext (such as Authorization); never put the key here. */
  readonly headers?: Record<string, string>;
  /** `fetch` credentials mode for the ciphertext. */
  readonly credentials?: RequestCredentials;
  /** Hears every response the worker serves at this URL: start, progress, done, failed, cancelled. */
  readonly onEvent?: (event: ServedEvent) => void;
}

/** A URL the worker answers with the plaintext of a ciphertext. */
export interface DecryptedUrl {
  /** Same-origin URL (`<prefix><id>/<file name>`): for `fetch`, `<video src>`, a download link. */
  readonly url: string;
  /** The plaintext size, authenticated when the worker opened the file. */
  readonly plaintextSize: number;
  /** Epoch ms after which the worker refuses new requests at this URL. */
  readonly expiresAt: number;
  /** Forgets the secret here and in the worker; responses under way fail with `ABORTED`. */
  revoke(): void;
}

/** The link between a page and its Service Worker, made by {@link connectServiceWorker}. */
export interface ServiceWorkerLink {
  /**
   * Hands `secret` to the worker for `ciphertext` (read by the worker with Range requests)
   * under a fresh random id. The worker opens the file first: a wrong key is refused here.
   * @throws StreamV2Error `WRONG_KEY`, `BAD_HEADER`..., `SOURCE_FAILED`, `BAD_ARGUMENT`
   */
  register(ciphertext: string | URL, secret: Secret, options?: RegisterOptions): Promise<DecryptedUrl>;
  /** Revokes every URL registered through this link and stops listening. */
  close(): void;
}

/** How often a page with URLs registered pings the worker, so that it is not stopped as idle. */
const PING_MS = 10_000;
/** How long a registration may take (a passphrase's scrypt runs in the worker). */
const REGISTER_MS = 120_000;

/**
 * Connects to the Service Worker that controls this page (it must call `serveDecrypted` and
 * claim its clients). Waits until it controls the page.
 * @throws StreamV2Error `UNSUPPORTED` without Service Workers, or when no worker takes control
 *   in time (a hard reload bypasses Service Workers)
 */
export async function connectServiceWorker(options: ConnectOptions = {}): Promise<ServiceWorkerLink> {
  const sw = globalThis.navigator?.serviceWorker;
  if (!sw) throw new StreamV2Error('UNSUPPORTED', 'this page has no Service Workers (a secure context is needed)');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const registration = options.registration ?? (await sw.ready);
  if (!sw.controller) {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => {
        sw.removeEventListener('controllerchange', on);
        reject(
          new StreamV2Error('UNSUPPORTED', 'no Service Worker controls this page (a hard reload bypasses it: reload)'),
        );
      }, timeoutMs);
      const on = () => {
        clearTimeout(t);
        resolve();
      };
      sw.addEventListener('controllerchange', on, { once: true });
    });
  }
  const prefix = new URL(options.prefix ?? 'stream-v2/', registration.scope).href;
  return new Link(sw, prefix);
}

interface Held {
  readonly message: Omit<RegisterMessage, 'secret'>;
  secret: Secret;
  readonly onEvent: ((event: ServedEvent) => void) | undefined;
  port: MessagePort | undefined;
  /** The registration in flight and the worker it went to: one at a time per worker. */
  sending?: { worker: ServiceWorker; answer: Promise<number> } | undefined;
  /** Stops waiting for the last post's answer (its timer): a newer post replaced it. */
  superseded?: () => void;
  /** Until its first answer: settles `register()`, from whichever worker answers. */
  first?: { resolve: (size: number) => void; reject: (e: unknown) => void };
}

class Link implements ServiceWorkerLink {
  private readonly held = new Map<string, Held>();
  private ping: ReturnType<typeof setInterval> | undefined;
  private readonly onMessage = (e: MessageEvent) => {
    const d = e.data as unknown;
    if (isProtocolMessage(d) && d.type === 'unknown') {
      const h = this.held.get((d as { id?: string }).id ?? '');
      if (h) void this.send(h).catch(() => undefined);
    }
  };
  /** Registrations posted and not yet answered (a worker replaced meanwhile never answers). */
  private readonly opening = new Set<Held>();
  private readonly onController = () => {
    for (const h of this.held.values()) void this.send(h).catch(() => undefined);
    // A registration posted to the worker that was just replaced: the new one gets it too.
    for (const h of this.opening) this.send(h).then(h.first?.resolve, h.first?.reject);
  };

  constructor(
    private readonly sw: ServiceWorkerContainer,
    private readonly prefix: string,
  ) {
    sw.addEventListener('message', this.onMessage);
    sw.addEventListener('controllerchange', this.onController);
    globalThis.addEventListener?.('pagehide', this.onHide);
  }

  /** A page that goes away (and not into the back-forward cache) takes its URLs with it. */
  private readonly onHide = (e: Event) => {
    if (!(e as { persisted?: boolean }).persisted) this.close();
  };

  async register(ciphertext: string | URL, secret: Secret, options: RegisterOptions = {}): Promise<DecryptedUrl> {
    const url = absolute(ciphertext);
    const ttl = options.expiresInMs ?? 3_600_000;
    if (!Number.isSafeInteger(ttl) || ttl <= 0)
      throw new StreamV2Error('BAD_ARGUMENT', 'expiresInMs must be a positive whole number of ms');
    const id = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
    const expiresAt = Date.now() + ttl;
    const held: Held = {
      message: {
        tag: TAG,
        type: 'register',
        id,
        url,
        headers: Object.entries(options.headers ?? {}),
        credentials: options.credentials,
        expiresAt,
        contentType: options.type ?? 'application/octet-stream',
        disposition: options.disposition ?? 'inline',
        filename: options.filename,
      },
      secret: copySecret(secret),
      onEvent: options.onEvent,
      port: undefined,
    };
    let plaintextSize: number;
    try {
      plaintextSize = await new Promise<number>((resolve, reject) => {
        held.first = { resolve, reject };
        this.opening.add(held);
        this.send(held).then(resolve, reject);
      });
    } catch (e) {
      // Refused or unanswered: the page's copy of the secret and the port go with it.
      if (held.secret instanceof Uint8Array) held.secret.fill(0);
      held.port?.close();
      throw e;
    } finally {
      this.opening.delete(held);
      held.first = undefined;
    }
    this.held.set(id, held);
    this.ping ??= setInterval(() => this.sw.controller?.postMessage({ tag: TAG, type: 'ping' }), PING_MS);
    const name = encodeURIComponent(options.filename || 'file');
    return { url: `${this.prefix}${id}/${name}`, plaintextSize, expiresAt, revoke: () => this.revoke(id) };
  }

  close(): void {
    for (const id of [...this.held.keys()]) this.revoke(id);
    this.sw.removeEventListener('message', this.onMessage);
    this.sw.removeEventListener('controllerchange', this.onController);
    globalThis.removeEventListener?.('pagehide', this.onHide);
  }

  private revoke(id: string): void {
    const h = this.held.get(id);
    if (!h) return;
    this.held.delete(id);
    if (h.secret instanceof Uint8Array) h.secret.fill(0);
    this.sw.controller?.postMessage({ tag: TAG, type: 'revoke', id });
    h.port?.close();
    if (this.held.size === 0) {
      clearInterval(this.ping);
      this.ping = undefined;
    }
  }

  /** Posts the registration (again) on a fresh channel; resolves with the plaintext size. */
  private send(h: Held): Promise<number> {
    const worker = this.sw.controller;
    if (!worker) return Promise.reject(new StreamV2Error('UNSUPPORTED', 'no Service Worker controls this page'));
    if (h.sending?.worker === worker) return h.sending.answer;
    const answer = this.post(h, worker);
    h.sending = { worker, answer };
    const clear = () => {
      if (h.sending?.answer === answer) h.sending = undefined;
    };
    answer.then(clear, clear);
    return answer;
  }

  private post(h: Held, worker: ServiceWorker): Promise<number> {
    h.port?.close(); // the last worker's late answers are not heard
    h.superseded?.();
    const { port1, port2 } = new MessageChannel();
    h.port = port1;
    return new Promise<number>((resolve, reject) => {
      const t = setTimeout(
        () => reject(new StreamV2Error('ABORTED', 'the Service Worker did not answer')),
        REGISTER_MS,
      );
      h.superseded = () => clearTimeout(t);
      port1.onmessage = (e: MessageEvent) => {
        const ev = e.data as PortEvent;
        if (ev.type === 'registered') {
          clearTimeout(t);
          resolve(ev.plaintextSize);
        } else if (ev.type === 'refused') {
          clearTimeout(t);
          reject(errorFrom(ev.error));
        } else if (ev.type !== 'revoked') {
          h.onEvent?.(ev.type === 'failed' ? { ...ev, error: errorFrom(ev.error) } : ev);
        }
      };
      worker.postMessage({ ...h.message, secret: h.secret } satisfies RegisterMessage, [port2]);
    });
  }
}

/** A copy of a secret (the caller may reuse its buffer); the worker checks it in full. */
function copySecret(secret: Secret): Secret {
  if (secret instanceof Uint8Array) return secret.slice();
  const p = (secret as { passphrase?: unknown } | null)?.passphrase;
  if (typeof p !== 'string') throw new StreamV2Error('BAD_ARGUMENT', 'secret must be a 32-byte key or { passphrase }');
  return { passphrase: p };
}

/** `url` made absolute against the page.
 * @throws StreamV2Error `BAD_ARGUMENT` */
export function absolute(url: string | URL): string {
  try {
    return new URL(url, globalThis.location?.href).href;
  } catch {
    throw new StreamV2Error('BAD_ARGUMENT', 'the ciphertext URL does not parse');
  }
}
