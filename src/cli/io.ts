/**
 * The CLI's input as a web stream with backpressure: it is read only when the transform asks
 * for more, so memory stays bounded whatever the size (the output side: output.ts).
 */
import { fstatSync, type Stats } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { openFile } from '../node.js';
import { asIo, type CliError, usage } from './errors.js';

/** Bytes asked of the input per read. */
const READ_SIZE = 512 * 1024;

/** An opened input. */
export interface Input {
  readonly stream: ReadableStream<Uint8Array>;
  /** Its size, when it is a regular file (or stdin redirected from one); for progress only. */
  readonly size: number | undefined;
  /** Bytes read from it so far (for progress). */
  bytesRead(): number;
}

/**
 * Opens IN (a path), or stdin when `path` is undefined.
 * @throws CliError `USAGE` for a directory, `IO` when the file cannot be opened
 */
export async function openInput(path: string | undefined): Promise<Input> {
  if (path === undefined) return stdinInput();
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw asIo(e, `cannot open '${path}'`);
  }
  const st = await fh.stat();
  if (st.isDirectory()) {
    await fh.close();
    throw isDirectory(path);
  }
  let closed = false;
  let count = 0;
  const close = async () => {
    if (closed) return;
    closed = true;
    await fh.close();
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const buf = new Uint8Array(READ_SIZE);
          const { bytesRead } = await fh.read(buf, 0, READ_SIZE, null);
          if (bytesRead === 0) {
            await close();
            controller.close();
          } else {
            count += bytesRead;
            controller.enqueue(buf.subarray(0, bytesRead));
          }
        } catch (e) {
          await close().catch(() => {});
          throw asIo(e, `cannot read '${path}'`);
        }
      },
      cancel: close,
    },
    { highWaterMark: 0 },
  );
  // A regular file of size 0 may be a /proc file with content: its size is then unknown.
  return { stream, size: st.isFile() && st.size > 0 ? st.size : undefined, bytesRead: () => count };
}

/**
 * IN as a Blob when it is a regular file whose size `stat` tells (the library's `openFile`):
 * the library then reads the segments it needs itself, from any offset (random access,
 * `--range`, `--resume`), and its workers read them from the file by path (no plaintext or
 * ciphertext on this thread). Undefined for stdin and for everything else, which keeps the
 * stream path (read once, to its end): a FIFO, a device, a process substitution, and a
 * pseudo-file whose content is not its size (`/proc` files say 0 bytes, `/sys` files 4096;
 * as a Blob, `/proc/cpuinfo` would encrypt as an empty stream).
 * @throws CliError `USAGE` for a directory, `IO` when the file cannot be opened
 */
export async function fileBlob(path: string | undefined): Promise<Blob | undefined> {
  if (path === undefined) return undefined;
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw isDirectory(path);
    if (!st.isFile()) return undefined;
    const fh = await open(path, 'r'); // unreadable (EACCES): IO here, not on the first read
    try {
      if (!(await endsAtItsSize(fh, st.size))) return undefined;
    } finally {
      await fh.close();
    }
    return await openFile(path);
  } catch (e) {
    throw asIo(e, `cannot open '${path}'`);
  }
}

/** Its last byte can be read, and nothing after it (two one-byte reads: see {@link fileBlob}). */
async function endsAtItsSize(fh: FileHandle, size: number): Promise<boolean> {
  const probe = new Uint8Array(1);
  if (size > 0 && (await fh.read(probe, 0, 1, size - 1)).bytesRead !== 1) return false;
  return (await fh.read(probe, 0, 1, size)).bytesRead === 0;
}

/** IN is a directory: a usage error, as for a directory at `-o` or as a secret file. */
function isDirectory(path: string): CliError {
  return usage(`IN must be a file or a pipe, and '${path}' is a directory`);
}

function stdinInput(): Input {
  let size: number | undefined;
  try {
    const st = fstatSync(0);
    if (st.isFile()) size = st.size;
  } catch {
    // no stat for stdin: size unknown
  }
  const it = process.stdin[Symbol.asyncIterator]();
  let count = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { value, done } = await it.next();
          if (done) controller.close();
          else {
            count += (value as Uint8Array).length;
            controller.enqueue(value as Uint8Array);
          }
        } catch (e) {
          throw asIo(e, 'cannot read stdin');
        }
      },
      async cancel() {
        await it.return?.();
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, size, bytesRead: () => count };
}

/** What a file that is not a regular one is, for messages ("'x' is a FIFO"). */
export function fileKind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  return st.isSymbolicLink() ? 'a symbolic link' : 'a regular file';
}
