/**
 * A player for stored audio and video: the element's src is a Service Worker URL
 * (stream-v2/service-worker), so it plays and seeks with Range requests that the worker answers
 * from the covering segments only, decrypted and verified.
 */
import type { Secret } from '../src/browser.js';
import type { DecryptedUrl } from '../src/service-worker/page.js';
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

/** Shows a player for the stored file at `url` in `out` (the last player's URL is revoked). */
export async function play(url: string, name: string, secret: Secret, out: HTMLElement): Promise<void> {
  const type = mediaType(name) ?? 'application/octet-stream';
  const box = el('div', { class: 'card', 'data-role': 'player' }, 'Opening…');
  out.replaceChildren(box);
  playing?.revoke();
  playing = undefined;
  try {
    const link = await serviceWorkerLink();
    playing = await link.register(url, secret, { filename: name, type, disposition: 'inline' });
    const media = el(type.startsWith('audio/') ? 'audio' : 'video', { controls: '', preload: 'metadata' });
    media.src = playing.url;
    media.onerror = () =>
      showError(box, new Error(`the ${media.tagName.toLowerCase()} could not be played`), 'Playback failed');
    box.replaceChildren(media, el('div', { class: 'hint' }, `${name}: decrypted segment by segment as it plays.`));
  } catch (e) {
    showError(box, e, 'Playback failed');
  }
}
