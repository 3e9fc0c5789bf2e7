/**
 * "Your identity": this browser's key pair for files encrypted to it (docs/RECIPIENTS.md §4),
 * kept in IndexedDB (the secret key never leaves the browser but by Export), and its passkey
 * (a WebAuthn credential with PRF, whose secret stays in the authenticator: IndexedDB keeps
 * only its `s2passkey1…` recipient, the credential id). Export writes the CLI's identity file
 * (`stream-v2 keygen --recipient`); Import reads one and checks that its two keys go together.
 */
import {
  createPasskey,
  encryptBlob,
  generateIdentity,
  type IdentityKeys,
  openEncrypted,
  StreamV2Error,
} from '../src/browser.js';
import { byId, el, showError } from './ui.js';

const DB = 'stream-v2-demo';
const STORE = 'keys';

/**
 * Opens the database; for a read (`create` false) where there is none yet, resolves to
 * undefined without making one: aborting the upgrade of a database that did not exist deletes it
 * (IndexedDB 3.0, "open a database connection"), so a visitor who never makes an identity leaves
 * nothing stored in this origin.
 */
function database(create: boolean): Promise<IDBDatabase | undefined> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    let absent = false;
    req.onupgradeneeded = () => {
      if (create) req.result.createObjectStore(STORE);
      else {
        absent = true;
        req.transaction?.abort();
      }
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => (absent ? resolve(undefined) : reject(req.error));
  });
}

async function stored<T>(name: string, value?: T | null): Promise<T | undefined> {
  const db = await database(value !== undefined && value !== null);
  if (!db) return undefined; // nothing stored yet: nothing to read or delete
  try {
    return await new Promise<T | undefined>((resolve, reject) => {
      const tx = db.transaction(STORE, value === undefined ? 'readonly' : 'readwrite');
      const store = tx.objectStore(STORE);
      const req = value === undefined ? store.get(name) : value === null ? store.delete(name) : store.put(value, name);
      tx.oncomplete = () => resolve(value === undefined ? (req.result as T | undefined) : undefined);
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

/** This browser's identity, if it has one. */
export const myIdentity = () => stored<IdentityKeys>('identity');
/** This browser's passkey recipient (`s2passkey1…`), if it made one. */
export const myPasskey = () => stored<string>('passkey');

/** The CLI's identity file (src/cli/recipients.ts): a comment with the public key, then the secret key. */
export function identityFile(id: IdentityKeys): string {
  return `# stream-v2 ${id.type} identity\n# public key: ${id.publicKey}\n${id.secretKey}\n`;
}

/**
 * Reads an identity file: its secret key, and its public key from the `# public key:` comment;
 * the pair is checked by sealing an empty stream to the one and opening it with the other.
 * @throws StreamV2Error `BAD_ARGUMENT` (a malformed key), `WRONG_KEY` (keys of two identities)
 */
export async function readIdentityFile(text: string): Promise<IdentityKeys> {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const publicKey = lines
    .find((l) => l.startsWith('# public key:'))
    ?.slice('# public key:'.length)
    .trim();
  const secrets = lines.filter((l) => l !== '' && !l.startsWith('#'));
  if (!publicKey || secrets.length !== 1) {
    throw new Error('An identity file holds one secret key and a "# public key:" line (as Export writes it).');
  }
  const secretKey = secrets[0] as string;
  const enc = await encryptBlob(new Blob([]), { recipients: [publicKey] }, { workers: 0 });
  try {
    const file = await openEncrypted(new Blob([(await enc.read(0, enc.ciphertextSize)) as Uint8Array<ArrayBuffer>]), {
      identity: secretKey,
    });
    file.close();
  } finally {
    enc.close();
  }
  return { type: publicKey.startsWith('s2pkpq1') ? 'x-wing' : 'x25519', publicKey, secretKey };
}

/** Draws the section from what IndexedDB holds. */
async function show(): Promise<void> {
  const id = await myIdentity();
  const passkey = await myPasskey();
  const pub = byId<HTMLTextAreaElement>('id-public');
  pub.value = id?.publicKey ?? '';
  byId('id-keys').hidden = !id;
  byId('id-type-now').textContent = id ? (id.type === 'x-wing' ? 'post-quantum hybrid (X-Wing)' : 'X25519') : '';
  for (const b of ['id-export', 'id-forget']) byId<HTMLButtonElement>(b).disabled = !id;
  byId('passkey-now').textContent = passkey
    ? `This browser has a passkey: ${passkey.slice(0, 24)}…`
    : 'No passkey yet.';
  byId('passkey-now').dataset.passkey = passkey ?? '';
}

async function act(what: string, job: () => Promise<unknown>, sentence?: (e: unknown) => string | undefined) {
  const note = byId('id-note');
  note.replaceChildren();
  try {
    await job();
  } catch (e) {
    showError(note, e, what, sentence?.(e));
  }
  await show();
}

/** Wires the section's buttons. */
export function setupIdentity(): void {
  byId('id-make').onclick = () =>
    act('No identity made', async () => {
      if (
        (await myIdentity()) &&
        !confirm('Replace this browser’s identity? Files encrypted to it only will not open.')
      )
        return;
      const pq = byId<HTMLSelectElement>('id-type').value === 'pq';
      await stored('identity', await generateIdentity({ pq }));
    });
  byId('id-copy').onclick = () => void navigator.clipboard.writeText(byId<HTMLTextAreaElement>('id-public').value);
  byId('id-export').onclick = () =>
    act('Export failed', async () => {
      const id = await myIdentity();
      if (!id) return;
      const a = el('a', { download: 'stream-v2-identity.txt' });
      a.href = URL.createObjectURL(new Blob([identityFile(id)], { type: 'text/plain' }));
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    });
  byId<HTMLInputElement>('id-import').onchange = (e) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (file) void act('Import refused', async () => stored('identity', await readIdentityFile(await file.text())));
  };
  byId('id-forget').onclick = () =>
    act('Forget failed', async () => {
      if (confirm('Forget this browser’s identity? Without an exported copy, files encrypted to it only are lost.'))
        await stored('identity', null);
    });
  byId('passkey-make').onclick = () =>
    act(
      'No passkey',
      async () => stored('passkey', await createPasskey({ name: 'stream-v2 demo' })),
      // The library's UNSUPPORTED, said for this place: the browser's or authenticator's lack,
      // or an address WebAuthn takes no passkey for (an IP address is no relying party id).
      (e) => {
        if (!StreamV2Error.is(e) || e.code !== 'UNSUPPORTED') return undefined;
        if (/SecurityError/.test(e.message)) {
          return `Passkeys need this page at a domain name (localhost, or a domain over HTTPS), not ${location.hostname}.`;
        }
        return 'This browser or its authenticator cannot make a passkey with the WebAuthn PRF extension, which passkey recipients need.';
      },
    );
  void show();
}
