/** Small DOM and text helpers of the demo page. */
import { StreamV2Error } from '../src/browser.js';

/** Creates an element with text and attributes. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

/** The element with this id (the page's own markup: it exists). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

/** What each failure code means to a person. */
const MEANING: Record<string, string> = {
  WRONG_KEY: 'The key, passphrase or identity is wrong (or the file header is damaged).',
  AUTH_FAILED:
    'Decrypting with the key found a frame that fails its authentication: the stored bytes were changed after encryption (this is the keyed check, which only a holder of the key can run).',
  DIGEST_MISMATCH:
    'A segment does not match its digest: the stored bytes were changed after encryption (this is the keyless check, which the server runs without the key).',
  TRUNCATED: 'The file is incomplete: it ends before its last segment.',
  TRAILING_DATA: 'The file has extra bytes after its end.',
  BAD_HEADER: 'This is not a stream-v2 file, or its header is damaged.',
  BAD_FRAME: 'The file is damaged: a frame is out of place.',
  UNSUPPORTED: 'This file uses a format version or cipher this page does not know.',
  LIMIT_EXCEEDED: 'The file asks for more memory or work than this page allows.',
  SOURCE_CHANGED:
    'This is not the file the interrupted upload was made from (it changed, or another file has the same name). Start over to upload it as a new file.',
  BAD_ARGUMENT: 'A value given to the library is not valid.',
  WORKER_FAILED: 'A background worker stopped. Reload the page and try again.',
  ABORTED: 'Stopped.',
};

/** What a failure code means to a person (the file list says it beside a failed verdict). */
export function meaning(code: string | undefined): string | undefined {
  return code === undefined ? undefined : MEANING[code];
}

/** A person's sentence for an error; for the library's errors, its code, segment and own message. */
export function explain(e: unknown): { text: string; code?: string; segment?: number; message?: string } {
  if (StreamV2Error.is(e)) {
    const text = MEANING[e.code];
    // The library's message starts with its code, which the page shows on its own already.
    const own = e.message.startsWith(`${e.code}: `) ? e.message.slice(e.code.length + 2) : e.message;
    return { text: text ?? own, code: e.code, segment: e.segmentIndex, message: text ? own : undefined };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { text: message || 'Something went wrong.' };
}

/**
 * Shows an error in `box`: the sentence, then the code, the segment and the library's own
 * message (which says what exactly: `the range must satisfy 0 <= start <= end <= 16777216`).
 *
 * @param sentence - said instead of the code's usual sentence, where the place knows better
 *   (an identity that opens no stanza, a browser without WebAuthn PRF)
 */
export function showError(box: HTMLElement, e: unknown, what: string, sentence?: string): void {
  const d = explain(e);
  if (sentence) {
    d.message ??= d.text !== sentence ? d.text : undefined;
    d.text = sentence;
  }
  const detail: Array<Node | string> = [];
  if (d.code) detail.push(' ', el('code', { 'data-code': d.code }, d.code));
  if (d.segment !== undefined) detail.push(` in segment ${d.segment}`);
  if (d.message) detail.push(': ', el('span', { 'data-role': 'message' }, d.message));
  box.replaceChildren(el('div', { class: 'error', role: 'alert' }, el('strong', {}, `${what}: `), d.text, ...detail));
  console.error(e);
}

export function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export function fromHex(h: string): Uint8Array | undefined {
  const t = h.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(t)) return undefined;
  return Uint8Array.from(t.match(/../g) as string[], (x) => Number.parseInt(x, 16));
}

/** The first bytes of `data` as a hex dump (for range reads). */
export function dump(data: Uint8Array, max = 64): string {
  const lines: string[] = [];
  for (let i = 0; i < Math.min(data.length, max); i += 16) {
    lines.push(hex(data.subarray(i, Math.min(i + 16, data.length, max))).replace(/(..)/g, '$1 '));
  }
  return lines.join('\n') + (data.length > max ? `\n… ${data.length - max} more bytes` : '');
}
