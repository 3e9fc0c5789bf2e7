/**
 * A player for stored audio and video: the element's src is a Service Worker URL
 * (stream-v2/service-worker), so it plays and seeks with Range requests that the worker answers
 * from the covering segments only, decrypted and verified.
 */
import type { Secret } from '../src/browser.js';
import type { DecryptedUrl } from '../src/service-worker/page.js';
import { bytes } from './format.js';
import { serviceWorkerLink } from './save.js';
import { el, showError } from './ui.js';

const MEDIA: Record<string, string> = {
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/ogg',
  flac: 'audio/flac',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  webm: 'video/webm',
  mkv: 'video/x-matroska',
  mov: 'video/quicktime',
  ogv: 'video/ogg',
};

/** The media type of a file name that looks like audio or video, else undefined. */
export function mediaType(name: string): string | undefined {
  return MEDIA[name.split('.').pop()?.toLowerCase() ?? ''];
}

let playing: DecryptedUrl | undefined;

/** Shows a player for the stored file at `url` in `out` (a link for other files); the last one's URL is revoked. */
export async function play(url: string, name: string, secret: Secret, out: HTMLElement): Promise<void> {
  const type = mediaType(name) ?? 'application/octet-stream';
  const box = el('div', { class: 'card', 'data-role': 'player' }, 'Opening…');
  out.replaceChildren(box);
  playing?.revoke();
  playing = undefined;
  const served = el('div', { class: 'stats', 'data-role': 'served', 'data-requests': '0', 'data-sent': '0' });
  let requests = 0;
  let sent = 0;
  /** Each response: its first byte and the bytes sent so far. */
  const ranges = new Map<number, [number, number]>();
  const note = () => {
    served.dataset.requests = String(requests);
    served.dataset.sent = String(sent);
    served.dataset.ranges = JSON.stringify([...ranges].map(([n, [a, b]]) => [n, a, b]));
    served.textContent = `${requests} range requests answered by the Service Worker, ${bytes(sent)} of plaintext sent`;
  };
  try {
    const link = await serviceWorkerLink();
    playing = await link.register(url, secret, {
      filename: name,
      type,
      disposition: 'inline',
      onEvent: (e) => {
        if (e.type === 'start') {
          requests++;
          ranges.set(e.request, [e.start, 0]);
        } else {
          const r = ranges.get(e.request);
          if (r) r[1] = e.sent;
          if (e.type !== 'progress') sent += e.sent;
        }
        if (e.type === 'failed') showError(served, e.error, 'A response failed');
        else note();
      },
    });
    const open = el('a', { href: playing.url, target: '_blank', 'data-role': 'decrypted-url' }, `Open ${name}`);
    const parts: Array<Node | string> = [];
    if (mediaType(name)) {
      const media = el(type.startsWith('audio/') ? 'audio' : 'video', { controls: '', preload: 'metadata' });
      media.src = playing.url;
      media.onerror = () =>
        showError(served, new Error(`the ${media.tagName.toLowerCase()} could not be played`), 'Playback failed');
      parts.push(media);
    }
    note();
    box.replaceChildren(
      ...parts,
      el(
        'div',
        { class: 'hint' },
        open,
        ' (decrypted and verified segment by segment by the Service Worker; the key never leaves this browser)',
      ),
      served,
    );
  } catch (e) {
    showError(box, e, 'Opening failed');
  }
}
