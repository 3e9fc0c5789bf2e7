/**
 * The Service Worker's registrations: for each id, the opened file (its keys, in memory only),
 * how to present it, and the page's port; when it expires, and the ids it no longer holds.
 */

import { StreamV2Error } from '../errors.js';
import type { EncryptedFile } from '../random/open.js';
import type { Representation } from './headers.js';
import { errorData, ID, type PortEvent, type RegisterMessage } from './protocol.js';

/** One registered id. */
export interface Entry {
  readonly id: string;
  readonly file: EncryptedFile;
  readonly representation: Omit<Representation, 'size'>;
  /** Responses numbered for the page's events. */
  requests: number;
  /** Posts an event to the page (a closed port drops it). */
  post(event: PortEvent): void;
  /** A response begins; the function it returns ends it (the key goes once the last ends after expiry). */
  begin(): () => void;
}

/** What the registry needs of the worker. */
export interface RegistryHooks {
  open(message: RegisterMessage): Promise<EncryptedFile>;
  /** Tells the pages that `id` is asked for and not held. */
  ask(id: string): Promise<void>;
  waitMs: number;
}

/** Ids no longer held, remembered to say why (bounded). */
const TOMBSTONES = 1024;
/** The longest delay setTimeout takes. */
const MAX_TIMER_MS = 2 ** 31 - 1;

class Registered implements Entry {
  requests = 0;
  private active = 0;
  private expired = false;
  private closed = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly id: string,
    readonly file: EncryptedFile,
    readonly representation: Omit<Representation, 'size'>,
    private readonly port: MessagePort,
    readonly expiresAt: number,
    onExpiry: () => void,
  ) {
    const arm = () => {
      const left = this.expiresAt - Date.now();
      this.timer = left > 0 ? setTimeout(arm, Math.min(left, MAX_TIMER_MS)) : undefined;
      if (left <= 0) onExpiry();
    };
    arm();
  }

  get live(): boolean {
    return !this.expired && !this.closed && Date.now() < this.expiresAt;
  }

  post(event: PortEvent): void {
    if (!this.closed || event.type === 'revoked') this.port.postMessage(event);
  }

  begin(): () => void {
    this.active++;
    let once = false;
    return () => {
      if (once) return;
      once = true;
      this.active--;
      if (this.expired && this.active === 0) this.close();
    };
  }

  /** No new requests; the key goes once the responses under way end. */
  expire(): void {
    this.expired = true;
    if (this.active === 0) this.close();
  }

  /** The key goes now; responses under way fail with ABORTED. */
  close(): void {
    clearTimeout(this.timer);
    if (this.closed) return;
    this.closed = true;
    this.file.close();
    this.port.close();
  }
}

export class Registry {
  private readonly entries = new Map<string, Registered>();
  private readonly gone = new Map<string, string>();
  private readonly waiting = new Map<string, Array<(e: Registered | undefined) => void>>();

  constructor(private readonly hooks: RegistryHooks) {}

  /** Opens the file of `m` (a wrong key is refused here, before any request) and holds it. */
  async register(m: RegisterMessage, port: MessagePort): Promise<void> {
    let file: EncryptedFile;
    try {
      file = await this.hooks.open(m);
    } catch (e) {
      port.postMessage({ type: 'refused', error: errorData(e) } satisfies PortEvent);
      port.close();
      return;
    } finally {
      if (m.secret instanceof Uint8Array) m.secret.fill(0); // openEncrypted keeps its own keys
    }
    const representation = {
      contentType: m.contentType,
      disposition: m.disposition,
      filename: m.filename,
      etag: `"${m.id}"`,
    };
    const entry = new Registered(m.id, file, representation, port, m.expiresAt, () => this.drop(m.id, 'expired'));
    // A page that registers again (it heard `unknown`, or a new worker took over) replaces the
    // entry; responses of the old one go on to their end.
    this.entries.get(m.id)?.expire();
    this.entries.set(m.id, entry);
    this.gone.delete(m.id);
    port.postMessage({ type: 'registered', plaintextSize: file.plaintextSize } satisfies PortEvent);
    for (const wake of this.waiting.get(m.id)?.splice(0) ?? []) wake(entry);
    this.waiting.delete(m.id);
  }

  /** Forgets `id` now. */
  revoke(id: string, why: string): void {
    const e = this.entries.get(id);
    this.drop(id, why);
    e?.post({ type: 'revoked' });
    e?.close();
  }

  /**
   * The live entry of `id`; for an id never seen (a restarted worker), the pages are asked to
   * register it again and the answer waits for that, up to the registry's `waitMs`.
   * @throws StreamV2Error `NOT_REGISTERED`
   */
  async find(id: string): Promise<Entry> {
    const held = this.entries.get(id);
    if (held?.live) return held;
    if (held) this.drop(id, 'expired');
    const why = this.gone.get(id);
    if (why !== undefined || !ID.test(id)) {
      throw new StreamV2Error('NOT_REGISTERED', `this URL was ${why ?? 'never registered'}`);
    }
    const found = await new Promise<Registered | undefined>((resolve) => {
      const list = this.waiting.get(id) ?? [];
      this.waiting.set(id, list);
      const wake = (e: Registered | undefined) => {
        clearTimeout(timer);
        resolve(e);
      };
      const timer = setTimeout(() => {
        const i = list.indexOf(wake);
        if (i >= 0) list.splice(i, 1);
        resolve(undefined);
      }, this.hooks.waitMs);
      list.push(wake);
      if (list.length === 1) this.hooks.ask(id).catch(() => undefined);
    });
    if (!found?.live) {
      throw new StreamV2Error(
        'NOT_REGISTERED',
        'this Service Worker holds no key for this URL (the browser restarted it, or it was never registered here); the page that made the URL registers it again',
      );
    }
    return found;
  }

  closeAll(): void {
    for (const id of [...this.entries.keys()]) this.revoke(id, 'revoked');
  }

  private drop(id: string, why: string): void {
    const e = this.entries.get(id);
    if (e) {
      this.entries.delete(id);
      e.expire();
    }
    this.gone.set(id, why);
    if (this.gone.size > TOMBSTONES) this.gone.delete(this.gone.keys().next().value as string);
  }
}

const DISPOSITIONS = new Set(['attachment', 'inline']);
/** A header field value: no control characters (Headers would throw a raw TypeError). */
const FIELD = /^[\x20-\x7e\u0080-\uffff]*$/;

/**
 * A register message, checked field by field.
 * @throws StreamV2Error `BAD_ARGUMENT`
 */
export async function checkRegister(data: unknown, port: MessagePort | undefined): Promise<RegisterMessage> {
  const m = data as Partial<RegisterMessage>;
  const bad = (what: string) => new StreamV2Error('BAD_ARGUMENT', `register: ${what}`);
  if (!port) throw bad('no port was transferred');
  if (typeof m.id !== 'string' || !ID.test(m.id)) throw bad('id must be 32 hex digits');
  let url: URL;
  try {
    url = new URL(String(m.url));
  } catch {
    throw bad('url must be an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw bad('url must be http(s)');
  const headers = m.headers ?? [];
  if (
    !Array.isArray(headers) ||
    !headers.every((p) => Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'string' && FIELD.test(x)))
  ) {
    throw bad('headers must be [name, value] pairs');
  }
  if (typeof m.expiresAt !== 'number' || !Number.isFinite(m.expiresAt)) throw bad('expiresAt must be a time');
  if (typeof m.contentType !== 'string' || !FIELD.test(m.contentType)) throw bad('contentType must be a header value');
  if (!DISPOSITIONS.has(m.disposition as string)) throw bad("disposition must be 'attachment' or 'inline'");
  if (m.filename !== undefined && (typeof m.filename !== 'string' || !FIELD.test(m.filename))) {
    throw bad('filename must be a string without control characters');
  }
  return m as RegisterMessage;
}
