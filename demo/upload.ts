/**
 * Encrypt and upload one file with tus. tus reads the ciphertext from one encryptBlob().stream()
 * (demo/chunks.ts). The resume state (header, sizes, segment digests; never the key) is kept in
 * localStorage under the tus fingerprint, so a reload continues with the proof that the file
 * is the same one; where the page has no state (another device, a cleared localStorage) but
 * the server holds part of the upload, the state is derived from those bytes without the key
 * (resumeStateFrom) and the same proof runs. Offline, the upload waits for the connection;
 * a server that does not answer is tried again every 10 s; a refusal is said in a sentence.
 * An upload to recipients (demo/recipients.ts) resumes within the page only: its file key is
 * in no link and no storage, so a reload starts it afresh.
 */
import { type DetailedError, Upload } from 'tus-js-client';
import {
  type BlobEncryption,
  ciphertextSize,
  encryptBlob,
  httpRangeSource,
  type Recipients,
  resumeStateFrom,
  type Secret,
  StreamV2Error,
} from '../src/browser.js';
import { Card, type UploadFigures } from './card.js';
import { CiphertextChunks } from './chunks.js';
import { bytes } from './format.js';
import { keepOwner, putEnvelope, type Sealed, sealTo } from './recipients.js';
import type { FileInfo } from './store.js';

const STATE_PREFIX = 'stream-v2-demo:state:';
/**
 * Bytes per tus PATCH: each PATCH waits a round trip and the server's answer before the next
 * starts, so fewer, larger ones keep the line busier; an interruption loses at most one chunk,
 * and the page holds two (one sent, one read ahead).
 */
export const CHUNK = 16 * 1024 * 1024;
/** How long to wait before trying a server that does not answer again. */
export const RETRY_MS = 10_000;

/** Same name and size: a different file under that name is caught by the resume proof. */
const fingerprintOf = (file: File) => `stream-v2-demo:${file.name}:${file.size}`;

export interface UploadHooks {
  /** The share link once the upload finished (random key, or recipients: no secret in it). */
  shareLink(uploadUrl: string): string | undefined;
  /** The server made the upload at this URL (the page remembers it where the list is off). */
  created(uploadUrl: string): void;
  /** The upload finished at this upload URL (with its envelope stored, for recipients). */
  finished(uploadUrl: string, secret: Secret | Recipients): void;
  /** The server's upload limit in bytes of ciphertext (GET /api/config). */
  maxSize: number;
  /** Unfinished uploads on the server with this name and ciphertext size, newest first. */
  unfinished(name: string, size: number): Promise<FileInfo[]>;
  /** What the server says of one upload now. */
  info(id: string): Promise<FileInfo | undefined>;
}

/** What the upload starts from. */
interface Opened {
  enc: BlobEncryption;
  /** An upload on the server to continue (its state was derived from it). */
  uploadUrl?: string;
  /** To recipients: the envelope to store once the upload is finished. */
  sealed?: Sealed;
}

/**
 * Starts (or resumes) the upload of `file`, drawing its card into `list`.
 *
 * @param fresh - start a new upload even if the server holds part of one of this file
 */
export async function startUpload(
  file: File,
  secret: Secret | Recipients,
  list: HTMLElement,
  hooks: UploadHooks,
  fresh = false,
): Promise<void> {
  const card = new Card(file, list);
  const fingerprint = fingerprintOf(file);
  const again = () => forget(fingerprint) && startUpload(file, secret, list, hooks, true);
  const toRecipients = typeof secret === 'object' && 'recipients' in secret;
  let opened: Opened;
  try {
    opened = toRecipients
      ? await sealTo(file, [...(secret as Recipients).recipients])
      : await open(file, secret as Secret, card, hooks, fingerprint, fresh);
  } catch (e) {
    card.fail(e, toRecipients ? 'Cannot encrypt to these recipients' : 'Cannot resume');
    if (!toRecipients) card.offerStartOver(again);
    return;
  }
  const { enc, sealed } = opened;
  if (enc.ciphertextSize > hooks.maxSize) {
    // Said here, before a byte is sent: the server would answer the creation with 413.
    enc.close();
    const limit = `${bytes(hooks.maxSize)} (${hooks.maxSize} bytes)`;
    card.fail(
      new Error(`${bytes(enc.ciphertextSize)} of ciphertext is more than this server takes: ${limit}.`),
      'Too large',
    );
    return;
  }
  let started = performance.now();
  const figures: UploadFigures = {
    encrypted: 0,
    sent: 0,
    total: enc.ciphertextSize,
    elapsed: 0,
    segments: 0,
    runStart: -1,
  };
  const chunks = new CiphertextChunks(enc, CHUNK, (end) => {
    figures.encrypted = Math.max(figures.encrypted, end);
    const state = enc.resumeState();
    // Without the file key a saved state resumes nothing: an upload to recipients keeps none.
    if (!sealed) localStorage.setItem(STATE_PREFIX + fingerprint, JSON.stringify(state));
    figures.segments = Object.keys(state.digests).length;
  });
  let retry: ReturnType<typeof setTimeout> | undefined;
  let paused = false;
  const goOn = () => {
    clearTimeout(retry);
    removeEventListener('online', goOn);
    if (paused) return;
    card.uploading();
    card.status('Uploading…');
    upload.start();
  };
  const upload = new Upload(file, {
    endpoint: '/files/',
    uploadUrl: opened.uploadUrl ?? null,
    chunkSize: CHUNK,
    uploadSize: enc.ciphertextSize,
    // The owner token's hash: only who holds the token may store the envelope (demo/envelopes.ts).
    metadata: sealed ? { filename: file.name, owner: sealed.owner } : { filename: file.name },
    retryDelays: [0, 1000, 3000],
    // An encryption failure is not the network's: trying again gives the same answer.
    onShouldRetry: (err) => !libraryError(err) && navigator.onLine && !refused(err),
    storeFingerprintForResuming: !sealed,
    removeFingerprintOnSuccess: true,
    fingerprint: async () => fingerprint,
    fileReader: {
      openFile: async () => ({
        size: chunks.size,
        slice(start: number, end: number) {
          if (figures.runStart < 0) figures.runStart = start; // what the server held when this run began
          return chunks.slice(start, end);
        },
        close: () => chunks.close(),
      }),
    },
    onUploadUrlAvailable() {
      if (!upload.url) return;
      hooks.created(upload.url);
      if (sealed) keepOwner(upload.url.split('/').pop() as string, sealed);
    },
    onProgress(sent) {
      figures.sent = sent;
      figures.elapsed = (performance.now() - started) / 1000;
      card.progress(figures);
    },
    async onSuccess() {
      forget(fingerprint);
      enc.close();
      figures.elapsed = (performance.now() - started) / 1000;
      const url = upload.url as string;
      const id = url.split('/').pop() as string;
      if (sealed && !(await storeEnvelope(card, id, sealed))) return;
      card.done({ ...figures, runStart: Math.max(0, figures.runStart) }, hooks.shareLink(url), !!sealed);
      hooks.finished(url, secret);
      void watchCheck(card, hooks, id);
    },
    onError(e) {
      const cause = libraryError(e);
      if (cause) return card.fail(cause, 'Encryption failed');
      const status = statusOf(e);
      if (status === undefined || status >= 500) {
        // Not a refusal: the connection or the server is down. Wait, then go on from the
        // server's offset (tus asks it with HEAD).
        if (!navigator.onLine) {
          card.waiting('Offline: the upload will resume when the connection is back.', goOn);
          addEventListener('online', goOn);
        } else {
          const why = status === undefined ? 'The server does not answer' : `The server failed (HTTP ${status})`;
          card.waiting(`${why}: trying again every ${RETRY_MS / 1000} s.`, goOn);
          retry = setTimeout(goOn, RETRY_MS);
        }
        return;
      }
      card.fail(new Error(refusal(status, hooks.maxSize)), 'The server refused the upload');
      if (status === 404 || status === 410) card.offerStartOver(again);
    },
  });
  if (!opened.uploadUrl && !sealed) {
    const previous = await upload.findPreviousUploads();
    if (localStorage.getItem(STATE_PREFIX + fingerprint) && previous[0]) {
      upload.resumeFromPreviousUpload(previous[0]);
      card.status('Resuming the upload where the server stopped…');
    }
  }
  card.onPause(
    () => {
      paused = true;
      clearTimeout(retry);
      void upload.abort();
    },
    () => {
      paused = false;
      started = performance.now() - figures.elapsed * 1000;
      goOn();
    },
  );
  card.uploading();
  upload.start();
}

/** The encryption to upload: resumed from the saved state, from the server's bytes, or new. */
async function open(
  file: File,
  secret: Secret,
  card: Card,
  hooks: UploadHooks,
  fingerprint: string,
  fresh: boolean,
): Promise<Opened> {
  const saved = localStorage.getItem(STATE_PREFIX + fingerprint);
  if (saved) {
    card.status('Resuming: checking that this is the same file…');
    return { enc: await encryptBlob(file, secret, { resume: JSON.parse(saved) }) };
  }
  // The default layout's size: an upload this page made of this file has it.
  const [held] = fresh ? [] : await hooks.unfinished(file.name, ciphertextSize(file.size)).catch(() => []);
  if (!held || held.offset === 0) return { enc: await encryptBlob(file, secret) };
  card.status(
    `The server holds ${bytes(held.offset)} of an unfinished upload of this file: checking its segments (no key needed)…`,
  );
  const state = await resumeStateFrom(await httpRangeSource(`/api/files/${held.id}/received`), file);
  // Not one whole segment on the server: nothing to prove the file by, nothing worth keeping.
  if (Object.keys(state.digests).length === 0) return { enc: await encryptBlob(file, secret) };
  card.status('Resuming: checking that this is the same file, with this key…');
  return { enc: await encryptBlob(file, secret, { resume: state }), uploadUrl: `/files/${held.id}` };
}

/** Stores the envelope of a finished upload to recipients; on a failure the card offers to try again. */
async function storeEnvelope(card: Card, id: string, sealed: Sealed): Promise<boolean> {
  card.status('Uploaded; storing the key envelope…');
  for (;;) {
    try {
      await putEnvelope(id, sealed.envelope, sealed.token);
      return true;
    } catch (e) {
      card.fail(e, 'The key envelope was not stored (the file cannot be read without it)');
      await new Promise<void>((again) => card.offerRetry(again));
    }
  }
}

/** Polls the server until its keyless check of the upload gave a verdict; shows it on the card. */
async function watchCheck(card: Card, hooks: UploadHooks, id: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const info = await hooks.info(id).catch(() => undefined);
    if (info?.verdict && !info.checking) return card.serverCheck(info);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function forget(fingerprint: string): true {
  localStorage.removeItem(STATE_PREFIX + fingerprint);
  return true;
}

/** The library's error behind a tus error (an encryption that failed while tus read a chunk). */
function libraryError(e: unknown): StreamV2Error | undefined {
  for (let x = e, i = 0; x && i < 5; x = (x as DetailedError).causingError, i++) {
    if (StreamV2Error.is(x)) return x;
  }
  return undefined;
}

function statusOf(e: unknown): number | undefined {
  const status = (e as Partial<DetailedError>).originalResponse?.getStatus();
  return status ? status : undefined;
}

/** A 4xx answer tus itself does not retry (409 and 423 it does). */
function refused(e: unknown): boolean {
  const s = statusOf(e);
  return s !== undefined && s >= 400 && s < 500 && s !== 409 && s !== 423;
}

/** A person's sentence for a server's refusal (tus's own text is for developers). */
function refusal(status: number, maxSize: number): string {
  if (status === 413) return `The server takes uploads of at most ${bytes(maxSize)} of ciphertext.`;
  if (status === 404 || status === 410)
    return 'The server no longer has this upload. Start over to upload the file again.';
  if (status === 409)
    return 'The server holds another part of this upload than the page sent. Reload and pick the file again to resume.';
  return `The server refused the upload (HTTP ${status}).`;
}
