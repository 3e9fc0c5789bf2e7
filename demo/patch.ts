/**
 * tus PATCH, straight from the socket to the file. @tus/server turns each body into a web
 * stream, back into a Node stream, through a PassThrough, a limiter and a counting Transform
 * into a write stream: 5.6-5.9 CPU-s per GiB on the server, 3.6-3.9 of it user time in those
 * layers and their garbage; written here, 3.0-3.5, 1.3 of it user time (docs/BENCHMARKS.md,
 * "The demo's upload"; the rest is the kernel's copies). A well-formed PATCH of a known upload at its offset is written here instead,
 * in batches of 1 MiB, under tus's own upload lock, so tus's HEAD and PATCH see the same file
 * and the same lock. Any PATCH this would refuse goes to tus unread, so the client gets tus's
 * usual answer (404, 409, 413, 415, 400...).
 */
import { open } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EXPOSED_HEADERS, type Locker } from '@tus/server';
import type { Files } from './store.js';

/** Bytes gathered before one write to the file: few syscalls, a bounded buffer per PATCH. */
export const BATCH = 1024 * 1024;

/** What the direct PATCH path needs of the server. */
export interface PatchContext {
  files: Files;
  /** tus's locker (the Server's `locker` option): the same locks as tus's handlers. */
  locker: Locker;
  /** How long a PATCH may go on once another request asks for its lock (tus's lockDrainTimeout). */
  lockDrainMs: number;
  /** The upload now holds all its bytes (after the answer went out). */
  finished(id: string): void;
}

/** A decimal header of digits only, as a safe integer; undefined otherwise. */
function whole(value: string | string[] | undefined): number | undefined {
  if (typeof value !== 'string' || !/^\d{1,16}$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The headers that let this path take a PATCH; anything else is tus's to answer. */
function plainPatch(req: IncomingMessage): { offset: number; length: number } | undefined {
  const h = req.headers;
  if (h['tus-resumable'] !== '1.0.0' || h['content-type'] !== 'application/offset+octet-stream') return undefined;
  // A deferred length, a chunked body, a method override: tus's own cases.
  if (h['upload-length'] !== undefined || h['transfer-encoding'] !== undefined) return undefined;
  if (h['x-http-method-override'] !== undefined) return undefined;
  const offset = whole(h['upload-offset']);
  const length = whole(h['content-length']);
  return offset === undefined || length === undefined ? undefined : { offset, length };
}

/**
 * Writes the body of a PATCH of upload `id` to its file, if tus would take it: the right
 * offset, a body that fits the upload. A body cut short keeps what arrived (as tus's FileStore
 * does); the client learns the offset from HEAD.
 *
 * @returns false, with nothing of the body read, when tus should answer the request
 */
export async function directPatch(
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
  ctx: PatchContext,
): Promise<boolean> {
  const asked = plainPatch(req);
  const path = ctx.files.path(id);
  if (!asked || !path) return false;
  let drain: NodeJS.Timeout | undefined;
  const lock = ctx.locker.newLock(id);
  try {
    // Never stopped early: MemoryLocker, stopped while another request holds the lock, says it
    // was taken. A client gone meanwhile is found when its body is read (it ends at once).
    // Another request (a HEAD after the client lost this PATCH) asking for the lock gives this
    // one tus's grace to finish; then its connection is cut and what arrived is kept.
    await lock.lock(new AbortController().signal, () => {
      drain ??= setTimeout(() => req.destroy(), ctx.lockDrainMs);
    });
  } catch {
    return false; // no lock in time: tus answers, as it would
  }
  let end: number;
  let size: number;
  try {
    const upload = await ctx.files.store.getUpload(id).catch(() => undefined);
    size = upload?.size ?? Number.NaN;
    const fits = upload && upload.offset === asked.offset && asked.offset + asked.length <= size;
    if (!upload || !fits) {
      await lock.unlock();
      return false;
    }
    end = await writeBody(req, path, asked.offset, asked.length, (n) => ctx.files.store.count(id, n));
  } catch (e) {
    await lock.unlock();
    clearTimeout(drain);
    throw e; // the caller logs it and answers 500
  }
  clearTimeout(drain);
  await lock.unlock();
  if (end < asked.offset + asked.length) {
    res.destroy(); // the client is gone, or its connection was cut for the lock: no answer
  } else {
    res.writeHead(204, {
      'Tus-Resumable': '1.0.0',
      'Upload-Offset': String(end),
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Expose-Headers': EXPOSED_HEADERS,
    });
    res.end();
  }
  if (end === size) ctx.finished(id);
  return true;
}

/**
 * Copies the body into the file from `offset`, `BATCH` bytes a write; counts each write. Stops
 * at `length` bytes or where the body was cut.
 *
 * @returns the new end of the file's data
 */
async function writeBody(
  req: IncomingMessage,
  path: string,
  offset: number,
  length: number,
  count: (n: number) => void,
): Promise<number> {
  const fh = await open(path, 'r+');
  let at = offset;
  let batch: Buffer[] = [];
  let batched = 0;
  const flush = async () => {
    const bufs = batch;
    const n = batched;
    batch = [];
    batched = 0;
    let done = 0;
    while (done < n) {
      // writev may write less than asked; what is left goes again.
      const { bytesWritten } = await fh.writev(done === 0 ? bufs : rest(bufs, done), at);
      done += bytesWritten;
      at += bytesWritten;
    }
    count(n);
  };
  try {
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        // Node's parser never passes more than Content-Length; a bound all the same.
        const take = Math.min(chunk.length, offset + length - at - batched);
        if (take <= 0) break;
        batch.push(take === chunk.length ? chunk : chunk.subarray(0, take));
        batched += take;
        if (batched >= BATCH) await flush();
      }
    } catch {
      // The body was cut (the client left, or the lock was asked for): keep what arrived.
    }
    await flush();
  } finally {
    await fh.close();
  }
  return at;
}

/** The buffers past their first `skip` bytes. */
function rest(bufs: Buffer[], skip: number): Buffer[] {
  const out: Buffer[] = [];
  let left = skip;
  for (const b of bufs) {
    if (left >= b.length) left -= b.length;
    else {
      out.push(left > 0 ? b.subarray(left) : b);
      left = 0;
    }
  }
  return out;
}
