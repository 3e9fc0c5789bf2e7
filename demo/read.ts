/**
 * Read one byte range of a stored file back through openEncrypted(httpRangeSource(url)), which
 * fetches only the header and the segments that cover the range. Nothing of a segment is shown
 * before it verified. (The whole file is saved to disk by demo/save.ts, never held in memory.)
 */
import { httpRangeSource, openEncrypted, type RangeSource, type Secret } from '../src/browser.js';
import { bytes } from './format.js';
import { dump, el, showError } from './ui.js';

/** Reads plaintext bytes [start, end) (end undefined: to the end; start < 0: the last -start bytes). */
export async function readRange(
  url: string,
  secret: Secret,
  start: number,
  end: number | undefined,
  out: HTMLElement,
): Promise<void> {
  const box = el('div', { class: 'card', 'data-role': 'read-range' }, 'Reading…');
  out.replaceChildren(box);
  try {
    const counted = counting(await httpRangeSource(url));
    const file = await openEncrypted(counted.source, secret);
    const a = start < 0 ? Math.max(0, file.plaintextSize + start) : start;
    const b = end ?? file.plaintextSize;
    const data = await file.read(a, b);
    box.replaceChildren(
      el('div', {}, el('span', { class: 'ok' }, 'Verified. '), `plaintext bytes ${a}–${b} (${bytes(data.length)})`),
      el(
        'div',
        { class: 'stats', 'data-role': 'fetched', 'data-bytes': String(counted.fetched()) },
        `fetched ${bytes(counted.fetched())} of ${bytes(counted.source.size)} from the server (the header and the covering segments only)`,
      ),
      el('pre', {}, dump(data)),
    );
    box.dataset.sha256 = await sha256(new Blob([data as Uint8Array<ArrayBuffer>]));
    box.dataset.length = String(data.length);
  } catch (e) {
    showError(box, e, 'Range read failed');
  }
}

/** A source that counts the bytes it fetched. */
function counting(inner: RangeSource): { source: RangeSource; fetched: () => number } {
  let n = 0;
  return {
    source: {
      size: inner.size,
      async read(offset: number, length: number) {
        const b = await inner.read(offset, length);
        n += b.length;
        return b;
      },
    },
    fetched: () => n,
  };
}

async function sha256(blob: Blob): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
  return Array.from(d, (x) => x.toString(16).padStart(2, '0')).join('');
}
