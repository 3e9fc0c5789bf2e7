/**
 * Files encrypted to recipients, in the page (docs/RECIPIENTS.md): the upload is a plain
 * stream under a fresh random file key, and its key envelope (sealEnvelope) goes to the server
 * apart, beside the ciphertext (demo/envelopes.ts), so the share link carries no secret. The
 * page makes a random owner token per upload; the tus creation carries its SHA-256 and only a
 * PUT with the token itself may store or replace the envelope. This browser keeps the token
 * and the recipient list (the stanzas carry no recipient id, §2) to re-wrap later.
 */
import { type BlobEncryption, encryptBlob, openEnvelope, rewrap, StreamV2Error, sealEnvelope } from '../src/browser.js';
import type { ErrorAnswer } from './answers.js';
import { myIdentity, myPasskey } from './identity.js';
import { hex } from './ui.js';

const OWNER_PREFIX = 'stream-v2-demo:owner:';

/** An upload to recipients, before and after it is made. */
export interface Sealed {
  envelope: Uint8Array;
  /** The owner token (64 hex digits): kept by this browser, never in a link. */
  token: string;
  /** Its SHA-256 in hex: the tus creation's `owner` metadata. */
  owner: string;
  recipients: string[];
}

/** How a reader opens an envelope: this browser's identity, or its passkey. */
export type Opener = 'identity' | 'passkey';

/** The public keys of the upload form: pasted ones (one a line, `#` comments), then "me", "my passkey". */
export async function chosenRecipients(text: string, me: boolean, passkey: boolean): Promise<string[]> {
  const list = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (me) {
    const id = await myIdentity();
    if (!id) throw new Error('This browser has no identity yet: make one (section 0), or untick “me”.');
    list.push(id.publicKey);
  }
  if (passkey) {
    const pk = await myPasskey();
    if (!pk) throw new Error('This browser has no passkey yet: create one (section 0), or untick “my passkey”.');
    list.push(pk);
  }
  if (list.length === 0) throw new Error('Paste at least one public key, or tick “me” or “my passkey”.');
  // The library's own check of every key (a typo fails its Bech32 checksum: BAD_ARGUMENT),
  // before any upload; passkeys are left out here, as sealing to one asks the authenticator.
  const keys = list.filter((k) => !k.startsWith('s2passkey1'));
  if (keys.length > 0) (await encryptBlob(new Blob([]), { recipients: keys }, { workers: 0 })).close();
  return list;
}

/** A new encryption of `file` under a fresh file key, and the envelope that seals the key to `recipients`. */
export async function sealTo(file: File, recipients: string[]): Promise<{ enc: BlobEncryption; sealed: Sealed }> {
  const fileKey = crypto.getRandomValues(new Uint8Array(32));
  const enc = await encryptBlob(file, fileKey);
  try {
    const envelope = await sealEnvelope(fileKey, enc.header.bytes, recipients);
    const token = hex(crypto.getRandomValues(new Uint8Array(32)));
    const owner = hex(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))));
    return { enc, sealed: { envelope, token, owner, recipients } };
  } catch (e) {
    enc.close();
    throw e;
  }
}

/** What this browser keeps of an upload it made to recipients. */
interface Owned {
  token: string;
  recipients: string[];
}

/** Keeps the owner token and recipients of upload `id`. */
export function keepOwner(id: string, s: Pick<Sealed, 'token' | 'recipients'>): void {
  localStorage.setItem(OWNER_PREFIX + id, JSON.stringify({ token: s.token, recipients: s.recipients }));
}

/** The owner token and recipients of upload `id`, where this browser made it. */
export function owned(id: string): Owned | undefined {
  try {
    const o = JSON.parse(localStorage.getItem(OWNER_PREFIX + id) ?? 'null') as Partial<Owned> | null;
    return o && typeof o.token === 'string' && Array.isArray(o.recipients) ? (o as Owned) : undefined;
  } catch {
    return undefined;
  }
}

const envelopeUrl = (id: string) => `/api/files/${encodeURIComponent(id)}/envelope`;

/** Stores (or replaces) the envelope of upload `id` on the server. */
export async function putEnvelope(id: string, envelope: Uint8Array, token: string): Promise<void> {
  const res = await fetch(envelopeUrl(id), {
    method: 'PUT',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/octet-stream' },
    body: envelope as Uint8Array<ArrayBuffer>,
  });
  if (!res.ok) {
    const body = (await res.json().catch(() => undefined)) as Partial<ErrorAnswer> | undefined;
    throw new Error(body?.message ? `${body.message} (${body.code})` : `the server answered ${res.status}`);
  }
}

async function getEnvelope(id: string): Promise<Uint8Array> {
  const res = await fetch(envelopeUrl(id));
  if (!res.ok) throw new Error(`the server has no key envelope for this file (HTTP ${res.status})`);
  return new Uint8Array(await res.arrayBuffer());
}

/** What opens an envelope here: the identity's secret key, or the passkey. */
async function opener(how: Opener): Promise<string | { passkey: true }> {
  if (how === 'passkey') return { passkey: true };
  const id = await myIdentity();
  if (!id) throw new Error('This browser has no identity: make or import one (section 0).');
  return id.secretKey;
}

/**
 * The file key of upload `id`, from its envelope: the raw key every read takes (save, play,
 * range: all of them go through openEncrypted with it).
 * @throws StreamV2Error `WRONG_KEY` when no stanza opens with this identity or passkey
 */
export async function fileKeyOf(id: string, how: Opener): Promise<Uint8Array> {
  return (await openEnvelope(await getEnvelope(id), await opener(how))).fileKey;
}

/**
 * Re-wraps upload `id` to `recipients` (they replace every stanza) and stores the new envelope;
 * the ciphertext is not touched. Needs the owner token and an identity (or passkey) that opens
 * the current envelope.
 */
export async function rewrapTo(id: string, how: Opener, recipients: string[]): Promise<void> {
  const mine = owned(id);
  if (!mine) throw new Error('Only the browser that uploaded this file holds its owner token.');
  const next = await rewrap(await getEnvelope(id), await opener(how), recipients);
  await putEnvelope(id, next, mine.token);
  keepOwner(id, { token: mine.token, recipients });
}

/** Whether `e` is the library's WRONG_KEY (no stanza opens). */
export const wrongKey = (e: unknown) => StreamV2Error.is(e) && e.code === 'WRONG_KEY';
