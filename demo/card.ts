/**
 * One upload's card: the plaintext file's size, bars for the ciphertext encrypted and
 * uploaded, the rate of this run, the share link with a Copy button, and the server's keyless
 * verdict once it is in. Every figure says what it counts.
 */
import { bytes, rate, seconds } from './format.js';
import type { FileInfo } from './store.js';
import { el, showError } from './ui.js';

/** Where an upload stands, for the progress line. */
export interface UploadFigures {
  /** Ciphertext bytes encrypted so far (read from the encryption). */
  encrypted: number;
  /** Ciphertext bytes on the server (tus's count: this run's and what was there before). */
  sent: number;
  /** The whole ciphertext. */
  total: number;
  /** Seconds since this run started. */
  elapsed: number;
  /** Segments encrypted. */
  segments: number;
  /** Ciphertext bytes the server held when this run started (0 for a new upload). */
  runStart: number;
}

export class Card {
  readonly root: HTMLElement;
  private readonly encryptedBar = el('progress', { max: '1', value: '0', 'aria-label': 'encrypted' });
  private readonly sentBar = el('progress', { max: '1', value: '0', 'aria-label': 'uploaded' });
  private readonly encryptedText = el('span');
  private readonly sentText = el('span');
  private readonly stats = el('div', { class: 'stats', 'data-role': 'stats' });
  private readonly line = el('div', { class: 'stats', 'data-role': 'status' });
  private readonly check = el('div', { class: 'stats', 'data-role': 'server-check' });
  private readonly button = el('button', { type: 'button', class: 'secondary', 'data-role': 'pause' }, 'Pause');
  private action: () => void = () => {};
  private pauseAction: () => void = () => {};

  constructor(file: File, list: HTMLElement) {
    this.root = el(
      'div',
      { class: 'card', 'data-file': file.name },
      el(
        'h3',
        {},
        el('span', {}, file.name),
        el('span', { class: 'hint', 'data-role': 'plaintext-size' }, `plaintext file: ${bytes(file.size)}`),
      ),
      el('div', { class: 'bar' }, 'Encrypted', this.encryptedBar, this.encryptedText),
      el('div', { class: 'bar' }, 'Uploaded', this.sentBar, this.sentText),
      this.stats,
      this.line,
      this.check,
      el('div', { class: 'row' }, this.button),
    );
    this.button.onclick = () => this.action();
    list.prepend(this.root);
  }

  status(text: string): void {
    this.line.textContent = text;
  }

  progress(f: UploadFigures): void {
    this.encryptedBar.value = f.encrypted / f.total;
    this.encryptedText.textContent = `${Math.floor((100 * f.encrypted) / f.total)} %`;
    this.sentBar.value = f.sent / f.total;
    this.sentText.textContent = `${Math.floor((100 * f.sent) / f.total)} %`;
    const run = f.sent - f.runStart;
    const speed = run / Math.max(f.elapsed, 1e-3);
    const before = f.runStart > 0 ? ` (${bytes(f.runStart)} were on the server before this run)` : '';
    this.stats.textContent =
      `ciphertext uploaded: ${bytes(f.sent)} of ${bytes(f.total)}${before} · ${rate(run, f.elapsed)} · ` +
      `ETA ${seconds((f.total - f.sent) / speed)} · ${f.segments} segments encrypted`;
  }

  /** The button pauses (`pause`) and then resumes (`resume`) the upload. */
  onPause(pause: () => void, resume: () => void): void {
    this.pauseAction = () => {
      this.button.textContent = 'Resume';
      this.status('Paused.');
      this.action = () => {
        this.uploading();
        this.status('Uploading…');
        resume();
      };
      pause();
    };
    this.uploading();
  }

  /** The upload waits (offline, or the server does not answer): say why; the button tries at once. */
  waiting(text: string, now: () => void): void {
    this.root.dataset.state = 'waiting';
    this.status(text);
    this.button.textContent = 'Resume now';
    this.action = now;
  }

  /** The upload is going: the button pauses it. */
  uploading(): void {
    this.root.dataset.state = 'uploading';
    this.button.textContent = 'Pause';
    this.action = this.pauseAction;
  }

  /** @param sealed - encrypted to recipients: the link holds no secret */
  done(f: UploadFigures, link?: string, sealed = false): void {
    this.button.remove();
    this.progress({ ...f, sent: f.total, encrypted: f.total });
    this.root.dataset.state = 'done';
    const run = f.total - f.runStart;
    const how = `${f.elapsed.toFixed(1)} s (${rate(run, f.elapsed)}, encrypt + upload)`;
    const said =
      f.runStart > 0
        ? el(
            'span',
            { 'data-role': 'run', 'data-bytes': String(run) },
            `This run sent ${bytes(run)} of ciphertext in ${how}; ${bytes(f.runStart)} were already on the server.`,
          )
        : el('span', { 'data-role': 'run', 'data-bytes': String(run) }, `${bytes(run)} of ciphertext in ${how}.`);
    this.line.replaceChildren(el('span', { class: 'ok' }, 'Uploaded. '), said);
    this.check.textContent = 'Server check (keyless): checking…';
    if (link) this.root.append(shareBox(link, sealed));
  }

  /** The server's keyless verdict of the stored file, once it is in. */
  serverCheck(info: FileInfo): void {
    const v = info.verdict;
    if (!v || info.checking) return;
    this.check.dataset.verdict = v.ok ? 'OK' : (v.code ?? 'FAILED');
    this.check.replaceChildren(
      'Server check (keyless): ',
      v.ok
        ? el('span', { class: 'ok' }, `OK, ${v.segments} segments match their digests`)
        : el('span', { class: 'bad' }, `FAILED: ${v.code} in segment ${v.segmentIndex}`),
    );
  }

  fail(e: unknown, what: string): void {
    this.root.dataset.state = 'failed';
    this.button.remove();
    showError(this.line, e, what);
  }

  /** After a failure: a button that calls `again` once (the card goes back to its work). */
  offerRetry(again: () => void): void {
    const b = el('button', { type: 'button', class: 'secondary', 'data-role': 'retry' }, 'Try again');
    const row = el('div', { class: 'row' }, b);
    b.onclick = () => {
      row.remove();
      this.root.dataset.state = 'uploading';
      again();
    };
    this.root.append(row);
  }

  /** After a failure: a button that starts the file again as a new upload. */
  offerStartOver(again: () => unknown): void {
    const b = el('button', { type: 'button', class: 'secondary' }, 'Start over as a new upload');
    b.onclick = () => {
      this.root.remove();
      void again();
    };
    this.root.append(el('div', { class: 'row' }, b));
  }
}

/** The share link as a link, with a button that copies it. */
function shareBox(link: string, sealed: boolean): HTMLElement {
  const copy = el('button', { type: 'button', class: 'secondary', 'data-role': 'copy' }, 'Copy');
  const a = el('a', { href: link, 'data-role': 'share-link' }, link);
  copy.onclick = async () => {
    try {
      await navigator.clipboard.writeText(link);
      copy.textContent = 'Copied';
    } catch {
      // No clipboard permission (an insecure origin, a browser that asks): select it for Ctrl+C.
      getSelection()?.selectAllChildren(a);
      copy.textContent = 'Selected: press Ctrl+C';
    }
  };
  return el(
    'div',
    { class: 'link', 'data-role': 'share' },
    el(
      'div',
      { class: 'hint' },
      sealed
        ? 'Share link (no secret in it: only the identities and passkeys it was encrypted to open the file):'
        : 'Share link (the key is after #; whoever has the link can read the file):',
    ),
    a,
    ' ',
    copy,
  );
}
