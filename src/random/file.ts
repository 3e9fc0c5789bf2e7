/** openFile: a file on disk as a Blob that the workers read by path (Node). */
import { StreamV2Error } from '../errors.js';
import type { Platform } from '../platform/types.js';

/** `openFile` on a platform passed in; the public function and its documentation: src/index.ts. */
export async function openFile(platform: Platform, path: string): Promise<Blob> {
  const open = platform.openFile;
  if (!open) throw new StreamV2Error('UNSUPPORTED', 'openFile needs Node; pass a File or Blob here');
  return open(path);
}
