/**
 * httpRangeSource: a RangeSource over HTTP Range requests (RFC 9110 §14) that a hostile or
 * broken server can neither grow memory through nor hang, and whose failures say whose they
 * are: `SOURCE_FAILED` (the server), `SOURCE_CHANGED` (the object), never a format code.
 */
import { StreamV2Error } from '../errors.js';
import type { RangeSource } from '../source/source.js';

/** Options of {@link httpRangeSource}. */
export interface HttpRangeSourceOptions {
  /**
   * How long a request may go without progress before it fails with `SOURCE_FAILED`: from
   * sending it to its response headers, then for each 64 KiB of its body (or the rest of the
   * body, when less is left), so that a body dripped a byte at a time fails too. An integer
   * in 1..2^31 − 1, or `Infinity` to wait forever. Default 30 000 (30 s).
   */
  readonly idleTimeoutMs?: number;
}

/** The default of {@link HttpRangeSourceOptions.idleTimeoutMs}. */
const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
/**
 * Body bytes that count as progress. A server must send this much per idle timeout (about
 * 2 KiB/s at the default), which any real link does; a slow loris does not.
 */
const PROGRESS_BYTES = 64 * 1024;
/** The longest delay setTimeout takes (a longer one fires at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A checked call: what to fetch, how, and the name messages use. */
interface Target {
  readonly url: string | URL;
  readonly init: RequestInit;
  readonly idleMs: number;
  readonly name: string;
}

/** What an answer says of the object; the first one's is pinned, later ones must agree. */
interface ObjectFacts {
  readonly size: number;
  readonly etag: string | undefined;
  readonly lastModified: string | undefined;
}

/**
 * A {@link RangeSource} that reads `url` with `Range` requests through `fetch`. The size and
 * validators come from the first answer (to a one-byte range request): a strong `ETag` is then
 * sent as `If-Match`, else a `Last-Modified` as `If-Unmodified-Since`, with every read.
 *
 * A read fails with `SOURCE_FAILED` when the server ignores `Range` (200, not 206), answers
 * another range than asked or none (`Content-Range`), sends a content coding other than
 * identity (`Accept-Encoding: identity` is asked), a body shorter or longer than asked (read
 * no further than one byte past it), or makes no progress for `idleTimeoutMs`; with
 * `SOURCE_CHANGED` when the object changed since the first answer (412, another ETag,
 * Last-Modified or total size); with `ABORTED` when `init.signal` aborts. Never with wrong bytes.
 *
 * Cross-origin in a browser, the server must expose `Content-Range` (and `ETag` to pin it) and
 * allow the `If-Match` and `If-Unmodified-Since` request headers (CORS).
 *
 * @param url - the object to read
 * @param init - extra `fetch` options (headers such as Authorization, credentials, signal); the
 *   method must be GET, with no body
 * @param options - the idle timeout
 * @throws StreamV2Error `BAD_ARGUMENT` for a malformed url, init or options; else as a read
 */
export async function httpRangeSource(
  url: string | URL,
  init?: RequestInit,
  options?: HttpRangeSourceOptions,
): Promise<RangeSource> {
  const target = checkArguments(url, init, options);
  const { facts: pinned } = await exchange(target, 0, 1, undefined);
  return {
    size: pinned.size,
    async read(offset, length) {
      const inside = Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && length >= 0;
      if (!inside || offset + length > pinned.size) {
        throw new StreamV2Error('BAD_ARGUMENT', `read(${offset}, ${length}) is outside the ${pinned.size}-byte object`);
      }
      if (length === 0) return new Uint8Array(0);
      return (await exchange(target, offset, length, pinned)).bytes;
    },
  };
}

function checkArguments(url: unknown, init: unknown, options: unknown): Target {
  const bad = (why: string) => new StreamV2Error('BAD_ARGUMENT', `httpRangeSource: ${why}`);
  if (typeof url !== 'string' && !(url instanceof URL)) throw bad('url must be a string or a URL');
  if (init !== undefined && (typeof init !== 'object' || init === null)) throw bad('init must be an object');
  if (options !== undefined && (typeof options !== 'object' || options === null))
    throw bad('options must be an object');
  const i = (init ?? {}) as RequestInit;
  if (i.method !== undefined && (typeof i.method !== 'string' || i.method.toUpperCase() !== 'GET')) {
    throw bad('init.method must be GET (range reads)');
  }
  try {
    // The fetch API's own checks (url, headers, signal, mode, a body on GET): a TypeError here
    // is the caller's argument, not a failure of the server.
    new Request(url, i);
  } catch (e) {
    throw bad(`url or init is not usable by fetch (${e instanceof Error ? e.message : String(e)})`);
  }
  const idleMs = (options as HttpRangeSourceOptions | undefined)?.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  if (idleMs !== Number.POSITIVE_INFINITY && !(Number.isInteger(idleMs) && idleMs >= 1 && idleMs <= MAX_TIMER_MS)) {
    throw bad(`idleTimeoutMs must be an integer in 1..${MAX_TIMER_MS} or Infinity`);
  }
  return { url, init: i, idleMs, name: nameOf(url) };
}

/**
 * The url without its query, fragment and user info: a signed URL's query is a credential,
 * and messages go to logs.
 */
function nameOf(url: string | URL): string {
  try {
    const u = new URL(url, (globalThis as { location?: { href?: string } }).location?.href);
    return `${u.origin}${u.pathname}`;
  } catch {
    return 'the object';
  }
}

/** One range request: its body (exactly `length` bytes) and what it said of the object. */
async function exchange(
  t: Target,
  offset: number,
  length: number,
  pinned: ObjectFacts | undefined,
): Promise<{ bytes: Uint8Array; facts: ObjectFacts }> {
  const headers = new Headers(t.init.headers);
  headers.set('Range', `bytes=${offset}-${offset + length - 1}`);
  // A coded body has another length than the range, and a small one may inflate to gigabytes.
  headers.set('Accept-Encoding', 'identity');
  if (pinned?.etag !== undefined && !pinned.etag.startsWith('W/')) headers.set('If-Match', pinned.etag);
  else if (pinned?.lastModified !== undefined) headers.set('If-Unmodified-Since', pinned.lastModified);
  const watch = new Watch(t);
  try {
    const res = await watch.race(fetch(t.url, { ...t.init, headers, signal: watch.signal }));
    let facts: ObjectFacts;
    try {
      facts = checkAnswer(t, res, offset, length, pinned);
    } catch (e) {
      res.body?.cancel().catch(() => {});
      throw e;
    }
    watch.restart('the body');
    return { bytes: await readBody(t, res, length, watch), facts };
  } catch (e) {
    throw watch.failure ?? failure(t, e);
  } finally {
    watch.stop();
  }
}

/** Checks an answer's status and headers against the request and the pinned object. */
function checkAnswer(
  t: Target,
  res: Response,
  offset: number,
  length: number,
  pinned: ObjectFacts | undefined,
): ObjectFacts {
  const failed = (why: string) => new StreamV2Error('SOURCE_FAILED', `${t.name}: ${why}`);
  const changed = (why: string) =>
    new StreamV2Error('SOURCE_CHANGED', `${t.name}: the object changed since it was opened (${why})`);
  const etag = res.headers.get('etag') ?? undefined;
  const lastModified = res.headers.get('last-modified') ?? undefined;
  const range = /^bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)$/i.exec(res.headers.get('content-range')?.trim() ?? '');
  const total = range?.[3] === undefined || range[3] === '*' ? undefined : Number(range[3]);
  if (pinned) {
    if (res.status === 412) throw changed('412 Precondition Failed on the pinned validator');
    // Weak comparison (RFC 9110 §8.8.3.2): a server may mark the same tag weak on another answer.
    if (
      etag !== undefined &&
      pinned.etag !== undefined &&
      etag.replace(/^W\//, '') !== pinned.etag.replace(/^W\//, '')
    ) {
      throw changed(`ETag ${etag.slice(0, 80)}, first ${pinned.etag.slice(0, 80)}`);
    }
    if (lastModified !== undefined && pinned.lastModified !== undefined && lastModified !== pinned.lastModified) {
      throw changed(`Last-Modified ${lastModified.slice(0, 40)}, first ${pinned.lastModified.slice(0, 40)}`);
    }
    if (total !== undefined && total !== pinned.size) throw changed(`${total} bytes, first ${pinned.size}`);
  }
  if (res.status !== 206) {
    throw failed(res.status === 200 ? 'the server ignored Range (status 200, not 206)' : `status ${res.status}`);
  }
  const coding = res.headers.get('content-encoding')?.trim().toLowerCase();
  if (coding && coding !== 'identity') {
    throw failed(`Content-Encoding ${coding.slice(0, 40)}: range reads take identity bytes only`);
  }
  if (range?.[1] === undefined || total === undefined || !Number.isSafeInteger(total)) {
    throw failed('no Content-Range with the range and the total size in the answer');
  }
  const [first, last] = [Number(range[1]), Number(range[2])];
  if (first !== offset || last !== offset + length - 1 || last >= total) {
    throw failed(`asked for bytes ${offset}-${offset + length - 1}, the server answered ${first}-${last}`);
  }
  const declared = res.headers.get('content-length');
  if (declared !== null && declared.trim() !== String(length)) {
    throw failed(`asked for ${length} bytes at ${offset}, the server announced ${declared.slice(0, 20)}`);
  }
  return { size: total, etag, lastModified };
}

/**
 * Reads a body of `length` bytes straight into one buffer of that size, and stops (cancelling
 * the rest) as soon as a byte more arrives: a body longer than asked, endless or not, costs at
 * most `length` plus one transport chunk.
 */
async function readBody(t: Target, res: Response, length: number, watch: Watch): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  const reader = res.body?.getReader();
  if (!reader) throw new StreamV2Error('SOURCE_FAILED', `${t.name}: an answer without a body`);
  let at = 0;
  let progress = 0;
  try {
    for (;;) {
      const { done, value } = await watch.race(reader.read());
      if (done) break;
      if (value.length > length - at) {
        throw new StreamV2Error('SOURCE_FAILED', `${t.name}: the server sent more than the ${length} bytes asked`);
      }
      out.set(value, at);
      at += value.length;
      if (at - progress >= PROGRESS_BYTES) {
        progress = at;
        watch.restart('the body');
      }
    }
  } catch (e) {
    reader.cancel().catch(() => {});
    throw e;
  }
  if (at !== length) {
    throw new StreamV2Error('SOURCE_FAILED', `${t.name}: asked for ${length} bytes, the server sent ${at}`);
  }
  return out;
}

/** A failure of fetch or of the body (a network error, a reset): the server's. */
function failure(t: Target, e: unknown): StreamV2Error {
  if (StreamV2Error.is(e)) return e;
  if (t.init.signal?.aborted) return aborted(t);
  const detail = e instanceof Error ? e.message : String(e);
  return new StreamV2Error('SOURCE_FAILED', `${t.name}: ${detail}`, {}, { cause: e });
}

function aborted(t: Target): StreamV2Error {
  return new StreamV2Error(
    'ABORTED',
    `${t.name}: aborted by the caller's signal`,
    {},
    { cause: t.init.signal?.reason },
  );
}

/**
 * One request's idle timer and abort: the caller's signal and the timer both abort the fetch
 * (so the connection closes) and end any step awaited through {@link Watch.race} at once with
 * a StreamV2Error, whether or not the platform's fetch rejects promptly on abort.
 */
class Watch {
  /** Why the request was ended: the caller aborted, or it made no progress. */
  failure: StreamV2Error | undefined;
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly ended: Promise<never>;
  private end: (e: StreamV2Error) => void = () => {};
  private readonly onAbort = () => this.fail(aborted(this.t));

  constructor(private readonly t: Target) {
    this.ended = new Promise<never>((_, reject) => {
      this.end = reject;
    });
    this.ended.catch(() => {}); // observed through race; unobserved when nothing awaits
    t.init.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (t.init.signal?.aborted) this.onAbort();
    else this.restart('the response headers');
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Restarts the idle timer: progress was made, `waiting` is what comes next. */
  restart(waiting: string): void {
    clearTimeout(this.timer);
    if (this.failure || this.t.idleMs === Number.POSITIVE_INFINITY) return;
    this.timer = setTimeout(() => {
      this.fail(
        new StreamV2Error(
          'SOURCE_FAILED',
          `${this.t.name}: no progress for ${this.t.idleMs} ms (waiting for ${waiting})`,
        ),
      );
    }, this.t.idleMs);
  }

  /** `step`, or the failure that ends the request first. */
  race<T>(step: Promise<T>): Promise<T> {
    return Promise.race([step, this.ended]);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.t.init.signal?.removeEventListener('abort', this.onAbort);
  }

  private fail(e: StreamV2Error): void {
    if (this.failure) return;
    this.failure = e;
    clearTimeout(this.timer);
    this.end(e);
    this.controller.abort(e);
  }
}
