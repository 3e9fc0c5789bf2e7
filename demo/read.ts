/**
 * Read a stored file back: the whole file through DecryptSegmentTransform over a streaming
 * fetch, or one byte range through openEncrypted(httpRangeSource(url)), which fetches only the
 * header and the segments that cover the range. Nothing of a segment is shown before it verified.
 */
import {
  DecryptSegmentTransform,
  httpRangeSource,
  openEncrypted,
  type RangeSource,
  type Secret,
  StreamV2Error,
} from '../src/browser.js';
import { bytes } from './format.js';
import { dump, el, showError } from './ui.js';

/** Downloads and decrypts the whole file, with progress; offers the result for saving. */
export async function readAll(url: string, name: string, secret: Secret, out: HTMLElement): Promise<void> {
  const bar = el('progress', { max: '1', value: '0' });
  const line = el('div', { class: 'stats' }, 'Downloading…');
  out.replaceChildren(el('div', { class: 'card', 'data-role': 'read-all' }, bar, line));
  const started = performance.now();
  let total = 0;
  const dec = new DecryptSegmentTransform(secret, {
    onProgress: (t) => {
      bar.value = total ? t.ciphertextBytes / total : 0;
      line.textContent = `${bytes(t.plaintextBytes)} decrypted and verified · ${t.segments} segments`;
    },
  });
  try {
    const res = await fetch(url);
    if (!res.ok || !res.body) throw new Error(`the server answered ${res.status}`);
    total = Number(res.headers.get('content-length') ?? 0);
    // pipeTo rejects with the decoder's own error (a Response would turn it into "Failed to fetch").
    const chunks: BlobPart[] = [];
    await res.body
      .pipeThrough(dec)
      .pipeTo(new WritableStream({ write: (c) => void chunks.push(c as Uint8Array<ArrayBuffer>) }));
    const blob = new Blob(chunks);
    const s = (performance.now() - started) / 1000;
    bar.value = 1;
    const a = el('a', { href: URL.createObjectURL(blob), download: name }, `Save ${name}`);
    line.replaceChildren(
      el('span', { class: 'ok' }, 'Decrypted and verified. '),
      `${bytes(blob.size)} in ${s.toFixed(1)} s · `,
      a,
    );
    out.dataset.size = String(blob.size);
    out.dataset.sha256 = await sha256(blob);
  } catch (e) {
    showError(line, e, 'Download failed');
    // Only a failure inside the segments has segments before it (a wrong key fails at the header).
    if (StreamV2Error.is(e) && e.segmentIndex !== undefined) {
      const n = dec.progress.segments;
      line.append(
        el(
          'div',
          { class: 'hint' },
          `${n} segments verified before the failure; nothing of a failing segment is released.`,
        ),
      );
    }
  }
}

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
