/**
 * Node: files that workers read by path. A Blob of `fs.openAsBlob` cannot be cloned to
 * `worker_threads` ("File-backed Blobs are not cloneable") and does not tell its path, so
 * `openFile` makes one and remembers its path, size and mtime: the pool's workers open the file
 * themselves (src/worker/node-file.ts) and the main thread copies no file bytes.
 */
import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import { StreamV2Error } from '../errors.js';
import type { FileRef } from '../source/source.js';

const files = new WeakMap<Blob, FileRef>();

/**
 * Opens `path` as a Blob (`fs.openAsBlob`) that the workers read by path.
 * @throws StreamV2Error `SOURCE_FAILED` (no such file, not readable), `SOURCE_CHANGED` (it
 *   changed while it was being opened)
 */
export async function openNodeFile(path: string): Promise<Blob> {
  if (typeof path !== 'string' || path === '') throw new StreamV2Error('BAD_ARGUMENT', 'openFile expects a path');
  let blob: Blob;
  let mtimeMs: number;
  let size: number;
  try {
    blob = await openAsBlob(path);
    ({ mtimeMs, size } = await stat(path));
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw new StreamV2Error('SOURCE_FAILED', `cannot open the file (${detail})`, {}, { cause: e });
  }
  if (size !== blob.size) throw new StreamV2Error('SOURCE_CHANGED', 'the file changed while it was being opened');
  files.set(blob, { kind: 'file', path, size, mtimeMs });
  return blob;
}

/** The file behind a Blob of {@link openNodeFile}. */
export const nodeFileOf = (blob: Blob): FileRef | undefined => files.get(blob);
