/**
 * Saving a stored ciphertext's plaintext to disk from a page, at any size: into a file the
 * person picks (`showSaveFilePicker` + `createWritable()`, decrypted in the page on its pool),
 * else as a download the Service Worker streams, else, only below a size the caller sets, as a
 * Blob held in memory. Nothing of a segment is written before it verified; a failure leaves no
 * complete-looking file (the picked file's writable is aborted, the download fails).
 */
import { type EncryptedFile, httpRangeSource, openEncrypted, type Secret, StreamV2Error } from '../browser.js';
import type { WorkerPool } from '../pool/pool.js';
import { absolute, type ServedEvent, type ServiceWorkerLink } from './link.js';

/** How {@link saveDecrypted} saved the file. */
export type SaveMethod = 'picker' | 'service-worker' | 'blob';

/** Progress of a save, in plaintext bytes. */
export interface SaveProgress {
  readonly bytes: number;
  readonly total: number;
}

/** Options of {@link saveDecrypted}. */
export interface SaveOptions {
  /** The suggested file name. */
  readonly filename: string;
  /** The plaintext's media type (the download's `Content-Type`). */
  readonly type?: string;
  /** Whether to offer the file picker where the browser has one (default true). */
  readonly picker?: boolean;
  /** The Service Worker link for a streamed download (where there is no picker, or `picker: false`). */
  readonly link?: ServiceWorkerLink;
  /** The largest plaintext saved through a Blob in memory, the last resort (default 0: never). */
  readonly maxBlobBytes?: number;
  /** Hears the bytes saved so far. */
  readonly onProgress?: (progress: SaveProgress) => void;
  /** Stops the save with `ABORTED` (the file being written is discarded). */
  readonly signal?: AbortSignal;
  /** Workers for decryption in the page (the picker and Blob ways), as `openEncrypted`'s. */
  readonly workers?: number | WorkerPool;
  /** Request headers for the ciphertext (such as Authorization). */
  readonly headers?: Record<string, string>;
}

/** What {@link saveDecrypted} did. */
export interface SaveResult {
  readonly method: SaveMethod;
  /** Plaintext bytes saved. */
  readonly bytes: number;
}

interface PickerWindow {
  showSaveFilePicker?(options: { suggestedName: string }): Promise<FileSystemFileHandle>;
}

/**
 * Saves the plaintext of the ciphertext at `ciphertext` to disk. Call it from a click handler:
 * the picker needs the click's user activation, so it is opened before anything else.
 *
 * @throws StreamV2Error with the decoder's code and segment (`AUTH_FAILED`, `WRONG_KEY`...),
 *   `ABORTED` (the picker or download was cancelled, the worker serving the download fell
 *   silent for 2 minutes, or for 5 s after another worker took control, or `signal`), `UNSUPPORTED` (no way left
 *   for this size), `SOURCE_FAILED`, `BAD_ARGUMENT`
 */
export async function saveDecrypted(
  ciphertext: string | URL,
  secret: Secret,
  options: SaveOptions,
): Promise<SaveResult> {
  const url = absolute(ciphertext);
  if (typeof options?.filename !== 'string') throw new StreamV2Error('BAD_ARGUMENT', 'options.filename is needed');
  const pick = (globalThis as PickerWindow).showSaveFilePicker;
  if (options.picker !== false && typeof pick === 'function') {
    let handle: FileSystemFileHandle;
    try {
      handle = await pick.call(globalThis, { suggestedName: options.filename });
    } catch (e) {
      throw new StreamV2Error('ABORTED', 'no file was picked', {}, { cause: e });
    }
    const file = await openInPage(url, secret, options);
    const writable = await handle.createWritable();
    return { method: 'picker', bytes: await pipeCounting(file, writable, options) };
  }
  if (options.link) return download(options.link, url, secret, options);
  const file = await openInPage(url, secret, options);
  if (file.plaintextSize > (options.maxBlobBytes ?? 0)) {
    file.close();
    throw new StreamV2Error(
      'UNSUPPORTED',
      `no way to save ${file.plaintextSize} bytes here: no file picker, no Service Worker link, and more than maxBlobBytes`,
    );
  }
  const parts: BlobPart[] = [];
  const bytes = await pipeCounting(file, new WritableStream({ write: (c) => void parts.push(c as BlobPart) }), options);
  const href = URL.createObjectURL(new Blob(parts, { type: options.type ?? 'application/octet-stream' }));
  clickDownload(href, options.filename);
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
  return { method: 'blob', bytes };
}

async function openInPage(url: string, secret: Secret, o: SaveOptions): Promise<EncryptedFile> {
  const init: RequestInit = { headers: o.headers ?? {}, ...(o.signal ? { signal: o.signal } : {}) };
  const source = await httpRangeSource(url, init);
  return openEncrypted(source, secret, { workers: o.workers, signal: o.signal });
}

/** Streams the whole plaintext into `sink` with progress; the sink is aborted on a failure. */
async function pipeCounting(file: EncryptedFile, sink: WritableStream<Uint8Array>, o: SaveOptions): Promise<number> {
  let bytes = 0;
  const total = file.plaintextSize;
  const count = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, c) {
      bytes += chunk.length;
      c.enqueue(chunk);
      o.onProgress?.({ bytes, total });
    },
  });
  try {
    await file.stream({ signal: o.signal }).pipeThrough(count).pipeTo(sink);
  } catch (e) {
    throw StreamV2Error.is(e) ? e : new StreamV2Error('ABORTED', 'the file could not be written', {}, { cause: e });
  } finally {
    file.close();
  }
  return bytes;
}

/**
 * How long a started download may go without a word from the worker (a progress event comes
 * with every segment) before the save fails: a worker the browser stopped or replaced mid-body
 * sends nothing more, and its port gives no sign of it.
 */
const STALL_MS = 120_000;
/**
 * How long the worker serving a download may go silent once another worker took control of the
 * page. A replaced worker may well finish what it serves (Chromium lets it: the new one took
 * over as this download ended, before its `done` arrived), and then it goes on sending a
 * progress event per segment; one the browser stopped sends nothing more.
 */
const REPLACED_SILENT_MS = 5_000;

/**
 * A download streamed by the Service Worker: resolves once it sent the last byte; fails
 * `ABORTED` when the worker that serves it falls silent (STALL_MS; REPLACED_SILENT_MS once another
 * worker took control of the page).
 */
async function download(link: ServiceWorkerLink, url: string, secret: Secret, o: SaveOptions): Promise<SaveResult> {
  let settle: { resolve: (n: number) => void; reject: (e: unknown) => void } | undefined;
  const finished = new Promise<number>((resolve, reject) => {
    settle = { resolve, reject };
  });
  let started = false;
  let total = 0;
  let stall: ReturnType<typeof setTimeout> | undefined;
  let replaced = false;
  const silent = () =>
    settle?.reject(
      new StreamV2Error(
        'ABORTED',
        replaced
          ? 'the Service Worker was replaced during the download and stopped sending it'
          : 'the Service Worker stopped sending the download',
      ),
    );
  const listen = () => {
    clearTimeout(stall);
    stall = setTimeout(silent, replaced ? REPLACED_SILENT_MS : STALL_MS);
  };
  const onEvent = (e: ServedEvent) => {
    listen();
    if (e.type === 'start') started = true;
    else if (e.type === 'progress') o.onProgress?.({ bytes: e.sent, total });
    else if (e.type === 'done') settle?.resolve(e.sent);
    else if (e.type === 'failed') settle?.reject(e.error);
    else if (e.type === 'cancelled') settle?.reject(new StreamV2Error('ABORTED', 'the download was cancelled'));
  };
  const d = await link.register(url, secret, {
    filename: o.filename,
    type: o.type ?? 'application/octet-stream',
    disposition: 'attachment',
    expiresInMs: 60_000,
    headers: o.headers ?? {},
    onEvent,
  });
  total = d.plaintextSize;
  const onAbort = () => settle?.reject(new StreamV2Error('ABORTED', "aborted by the caller's signal"));
  o.signal?.addEventListener('abort', onAbort, { once: true });
  // A new worker took over: the old one's response either goes on to its end (its events keep
  // coming) or is gone with it (silence), so the download now fails after a short silence.
  const sw = globalThis.navigator?.serviceWorker;
  const onReplaced = () => {
    if (!started) return;
    replaced = true;
    listen();
  };
  sw?.addEventListener('controllerchange', onReplaced);
  const noStart = setTimeout(() => {
    if (!started)
      settle?.reject(new StreamV2Error('UNSUPPORTED', 'the browser did not ask the Service Worker for the download'));
  }, 30_000);
  // A navigation of a hidden frame, which the worker answers as an attachment: Chromium sends
  // the request of an <a download> click to the network, past the worker.
  const frame = document.createElement('iframe');
  frame.hidden = true;
  frame.src = d.url;
  document.body.append(frame);
  try {
    return { method: 'service-worker', bytes: await finished };
  } finally {
    setTimeout(() => frame.remove(), 60_000); // the browser's download outlives its frame; let it settle
    clearTimeout(noStart);
    clearTimeout(stall);
    sw?.removeEventListener('controllerchange', onReplaced);
    o.signal?.removeEventListener('abort', onAbort);
    d.revoke();
  }
}

function clickDownload(href: string, name: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
}
