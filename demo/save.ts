/**
 * Saving a stored file to disk from the demo page, at any size (stream-v2/service-worker/page):
 * into a file picked with showSaveFilePicker where the browser has it, else as a download that
 * the demo's Service Worker (demo/sw.ts) decrypts and streams. Nothing is collected in memory.
 */
import type { Secret } from '../src/browser.js';
import { connectServiceWorker, type ServiceWorkerLink, saveDecrypted } from '../src/service-worker/page.js';
import { bytes } from './format.js';
import { el, showError } from './ui.js';

let link: Promise<ServiceWorkerLink> | undefined;

/** The page's link to the demo's Service Worker (demo/main.ts asks for it at load). */
export function serviceWorkerLink(): Promise<ServiceWorkerLink> {
  link ??= (async () => {
    const registration = await navigator.serviceWorker.register('./sw.js', { type: 'module', scope: './' });
    return connectServiceWorker({ registration });
  })();
  link.catch(() => {
    link = undefined; // try again next time
  });
  return link;
}

/** Saves the plaintext of the stored file at `url` to disk, with progress. */
export async function saveFile(url: string, name: string, secret: Secret, out: HTMLElement): Promise<void> {
  const bar = el('progress', { max: '1', value: '0' });
  const line = el('div', { class: 'stats' }, 'Saving…');
  const card = el('div', { class: 'card', 'data-role': 'save', 'data-state': 'saving' }, bar, line);
  out.replaceChildren(card);
  const started = performance.now();
  try {
    // The picker first: it needs the click's user activation.
    const result = await saveDecrypted(url, secret, {
      filename: name,
      link:
        typeof (globalThis as { showSaveFilePicker?: unknown }).showSaveFilePicker === 'function'
          ? undefined
          : await serviceWorkerLink(),
      onProgress: (p) => {
        bar.value = p.total ? p.bytes / p.total : 1;
        line.textContent = `${bytes(p.bytes)} of ${bytes(p.total)} decrypted, verified and saved`;
      },
    });
    const s = (performance.now() - started) / 1000;
    bar.value = 1;
    line.replaceChildren(
      el('span', { class: 'ok' }, 'Decrypted and verified. '),
      `${bytes(result.bytes)} saved in ${s.toFixed(1)} s (${result.method === 'picker' ? 'to the file you picked' : 'as a download'}).`,
    );
    card.dataset.state = 'done';
    card.dataset.method = result.method;
    card.dataset.size = String(result.bytes);
  } catch (e) {
    card.dataset.state = 'failed';
    showError(line, e, 'Save failed');
    // Only a failure inside the segments has segments before it (a wrong key fails at the header).
    const k = (e as { segmentIndex?: number }).segmentIndex;
    if (k !== undefined) {
      line.append(
        el(
          'div',
          { class: 'hint' },
          `${k} segments verified before the failure; nothing of a failing segment is released.`,
        ),
      );
    }
  }
}
