/**
 * The page's keys: the random key kept in the page's address fragment (never sent to a
 * server), the share link that carries a file id and that key, and what a person may paste
 * into the Key field: 64 hex digits or a whole share link.
 */
import { fromHex, hex } from './ui.js';

/** The parameters of an address fragment (`#file=…&key=…`). */
function fragment(hash: string): URLSearchParams {
  return new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
}

/** The random key of this page; made and put in its address on first use, so a reload keeps it. */
export function pageKey(): Uint8Array {
  const params = fragment(location.hash);
  const found = fromHex(params.get('key') ?? '');
  if (found) return found;
  const key = crypto.getRandomValues(new Uint8Array(32));
  params.set('key', hex(key));
  history.replaceState(null, '', `#${params}`);
  return key;
}

/** The share link of an upload: this page, with the file's id and the key after `#`. */
export function shareLink(uploadUrl: string, key: Uint8Array): string {
  const id = uploadUrl.split('/').pop() ?? '';
  return `${location.origin}${location.pathname}#file=${id}&key=${hex(key)}`;
}

/** The share link of an upload to recipients: this page with the file's id, and no secret. */
export function fileLink(uploadUrl: string): string {
  return `${location.origin}${location.pathname}#file=${uploadUrl.split('/').pop() ?? ''}`;
}

/** What a pasted key or share link holds: the key, and the file id when a link names one. */
export interface Pasted {
  key: Uint8Array;
  file?: string;
}

/**
 * Reads what was typed or pasted into the Key field: 64 hex digits, or a share link (any text
 * with a `#…key=…` fragment, e.g. the whole address); undefined when it holds no key.
 */
export function readPasted(text: string): Pasted | undefined {
  const t = text.trim();
  const bare = fromHex(t);
  if (bare) return { key: bare };
  const at = t.indexOf('#');
  if (at < 0) return undefined;
  const params = fragment(t.slice(at));
  const key = fromHex(params.get('key') ?? '');
  if (!key) return undefined;
  const file = params.get('file') ?? undefined;
  return file && /^[0-9a-f]+$/.test(file) ? { key, file } : { key };
}
