/** The demo page: wires the three sections (upload, stored files, read back). */
import type { Secret } from '../src/browser.js';
import type { ErrorAnswer } from './answers.js';
import { fileInfo, remember, serverConfig, storedFiles } from './catalog.js';
import { row } from './list.js';
import { play } from './player.js';
import { readRange } from './read.js';
import { saveFile } from './save.js';
import { pageKey, readPasted, shareLink } from './secret.js';
import type { FileInfo } from './store.js';
import { byId, el, hex, showError } from './ui.js';
import { startUpload } from './upload.js';

const uploads = byId('uploads');
const pass = byId<HTMLInputElement>('send-pass');
const readKey = byId<HTMLInputElement>('read-key');
const select = byId<HTMLSelectElement>('read-file');
let files: FileInfo[] = [];
/** The file the read form should show once the list has it (after an upload, a pasted link). */
let wanted = new URLSearchParams(location.hash.slice(1)).get('file') ?? '';
const config = await serverConfig();

const mode = () => (document.querySelector('input[name=secret]:checked') as HTMLInputElement).value;

function sendSecret(): Secret | undefined {
  if (mode() === 'key') return pageKey();
  if (!pass.value) {
    // Its own spot: the note about the key stays as it was.
    showError(byId('pass-note'), new Error('Type a passphrase first.'), 'No passphrase');
    return undefined;
  }
  byId('pass-note').replaceChildren();
  return { passphrase: pass.value };
}

function noteKey(): void {
  pass.disabled = mode() === 'key';
  byId('pass-note').replaceChildren();
  byId('key-note').textContent =
    mode() === 'key'
      ? 'A random key is kept in this page’s address (after #), which browsers never send to a server. Keep the share link: it is the only way to read the files.'
      : 'The passphrase is stretched with scrypt; you will need it to read the files.';
}

function upload(list: File[]): void {
  const secret = sendSecret();
  if (!secret) return;
  for (const file of list) {
    void startUpload(file, secret, uploads, {
      shareLink: (url) => (secret instanceof Uint8Array ? shareLink(url, secret) : undefined),
      // Remembered from its creation: where the list is off, an unfinished upload still shows.
      created: (url) => remember(url),
      finished: (url, s) => {
        remember(url);
        fillReadForm(url.split('/').pop() as string, s);
      },
      maxSize: config.maxSize,
      unfinished: async (name, size) =>
        (await storedFiles(config))
          .filter((f) => !f.finished && f.name === name && f.size === size)
          .sort((a, b) => (b.created ?? '').localeCompare(a.created ?? '')),
      info: fileInfo,
    });
  }
}

/** After an upload: the read form shows that file, with its key. */
function fillReadForm(id: string, secret: Secret): void {
  wanted = id;
  readKey.value = secret instanceof Uint8Array ? hex(secret) : '';
  byId<HTMLInputElement>('read-pass').value = '';
  void refresh();
}

async function refresh(): Promise<void> {
  const note = byId('list-note');
  try {
    files = await storedFiles(config);
    note.replaceChildren();
  } catch {
    // Offline, or the server is down: the last list stays, and says it may be old.
    note.textContent =
      'The file list could not be refreshed (the server does not answer); it is tried again every 3 s.';
    return;
  }
  const rows = byId('file-rows');
  if (files.length === 0) {
    const text = config.list
      ? 'Nothing yet.'
      : 'Nothing yet. (This server keeps its file list to itself: files uploaded from this browser, or opened by a share link, show here.)';
    rows.replaceChildren(el('tr', {}, el('td', { colspan: '5', class: 'hint' }, text)));
    return;
  }
  rows.replaceChildren(...files.map((f) => row(f, { tamper: config.tamper, check: verify, flip: tamper })));
  const done = files.filter((f) => f.finished);
  const chosen = (done.some((f) => f.id === wanted) ? wanted : '') || select.value;
  select.replaceChildren(...done.map((f) => el('option', { value: f.id }, `${f.name} (${f.id.slice(0, 8)})`)));
  if (done.some((f) => f.id === chosen)) select.value = chosen;
  if (select.value === wanted) wanted = '';
}

const verify = (id: string) => void post(id, 'verify');
const tamper = (id: string) => void post(id, 'tamper');

async function post(id: string, what: 'verify' | 'tamper'): Promise<void> {
  try {
    const res = await fetch(`/api/files/${id}/${what}`, { method: 'POST' });
    if (!res.ok) showError(byId('status'), new Error(await answerError(res)), what);
  } catch (e) {
    showError(byId('status'), e, what);
  }
  await refresh();
}

/** The sentence of a server's error answer (demo/answers.ts), or its status when it has none. */
async function answerError(res: Response): Promise<string> {
  const body = (await res.json().catch(() => undefined)) as Partial<ErrorAnswer> | undefined;
  return body?.message ? `${body.message} (${body.code})` : `the server answered ${res.status}`;
}

function readSecret(): Secret | undefined {
  const passphrase = byId<HTMLInputElement>('read-pass').value;
  if (passphrase) return { passphrase };
  const pasted = readPasted(readKey.value);
  if (!pasted) {
    const why = new Error('Paste the key (64 hex digits) or the share link, or type the passphrase.');
    showError(byId('read-out'), why, 'No key');
  }
  return pasted?.key;
}

/** A share link pasted into the Key field: its key stays in the field, its file is picked. */
readKey.addEventListener('input', () => {
  const pasted = readPasted(readKey.value);
  if (!pasted || /^[0-9a-f]{64}$/i.test(readKey.value.trim())) return;
  readKey.value = hex(pasted.key);
  if (pasted.file) {
    remember(`/files/${pasted.file}`);
    wanted = pasted.file;
    void refresh();
  }
});

/** A file the person picks wins over one the form was still waiting to show (the 3 s refresh would undo the pick). */
select.addEventListener('change', () => {
  wanted = '';
});

function chosenFile(): FileInfo | undefined {
  return files.find((f) => f.id === select.value);
}

byId<HTMLInputElement>('files').onchange = (e) => {
  const input = e.target as HTMLInputElement;
  upload(Array.from(input.files ?? []));
  input.value = '';
};
byId('generate').onclick = () => {
  const mib = Number(byId<HTMLInputElement>('gen-mib').value);
  const note = byId('gen-note');
  if (!Number.isInteger(mib) || mib < 1 || mib > 4096) {
    note.textContent = 'Type a whole number of MiB from 1 to 4096.';
    return;
  }
  note.textContent = '';
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
if (shared.get('key')) readKey.value = shared.get('key') as string;
noteKey();
// The speed e2e's baselines (demo/bench.ts), in their own chunk: a person's page never loads them.
if (new URLSearchParams(location.search).has('bench')) void import('./bench.js');
void refresh();
setInterval(() => void refresh(), 3000);
