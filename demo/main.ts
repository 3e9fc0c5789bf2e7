/** The demo page: wires the sections (identity, upload, stored files, read back). */
import type { Recipients, Secret } from '../src/browser.js';
import type { ErrorAnswer } from './answers.js';
import { fileInfo, remember, serverConfig, storedFiles } from './catalog.js';
import { myIdentity, myPasskey, setupIdentity } from './identity.js';
import { row } from './list.js';
import { play } from './player.js';
import { readRange } from './read.js';
import { chosenRecipients, fileKeyOf, type Opener, owned, rewrapTo, wrongKey } from './recipients.js';
import { saveFile, serviceWorkerLink } from './save.js';
import { fileLink, pageKey, readPasted, shareLink } from './secret.js';
import type { FileInfo } from './store.js';
import { byId, el, hex, showError } from './ui.js';
import { startUpload } from './upload.js';

const uploads = byId('uploads');
const pass = byId<HTMLInputElement>('send-pass');
const readKey = byId<HTMLInputElement>('read-key');
const select = byId<HTMLSelectElement>('read-file');
const readWith = byId<HTMLSelectElement>('read-with');
let files: FileInfo[] = [];
/** The file the read form should show once the list has it (after an upload, a pasted link). */
let wanted = new URLSearchParams(location.hash.slice(1)).get('file') ?? '';
const config = await serverConfig();

const mode = () => (document.querySelector('input[name=secret]:checked') as HTMLInputElement).value;

async function sendSecret(): Promise<Secret | Recipients | undefined> {
  if (mode() === 'key') return pageKey();
  if (mode() === 'recipients') {
    try {
      const text = byId<HTMLTextAreaElement>('send-recipients').value;
      const me = byId<HTMLInputElement>('send-me').checked;
      const recipients = await chosenRecipients(text, me, byId<HTMLInputElement>('send-passkey').checked);
      byId('pass-note').replaceChildren();
      return { recipients };
    } catch (e) {
      // A typo in a key fails its checksum: the library's BAD_ARGUMENT says which one, before any upload.
      showError(byId('pass-note'), e, 'Recipients refused');
      return undefined;
    }
  }
  if (!pass.value) {
    // Its own spot: the note about the key stays as it was.
    showError(byId('pass-note'), new Error('Type a passphrase first.'), 'No passphrase');
    return undefined;
  }
  byId('pass-note').replaceChildren();
  return { passphrase: pass.value };
}

const NOTES: Record<string, string> = {
  key: 'A random key is kept in this page’s address (after #), which browsers never send to a server. Keep the share link: it is the only way to read the files.',
  passphrase: 'The passphrase is stretched with scrypt; you will need it to read the files.',
  recipients:
    'A fresh file key is sealed to each public key (a key envelope the server keeps beside the ciphertext, and cannot open); the share link holds no secret. Only these recipients read the files. Such an upload resumes within this page, not after a reload.',
};

function noteKey(): void {
  pass.disabled = mode() !== 'passphrase';
  byId('recipients-box').hidden = mode() !== 'recipients';
  byId('pass-note').replaceChildren();
  byId('key-note').textContent = NOTES[mode()] ?? '';
}

async function upload(list: File[]): Promise<void> {
  const secret = await sendSecret();
  if (!secret) return;
  for (const file of list) {
    void startUpload(file, secret, uploads, {
      shareLink: (url) =>
        secret instanceof Uint8Array ? shareLink(url, secret) : 'recipients' in secret ? fileLink(url) : undefined,
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

/** After an upload: the read form shows that file, with its key (or how it opens: identity, passkey). */
function fillReadForm(id: string, secret: Secret | Recipients): void {
  wanted = id;
  readKey.value = secret instanceof Uint8Array ? hex(secret) : '';
  byId<HTMLInputElement>('read-pass').value = '';
  if ('recipients' in secret) readWith.value = byId<HTMLInputElement>('send-me').checked ? 'identity' : 'passkey';
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
  void syncChosen();
}

let lastChosen: string | undefined;
/** A newly chosen file: "Open with" follows whether it has a key envelope; its owner may re-wrap it. */
async function syncChosen(): Promise<void> {
  const f = chosenFile();
  // Its envelope counts too: a file listed before its envelope is stored is chosen again after.
  const now = f && `${f.id}:${f.envelope ?? ''}`;
  if (now === lastChosen) return;
  // The same file with a new envelope (after a re-wrap) keeps what the note said.
  if (!f || !lastChosen?.startsWith(`${f.id}:`)) byId('rewrap-note').replaceChildren();
  lastChosen = now;
  const sealed = f?.envelope !== undefined;
  if (!sealed) readWith.value = 'key';
  else if (readWith.value === 'key')
    readWith.value = (await myIdentity()) || !(await myPasskey()) ? 'identity' : 'passkey';
  const mine = f && sealed ? owned(f.id) : undefined;
  byId('rewrap').hidden = !mine;
  if (mine) byId<HTMLTextAreaElement>('rewrap-list').value = mine.recipients.join('\n');
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

/** How the chosen file opens: its key or passphrase, or the file key its envelope gives this identity or passkey. */
async function readSecret(f: FileInfo): Promise<Secret | undefined> {
  const how = readWith.value;
  if (how === 'identity' || how === 'passkey') {
    const out = byId('read-out');
    if (f.envelope === undefined) {
      showError(
        out,
        new Error('This file was not encrypted to recipients: open it with its key or passphrase.'),
        'No key envelope',
      );
      return undefined;
    }
    try {
      return await fileKeyOf(f.id, how);
    } catch (e) {
      const whose = how === 'passkey' ? 'this browser’s passkey' : 'your identity';
      const sentence = `This file was not encrypted to ${whose} (or a re-wrap removed it): no stanza of its key envelope opens.`;
      showError(out, e, 'Cannot open the file', wrongKey(e) ? sentence : undefined);
      return undefined;
    }
  }
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
  void upload(Array.from(input.files ?? []));
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
  void upload([new File(parts, `random-${mib}MiB-${Date.now()}.bin`)]);
};
for (const r of document.querySelectorAll<HTMLInputElement>('input[name=secret]')) r.onchange = noteKey;
/** A read button: the chosen file and how it opens, then `read`. */
function reading(read: (f: FileInfo, s: Secret) => Promise<void>): () => Promise<void> {
  return async () => {
    const f = chosenFile();
    const s = f && (await readSecret(f));
    if (f && s) await read(f, s);
  };
}
byId('read-all').onclick = reading((f, s) => saveFile(`/files/${f.id}`, f.name, s, byId('read-out')));
byId('read-play').onclick = reading((f, s) => play(`/files/${f.id}`, f.name, s, byId('read-out')));
byId('read-range').onclick = reading((f, s) => {
  const start = Number(byId<HTMLInputElement>('range-start').value) || 0;
  const endText = byId<HTMLInputElement>('range-end').value;
  return readRange(`/files/${f.id}`, s, start, endText === '' ? undefined : Number(endText), byId('read-out'));
});
byId('read-tail').onclick = reading((f, s) =>
  readRange(`/files/${f.id}`, s, -1024 * 1024, undefined, byId('read-out')),
);
select.onchange = () => void syncChosen();
byId('rewrap-go').onclick = async () => {
  const f = chosenFile();
  const note = byId('rewrap-note');
  if (!f) return;
  const list = byId<HTMLTextAreaElement>('rewrap-list')
    .value.split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const how: Opener = readWith.value === 'passkey' ? 'passkey' : 'identity';
  note.textContent = 'Re-wrapping…';
  try {
    await rewrapTo(f.id, how, list);
    note.replaceChildren(
      el(
        'span',
        { class: 'ok', 'data-state': 'done' },
        `Re-wrapped to ${list.length} recipients; the ciphertext is unchanged.`,
      ),
    );
  } catch (e) {
    const sentence =
      'Re-wrapping needs an identity (or passkey) that opens the current envelope; this one opens no stanza.';
    showError(note, e, 'Re-wrap failed', wrongKey(e) ? sentence : undefined);
  }
  void refresh();
};

const shared = new URLSearchParams(location.hash.slice(1));
if (shared.get('key')) readKey.value = shared.get('key') as string;
noteKey();
setupIdentity();
// The speed e2e's baselines (demo/bench.ts), in their own chunk: a person's page never loads them.
if (new URLSearchParams(location.search).has('bench')) void import('./bench.js');
// The Service Worker is registered at load, not at the first save or play: an update of it (a
// new sw.js) installs and takes over now, not in the middle of that first download.
// (serviceWorkerLink handles its own failure: the next use tries again.)
if (navigator.serviceWorker) void serviceWorkerLink();
void refresh();
setInterval(() => void refresh(), 3000);
