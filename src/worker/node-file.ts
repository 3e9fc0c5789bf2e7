/**
 * Node workers: reads of a file by path (see src/platform/node-file.ts). Each worker opens a
 * file once and keeps the handle while reads come, closing it after a second without any.
 * Every read checks the file's size and mtime against those recorded when it was opened, after
 * the bytes are in: a file changed underneath is `SOURCE_CHANGED`, never bytes of another file.
 */
import { fstatSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { StreamV2Error } from '../errors.js';
import type { FileReader, FileRef } from '../source/source.js';

/** How long an unused handle stays open. */
const IDLE_MS = 1000;

interface Open {
  readonly handle: Promise<FileHandle>;
  users: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

const opened = new Map<string, Open>();

/** The file's handle, opened once per worker; `release` when done with it. */
function acquire(file: FileRef): { handle: Promise<FileHandle>; release(): void } {
  const key = `${file.size}:${file.mtimeMs}:${file.path}`;
  let entry = opened.get(key);
  if (!entry) {
    const handle = open(file.path, 'r');
    handle.catch(() => opened.get(key) === entry && opened.delete(key));
    entry = { handle, users: 0, timer: undefined };
    opened.set(key, entry);
  }
  const e = entry;
  clearTimeout(e.timer);
  e.users++;
  const release = () => {
    if (--e.users > 0) return;
    e.timer = setTimeout(() => {
      if (opened.get(key) === e) opened.delete(key);
      void e.handle.then((h) => h.close()).catch(() => {});
    }, IDLE_MS);
    e.timer.unref?.();
  };
  return { handle: e.handle, release };
}

/**
 * Reads `file` from `offset` into the views of `into`, filling each in turn, with one
 * scattered read (`readv`) where it can: a segment's plaintext goes straight into the frame
 * bodies of its wire buffer.
 * @throws StreamV2Error `SOURCE_CHANGED` (another size or mtime, or fewer bytes than asked)
 */
export const readFile: FileReader = async (file, offset, into) => {
  const entry = acquire(file);
  try {
    const handle = await entry.handle.catch((e: unknown) => {
      // Gone since openFile recorded it (deleted, renamed): the source changed.
      throw (e as { code?: string }).code === 'ENOENT' ? changed(file, 'it is gone') : e;
    });
    let views = into.filter((v) => v.length > 0);
    for (let at = offset; views.length > 0; ) {
      // One view (a whole segment to open or check): a plain read, cheaper than a readv.
      const only = views.length === 1 ? (views[0] as Uint8Array) : undefined;
      const { bytesRead } = only ? await handle.read(only, 0, only.length, at) : await handle.readv(views, at);
      if (bytesRead === 0) throw changed(file, 'it ends early');
      at += bytesRead;
      views = rest(views, bytesRead);
    }
    // Synchronous: ~1 µs, where the promise form took ~80 µs per read (a thread-pool round
    // trip), 8 % of a worker's time on 1 MiB segments. Reads stay asynchronous, so a worker
    // can seal one segment while the disk brings the next.
    const now = fstatSync(handle.fd);
    if (now.size !== file.size || now.mtimeMs !== file.mtimeMs) throw changed(file, 'another size or mtime');
  } finally {
    entry.release();
  }
};

/** What is left of `views` after `n` bytes were read into them (a short read). */
function rest(views: Uint8Array[], n: number): Uint8Array[] {
  let i = 0;
  while (i < views.length && n >= (views[i] as Uint8Array).length) n -= (views[i++] as Uint8Array).length;
  const left = views.slice(i);
  if (n > 0) left[0] = (left[0] as Uint8Array).subarray(n);
  return left;
}

function changed(file: FileRef, why: string): StreamV2Error {
  return new StreamV2Error('SOURCE_CHANGED', `the file changed after it was opened (${why}): ${file.path}`);
}
