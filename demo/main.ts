/** The demo page: wires the three sections (upload, stored files, read back). */
import type { Secret } from '../src/browser.js';
import type { ErrorAnswer } from './answers.js';
import { remember, serverConfig, storedFiles } from './catalog.js';
import { play } from './player.js';
import { readRange } from './read.js';
import { saveFile } from './save.js';
import type { FileInfo } from './store.js';
import { byId, bytes, el, fromHex, hex, showError } from './ui.js';
import { startUpload } from './upload.js';

const uploads = byId('uploads');
const pass = byId<HTMLInputElement>('send-pass');
let files: FileInfo[] = [];
const config = await serverConfig();

/** The random key of this page lives in its address fragment (never sent to a server), so a reload keeps it. */
function pageKey(): Uint8Array {
  const found = fromHex(new URLSearchParams(location.hash.slice(1)).get('key') ?? '');
  if (found) return found;
  const key = crypto.getRandomValues(new Uint8Array(32));
  const params = new URLSearchParams(location.hash.slice(1));
  params.set('key', hex(key));
  history.replaceState(null, '', `#${params}`);
  return key;
}

function sendSecret(): Secret | undefined {
  const mode = (document.querySelector('input[name=secret]:checked') as HTMLInputElement).value;
  if (mode === 'key') return pageKey();
  if (!pass.value) {
    showError(byId('key-note'), new Error('Type a passphrase first.'), 'No passphrase');
    return undefined;
  }
  return { passphrase: pass.value };
}

function noteKey(): void {
  const mode = (document.querySelector('input[name=secret]:checked') as HTMLInputElement).value;
  pass.disabled = mode === 'key';
  byId('key-note').textContent =
    mode === 'key'
      ? 'A random key is kept in this page’s address (after #), which browsers never send to a server. Keep the share link: it is the only way to read the files.'
      : 'The passphrase is stretched with scrypt; you will need it to read the files.';
}

function upload(list: File[]): void {
  const secret = sendSecret();
  if (!secret) return;
  for (const file of list) {
    void startUpload(file, secret, uploads, {
      shareLink: (url) =>
        secret instanceof Uint8Array
          ? `${location.origin}${location.pathname}#file=${url.split('/').pop()}&key=${hex(secret)}`
          : undefined,
      finished: (url) => {
        if (url) remember(url);
        void refresh();
      },
      maxSize: config.maxSize,
    });
  }
}

async function refresh(): Promise<void> {
  files = await storedFiles(config);
  const rows = byId('file-rows');
  if (files.length === 0) {
    const note = config.list
      ? 'Nothing yet.'
      : 'Nothing yet. (This server keeps its file list to itself: files uploaded from this browser, or opened by a share link, show here.)';
    rows.replaceChildren(el('tr', {}, el('td', { colspan: '4', class: 'hint' }, note)));
    return;
  }
  rows.replaceChildren(...files.map(row));
  const select = byId<HTMLSelectElement>('read-file');
  const chosen = select.value || new URLSearchParams(location.hash.slice(1)).get('file') || '';
  select.replaceChildren(...files.map((f) => el('option', { value: f.id }, f.name)));
  if (files.some((f) => f.id === chosen)) select.value = chosen;
}

function row(f: FileInfo): HTMLElement {
  const v = f.verdict;
  const verdict = !v
    ? el('span', { class: 'hint' }, !f.finished ? `uploading (${bytes(f.offset)})` : 'not checked')
    : v.ok
      ? el('span', { class: 'ok' }, `OK · ${v.segments} segments`)
      : el('span', { class: 'bad' }, `FAILED: ${v.code} in segment ${v.segmentIndex}`);
  const check = el('button', { type: 'button', class: 'secondary' }, 'Check');
  check.onclick = () => void post(f.id, 'verify');
  const buttons: Array<Node | string> = [check];
  // The server flips bytes only in demo mode (DEMO_TAMPER=1): no button that can only fail.
  if (config.tamper) {
    const tamper = el('button', { type: 'button', class: 'danger' }, 'Flip a byte');
    tamper.onclick = () => void post(f.id, 'tamper');
    buttons.push(' ', tamper);
  }
  return el(
    'tr',
    { 'data-id': f.id, 'data-name': f.name, 'data-verdict': v ? (v.ok ? 'OK' : (v.code ?? 'FAILED')) : '' },
    el('td', {}, f.name),
    el('td', {}, bytes(f.size)),
    el('td', { 'data-role': 'verdict' }, verdict),
    el('td', {}, ...buttons),
  );
}

async function post(id: string, what: 'verify' | 'tamper'): Promise<void> {
  const res = await fetch(`/api/files/${id}/${what}`, { method: 'POST' });
  if (!res.ok) showError(byId('status'), new Error(await answerError(res)), what);
  await refresh();
}

/** The sentence of a server's error answer (demo/answers.ts), or its status when it has none. */
async function answerError(res: Response): Promise<string> {
  const body = (await res.json().catch(() => undefined)) as Partial<ErrorAnswer> | undefined;
  return body?.message ? `${body.message} (${body.code})` : `the server answered ${res.status}`;
}

function readSecret(): Secret | undefined {
  const key = byId<HTMLInputElement>('read-key').value;
  const passphrase = byId<HTMLInputElement>('read-pass').value;
  if (passphrase) return { passphrase };
  const k = fromHex(key);
  if (!k)
    showError(
      byId('read-out'),
      new Error('Paste the key from the share link (64 hex digits) or type the passphrase.'),
      'No key',
    );
  return k;
}

function chosenFile(): FileInfo | undefined {
  const id = byId<HTMLSelectElement>('read-file').value;
  return files.find((f) => f.id === id);
}

byId<HTMLInputElement>('files').onchange = (e) => {
  const input = e.target as HTMLInputElement;
  upload(Array.from(input.files ?? []));
  input.value = '';
};
byId('generate').onclick = () => {
  const mib = Math.max(1, Math.min(4096, Number(byId<HTMLInputElement>('gen-mib').value) || 1));
  const parts: Uint8Array<ArrayBuffer>[] = [];
  for (let i = 0; i < mib; i++) {
    const part = new Uint8Array(1024 * 1024);
    for (let j = 0; j < part.length; j += 65536) crypto.getRandomValues(part.subarray(j, j + 65536));
    parts.push(part);
  }
  upload([new File(parts, `random-${mib}MiB-${Date.now()}.bin`)]);
};
for (const r of document.querySelectorAll<HTMLInputElement>('input[name=secret]')) r.onchange = noteKey;
byId('read-all').onclick = () => {
  const f = chosenFile();
  const s = readSecret();
  if (f && s) void saveFile(`/files/${f.id}`, f.name, s, byId('read-out'));
};
byId('read-play').onclick = () => {
  const f = chosenFile();
  const s = readSecret();
  if (f && s) void play(`/files/${f.id}`, f.name, s, byId('read-out'));
};
byId('read-range').onclick = () => {
  const f = chosenFile();
  const s = readSecret();
  const start = Number(byId<HTMLInputElement>('range-start').value) || 0;
  const endText = byId<HTMLInputElement>('range-end').value;
  if (f && s)
    void readRange(`/files/${f.id}`, s, start, endText === '' ? undefined : Number(endText), byId('read-out'));
};
byId('read-tail').onclick = () => {
  const f = chosenFile();
  const s = readSecret();
  if (f && s) void readRange(`/files/${f.id}`, s, -1024 * 1024, undefined, byId('read-out'));
};

const shared = new URLSearchParams(location.hash.slice(1));
if (shared.get('key')) byId<HTMLInputElement>('read-key').value = shared.get('key') as string;
noteKey();
void refresh();
setInterval(() => void refresh(), 3000);
