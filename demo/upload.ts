/**
 * Encrypt and upload one file: the tus upload reads the ciphertext through encryptBlob().slice(),
 * so any offset tus asks for is sealed on demand by the worker pool. The resume state (header,
 * sizes, segment digests; never the key) is kept in localStorage under the tus fingerprint, so a
 * reload can continue with which proves the file is the same one.
 */
import { Upload } from 'tus-js-client';
import { type BlobEncryption, encryptBlob, type ResumeState, type Secret } from '../src/browser.js';
import { bytes, el, seconds, showError } from './ui.js';

const STATE_PREFIX = 'stream-v2-demo:state:';
/** Bytes per tus PATCH: large enough for speed, small enough that an interruption loses little. */
const CHUNK = 8 * 1024 * 1024;

/** Same name and size: a different file under that name is caught by the resume proof. */
const fingerprintOf = (file: File) => `stream-v2-demo:${file.name}:${file.size}`;

export interface UploadHooks {
  /** The share link once the upload finished (random key only). */
  shareLink(uploadUrl: string): string | undefined;
  /** The upload finished at this upload URL. */
  finished(uploadUrl: string | null): void;
  /** The server's upload limit in bytes of ciphertext (GET /api/config). */
  maxSize: number;
}

/** Starts (or resumes) the upload of `file`, drawing its card into `list`. */
export async function startUpload(file: File, secret: Secret, list: HTMLElement, hooks: UploadHooks): Promise<void> {
  const card = new Card(file, list);
  const fingerprint = fingerprintOf(file);
  let enc: BlobEncryption;
  const saved = localStorage.getItem(STATE_PREFIX + fingerprint);
  try {
    if (saved) {
      card.status('Resuming: checking that this is the same file…');
      enc = await encryptBlob(file, secret, { resume: JSON.parse(saved) as ResumeState });
    } else {
      enc = await encryptBlob(file, secret);
    }
  } catch (e) {
    card.fail(e, saved ? 'Cannot resume' : 'Cannot encrypt');
    if (saved) card.offerStartOver(() => forget(fingerprint) && startUpload(file, secret, list, hooks));
    return;
  }
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
  const started = performance.now();
  let sealed = 0;
  let ahead: { start: number; end: number; bytes: Promise<Uint8Array> } | undefined;
  let segments = 0;
  const upload = new Upload(file, {
    endpoint: '/files/',
    chunkSize: CHUNK,
    uploadSize: enc.ciphertextSize,
    metadata: { filename: file.name },
    retryDelays: [0, 1000, 3000, 5000],
    storeFingerprintForResuming: true,
    removeFingerprintOnSuccess: true,
    fingerprint: async () => fingerprint,
    fileReader: {
      openFile: async () => ({
        size: enc.ciphertextSize,
        async slice(start: number, end: number) {
          const e = Math.min(end, enc.ciphertextSize);
          const value = await (ahead?.start === start && ahead.end === e ? ahead.bytes : enc.read(start, e));
          // tus asks for its chunks in order: seal the next one while this one uploads.
          const next = Math.min(e + CHUNK, enc.ciphertextSize);
          ahead = e < enc.ciphertextSize ? { start: e, end: next, bytes: enc.read(e, next) } : undefined;
          ahead?.bytes.catch(() => {}); // a failure shows when tus asks for that chunk
          sealed = Math.max(sealed, e);
          const state = enc.resumeState();
          localStorage.setItem(STATE_PREFIX + fingerprint, JSON.stringify(state));
          segments = Object.keys(state.digests).length;
          card.progress(sealed, undefined, enc.ciphertextSize, undefined, segments);
          // tus measures a chunk by its `size`: a Blob (the browser's XHR sends it as is).
          return { value: new Blob([value as Uint8Array<ArrayBuffer>]), done: e >= enc.ciphertextSize };
        },
        close() {},
      }),
    },
    onProgress(sent, total) {
      card.progress(sealed, sent, total, (performance.now() - started) / 1000, segments);
    },
    onSuccess() {
      forget(fingerprint);
      enc.close();
      const link = upload.url ? hooks.shareLink(upload.url) : undefined;
      card.done(enc.ciphertextSize, (performance.now() - started) / 1000, segments, link);
      hooks.finished(upload.url);
    },
    onError(e) {
      card.fail(e, 'Upload stopped');
    },
  });
  const previous = await upload.findPreviousUploads();
  if (saved && previous[0]) {
    upload.resumeFromPreviousUpload(previous[0]);
    card.status('Resuming the upload where the server stopped…');
  }
  card.onPause(
    () => void upload.abort(),
    () => upload.start(),
  );
  upload.start();
}

function forget(fingerprint: string): true {
  localStorage.removeItem(STATE_PREFIX + fingerprint);
  return true;
}

/** One upload's card: progress bars for sealed and uploaded bytes, MB/s, ETA, segments. */
class Card {
  private readonly root: HTMLElement;
  private readonly sealedBar = el('progress', { max: '1', value: '0', 'aria-label': 'sealed' });
  private readonly sentBar = el('progress', { max: '1', value: '0', 'aria-label': 'uploaded' });
  private readonly sealedText = el('span');
  private readonly sentText = el('span');
  private readonly stats = el('div', { class: 'stats' });
  private readonly line = el('div', { class: 'stats', 'data-role': 'status' });
  private readonly pause = el('button', { type: 'button', class: 'secondary' }, 'Pause');

  constructor(
    private readonly file: File,
    list: HTMLElement,
  ) {
    this.root = el(
      'div',
      { class: 'card', 'data-file': file.name },
      el('h3', {}, el('span', {}, file.name), el('span', { class: 'hint' }, bytes(file.size))),
      el('div', { class: 'bar' }, 'Sealed', this.sealedBar, this.sealedText),
      el('div', { class: 'bar' }, 'Uploaded', this.sentBar, this.sentText),
      this.stats,
      this.line,
      el('div', { class: 'row' }, this.pause),
    );
    list.prepend(this.root);
  }

  status(text: string): void {
    this.line.textContent = text;
  }

  progress(sealed: number, sent: number | undefined, total: number, elapsed?: number, segments = 0): void {
    this.sealedBar.value = sealed / total;
    this.sealedText.textContent = `${Math.floor((100 * sealed) / total)} %`;
    if (sent === undefined || elapsed === undefined) return;
    this.sentBar.value = sent / total;
    this.sentText.textContent = `${Math.floor((100 * sent) / total)} %`;
    const rate = sent / Math.max(elapsed, 1e-3);
    this.stats.textContent = `${bytes(sent)} of ${bytes(total)} · ${(rate / 1e6).toFixed(1)} MB/s · ETA ${seconds((total - sent) / rate)} · ${segments} segments sealed`;
  }

  onPause(pause: () => void, resume: () => void): void {
    let paused = false;
    this.pause.onclick = () => {
      paused = !paused;
      this.pause.textContent = paused ? 'Resume' : 'Pause';
      this.status(paused ? 'Paused.' : 'Uploading…');
      (paused ? pause : resume)();
    };
  }

  done(size: number, elapsed: number, segments: number, link?: string): void {
    this.pause.remove();
    this.progress(size, size, size, elapsed, segments);
    this.root.dataset.state = 'done';
    this.line.replaceChildren(
      el('span', { class: 'ok' }, 'Uploaded. '),
      `${bytes(size)} of ciphertext in ${elapsed.toFixed(1)} s (${(size / elapsed / 1e6).toFixed(1)} MB/s, encrypt + upload).`,
    );
    if (link) this.root.append(el('div', { class: 'link', 'data-role': 'share' }, link));
  }

  fail(e: unknown, what: string): void {
    this.root.dataset.state = 'failed';
    showError(this.line, e, what);
  }

  offerStartOver(again: () => unknown): void {
    const b = el('button', { type: 'button', class: 'secondary' }, 'Start over as a new upload');
    b.onclick = () => {
      this.root.remove();
      void again();
    };
    this.pause.replaceWith(b);
    void this.file;
  }
}
