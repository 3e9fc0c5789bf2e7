/**
 * The CLI's input as a web stream with backpressure: it is read only when the transform asks
 * for more, so memory stays bounded whatever the size (the output side: output.ts).
 */
import { fstatSync, type Stats } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { openFile } from '../node.js';
import { asIo, CliError } from './errors.js';

/** Bytes asked of the input per read. */
const READ_SIZE = 512 * 1024;

/** An opened input. */
export interface Input {
  readonly stream: ReadableStream<Uint8Array>;
  /** Its size, when it is a regular file (or stdin redirected from one). */
  readonly size: number | undefined;
  /** Bytes read from it so far (for progress). */
  bytesRead(): number;
}

/**
 * Opens IN (a path), or stdin when `path` is undefined.
 * @throws CliError `IO` when the file cannot be opened
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
    throw new CliError('IO', `'${path}' is a directory`);
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
  return { stream, size: st.isFile() ? st.size : undefined, bytesRead: () => count };
}

/**
 * IN as a Blob when it is a regular file (the library's `openFile`): the library then reads
 * the segments it needs itself, from any offset (random access, `--range`, `--resume`), and
 * its workers read them from the file by path (no plaintext or ciphertext on this thread).
 * Undefined for stdin and for anything that is not a regular file (a FIFO, a device, a
 * process substitution): those keep the stream path.
 * @throws CliError `IO` when the file cannot be opened
 */
export async function fileBlob(path: string | undefined): Promise<Blob | undefined> {
  if (path === undefined) return undefined;
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new CliError('IO', `'${path}' is a directory`);
    if (!st.isFile()) return undefined;
    await (await open(path, 'r')).close(); // unreadable (EACCES): IO here, not on the first read
    return await openFile(path);
  } catch (e) {
    throw asIo(e, `cannot open '${path}'`);
  }
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
