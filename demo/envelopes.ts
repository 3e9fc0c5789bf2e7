/**
 * The key envelopes of files encrypted to recipients (docs/RECIPIENTS.md §1): each is its own
 * small object, `<id>.envelope` beside the ciphertext `<id>`, which stays a plain stream_v2
 * stream under the file key the envelope seals (RECIPIENTS.md §3: "an application may instead
 * keep the envelope apart from the stream"). The server never opens one (it has no identity):
 * it checks the framing (§2 checks 1 to 11, keyless, no crypto) and that the envelope's header
 * copy is the stored stream's first 80 bytes, so a re-wrap cannot point a file at another one.
 *
 * Who may store or replace it: the uploader only. The page makes a random owner token per
 * upload and puts its SHA-256 in the tus creation's metadata (`owner`), which no later request
 * can change; a PUT must carry the token itself (`Authorization: Bearer <64 hex digits>`). An
 * upload made without `owner` takes no envelope.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamV2Error } from 'stream-v2';
// The library's own keyless decoder (pure: no crypto, no I/O), bundled into the server.
import { decodeEnvelope, MAX_ENVELOPE_SIZE } from '../src/recipients/envelope.js';
import { fail, json } from './answers.js';
import type { Files } from './store.js';

/** The stream header's size (FORMAT.md §2), which the envelope carries a copy of. */
const HEADER_SIZE = 80;
/** Where the header copy sits in an envelope: after magic, version, stanza_count, envelope_size. */
const HEADER_AT = 10;
const TOKEN = /^Bearer ([0-9a-f]{64})$/;

/** The SHA-256 of an owner token, in hex: what an upload's `owner` metadata holds. */
export function ownerHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The stored envelope of upload `id`, or undefined. */
export async function readEnvelope(files: Files, id: string): Promise<Buffer | undefined> {
  const path = files.path(id);
  if (!path) return undefined;
  return readFile(`${path}.envelope`).catch(() => undefined);
}

/** GET, HEAD and PUT of /api/files/<id>/envelope. */
export async function envelope(req: IncomingMessage, res: ServerResponse, files: Files, id: string): Promise<void> {
  const info = await files.info(id);
  if (!info) return fail(res, 404, 'NOT_FOUND', 'no such file');
  if (req.method !== 'PUT') {
    const bytes = await readEnvelope(files, id);
    if (!bytes)
      return fail(res, 404, 'NOT_FOUND', 'this file has no key envelope (it was not encrypted to recipients)');
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': bytes.length,
      'Cache-Control': 'no-store',
    });
    return void res.end(req.method === 'HEAD' ? undefined : bytes);
  }
  // Cheap refusals first, before a byte of the body is read.
  const owner = await files.owner(id);
  if (!owner) {
    return fail(res, 403, 'OWNER_ONLY', 'this upload was made without an owner token: it takes no key envelope');
  }
  const token = TOKEN.exec(req.headers.authorization ?? '')?.[1];
  if (!token || !timingSafeEqual(Buffer.from(ownerHash(token), 'hex'), Buffer.from(owner, 'hex'))) {
    return fail(
      res,
      403,
      'OWNER_ONLY',
      'only the uploader (with the owner token of the upload) may store its key envelope',
    );
  }
  if (!info.finished) {
    return fail(res, 409, 'UPLOAD_UNFINISHED', `the upload is not finished (${info.offset} of ${info.size} bytes)`);
  }
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > MAX_ENVELOPE_SIZE) return tooLarge(res);
  const body = await readBody(req, MAX_ENVELOPE_SIZE);
  if (!body) return tooLarge(res);
  try {
    decodeEnvelope(body, true);
  } catch (e) {
    if (!StreamV2Error.is(e)) throw e;
    return fail(res, 422, 'BAD_ENVELOPE', `not a key envelope (docs/RECIPIENTS.md §2): ${e.message} (${e.code})`);
  }
  const header = await storedHeader(files.path(id) as string);
  if (!header.equals(body.subarray(HEADER_AT, HEADER_AT + HEADER_SIZE))) {
    return fail(
      res,
      409,
      'ENVELOPE_MISMATCH',
      "the envelope's header copy is not this file's header: it belongs to another stream",
    );
  }
  const had = (await readEnvelope(files, id)) !== undefined;
  // A new name, then a rename: a reader gets the old envelope or the new one, never half of one.
  const path = `${files.path(id)}.envelope`;
  const part = `${path}.${randomBytes(8).toString('hex')}.part`;
  await writeFile(part, body);
  await rename(part, path).catch(async (e: unknown) => {
    await rm(part, { force: true });
    throw e;
  });
  json(res, had ? 200 : 201, { size: body.length, replaced: had });
}

/** 413 for a body larger than any envelope; the rest of it is not read. */
function tooLarge(res: ServerResponse): void {
  const message = `a key envelope is at most ${MAX_ENVELOPE_SIZE} bytes (docs/RECIPIENTS.md §1)`;
  fail(res, 413, 'ENVELOPE_TOO_LARGE', message, { Connection: 'close' });
}

/**
 * The body, or undefined as soon as it passes `limit` bytes (a body without Content-Length
 * too): the rest is left unread, and the answer closes the connection.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let n = 0;
    const stop = () => {
      req.off('data', data);
      req.off('end', end);
      req.off('error', reject);
    };
    const data = (chunk: Buffer) => {
      n += chunk.length;
      if (n <= limit) return void parts.push(chunk);
      stop();
      req.pause();
      resolve(undefined);
    };
    const end = () => {
      stop();
      resolve(Buffer.concat(parts));
    };
    req.on('data', data);
    req.once('end', end);
    req.once('error', reject);
  });
}

/** The first 80 bytes of a finished upload (its stream header). */
async function storedHeader(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(HEADER_SIZE);
    const { bytesRead } = await fh.read(b, 0, HEADER_SIZE, 0);
    return b.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
