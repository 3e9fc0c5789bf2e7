/**
 * Node: files that workers read by path. A Blob of `fs.openAsBlob` cannot be cloned to
 * `worker_threads` ("File-backed Blobs are not cloneable") and does not tell its path, so
 * `openFile` makes one and remembers its path, size and mtime: the pool's workers open the file
 * themselves (src/worker/node-file.ts) and the main thread copies no file bytes.
 *
 * A Blob is a fixed number of bytes read at offsets, so only a regular file whose size `stat`
 * tells can be one. A directory, a FIFO or a device is refused (`fs.openAsBlob` makes a Blob
 * of size 0 or 4096 for those: a FIFO or `/dev/zero` would encrypt as an empty stream), and so
 * is a file whose content does not end where its size says (`/proc` files report size 0,
 * `/sys` files 4096): read those as a stream instead.
 */
import type { Stats } from 'node:fs';
import { openAsBlob } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { StreamV2Error } from '../errors.js';
import type { FileRef } from '../source/source.js';

const files = new WeakMap<Blob, FileRef>();

/**
 * Opens `path` as a Blob (`fs.openAsBlob`) that the workers read by path.
 * @throws StreamV2Error `SOURCE_FAILED` (no such file, not readable, not a regular file, or a
 *   file whose content is not the size `stat` tells), `SOURCE_CHANGED` (it changed while it
 *   was being opened), `BAD_ARGUMENT` (no path)
 */
export async function openNodeFile(path: string): Promise<Blob> {
  if (typeof path !== 'string' || path === '') throw new StreamV2Error('BAD_ARGUMENT', 'openFile expects a path');
  let blob: Blob;
  let mtimeMs: number;
  let size: number;
  try {
    // stat before any open: opening a FIFO would block until a writer comes.
    const before = await stat(path);
    if (!before.isFile()) throw notRegular(before);
    if (!(await endsAtItsSize(path, before.size))) {
      throw new StreamV2Error(
        'SOURCE_FAILED',
        `openFile needs a file whose size stat tells, and this one holds other than its ${before.size} bytes ` +
          '(a /proc or /sys file?): read it as a stream instead',
      );
    }
    blob = await openAsBlob(path);
    ({ mtimeMs, size } = await stat(path));
  } catch (e) {
    if (StreamV2Error.is(e)) throw e;
    const detail = e instanceof Error ? e.message : String(e);
    throw new StreamV2Error('SOURCE_FAILED', `cannot open the file (${detail})`, {}, { cause: e });
  }
  if (size !== blob.size) throw new StreamV2Error('SOURCE_CHANGED', 'the file changed while it was being opened');
  files.set(blob, { kind: 'file', path, size, mtimeMs });
  return blob;
}

/** The file behind a Blob of {@link openNodeFile}. */
export const nodeFileOf = (blob: Blob): FileRef | undefined => files.get(blob);

function notRegular(st: Stats): StreamV2Error {
  const kinds: [boolean, string][] = [
    [st.isDirectory(), 'a directory'],
    [st.isFIFO(), 'a FIFO'],
    [st.isCharacterDevice(), 'a character device'],
    [st.isBlockDevice(), 'a block device'],
    [st.isSocket(), 'a socket'],
  ];
  const kind = kinds.find(([is]) => is)?.[1] ?? 'not a regular file';
  return new StreamV2Error('SOURCE_FAILED', `openFile needs a regular file, and this is ${kind}: read it as a stream`);
}

/**
 * Whether the content of a regular file ends where `stat` says: its last byte can be read, and
 * nothing after it. Pseudo-files fail this (a `/proc` file of size 0 has content, a `/sys`
 * file of size 4096 ends sooner); two one-byte reads, whatever the size.
 */
async function endsAtItsSize(path: string, size: number): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const probe = new Uint8Array(1);
    if (size > 0 && (await fh.read(probe, 0, 1, size - 1)).bytesRead !== 1) return false;
    return (await fh.read(probe, 0, 1, size)).bytesRead === 0;
  } finally {
    await fh.close();
  }
}
