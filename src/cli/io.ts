/**
 * Input and output for the CLI as web streams with backpressure: the input is read only when
 * the transform asks for more, and each output chunk is flushed before the next is accepted,
 * so memory stays bounded whatever the size. `-o` output is atomic: a temporary file beside
 * OUT, renamed on success and removed on any failure.
 */
import { randomBytes } from 'node:crypto';
import { fstatSync, unlinkSync } from 'node:fs';
import { type FileHandle, link, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { asIo, CliError, usage } from './errors.js';

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

/** An output being written. */
export interface Output {
  readonly writable: WritableStream<Uint8Array>;
  /** Makes the output final (renames the temporary file onto OUT). */
  commit(): Promise<void>;
  /** Removes the temporary file after a failure. */
  discard(): Promise<void>;
}

/** Options of {@link openOutput}. */
export interface OutputOptions {
  /** What is written, for messages (and the terminal check). */
  what: 'ciphertext' | 'plaintext' | 'key';
  /** Replace an existing OUT. */
  force: boolean;
  /** File mode of a new OUT (before umask). */
  mode: number;
}

/**
 * Opens OUT (a path) atomically, or stdout when `path` is undefined.
 * @throws CliError `USAGE` for ciphertext or plaintext to a terminal, `IO` when OUT exists
 *   without `force` or the temporary file cannot be created
 */
export async function openOutput(path: string | undefined, o: OutputOptions): Promise<Output> {
  if (path === undefined) {
    if (o.what !== 'key' && process.stdout.isTTY) {
      throw usage(`refusing to write ${o.what} to a terminal; use -o FILE or redirect stdout`);
    }
    return { writable: stdoutWritable(), commit: async () => {}, discard: async () => {} };
  }
  if (!o.force && (await exists(path))) throw new CliError('IO', `'${path}' exists; use --force to replace it`);
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let fh: FileHandle;
  try {
    fh = await open(tmp, 'wx', o.mode);
  } catch (e) {
    throw asIo(e, `cannot create a temporary file beside '${path}'`);
  }
  // On SIGINT/SIGTERM the temporary file goes too: OUT never holds partial output.
  const onSignal = (signal: NodeJS.Signals) => {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let open_ = true;
  const finish = async () => {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    if (open_) {
      open_ = false;
      await fh.close();
    }
  };
  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      try {
        for (let at = 0; at < chunk.length; ) at += (await fh.write(chunk, at, chunk.length - at)).bytesWritten;
      } catch (e) {
        throw asIo(e, `cannot write '${path}'`);
      }
    },
  });
  return {
    writable,
    async commit() {
      try {
        await fh.sync();
        await finish();
        await place(tmp, path, o.force);
      } catch (e) {
        await unlink(tmp).catch(() => {});
        throw asIo(e, `cannot write '${path}'`);
      }
    },
    async discard() {
      await finish().catch(() => {});
      await unlink(tmp).catch(() => {});
    },
  };
}

/** Moves the finished temporary file onto OUT; without `force`, never replaces a file. */
async function place(tmp: string, path: string, force: boolean): Promise<void> {
  if (force) return rename(tmp, path);
  try {
    await link(tmp, path); // fails with EEXIST, atomically, if OUT appeared meanwhile
    await unlink(tmp);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new CliError('IO', `'${path}' exists; use --force to replace it`);
    if (await exists(path)) throw new CliError('IO', `'${path}' exists; use --force to replace it`);
    await rename(tmp, path); // file systems without hard links
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw asIo(e, `cannot check '${path}'`);
  }
}

let stdoutError: Error | undefined;

/** stdout as a writable that accepts the next chunk only once the previous one was flushed. */
function stdoutWritable(): WritableStream<Uint8Array> {
  // EPIPE and friends arrive as 'error' events; without a listener they would crash the process.
  process.stdout.on('error', (e) => {
    stdoutError = e;
  });
  return new WritableStream<Uint8Array>({
    write(chunk) {
      if (stdoutError) return Promise.reject(asIo(stdoutError, 'cannot write stdout'));
      return new Promise<void>((resolve, reject) => {
        process.stdout.write(chunk, (e) => (e ? reject(asIo(e, 'cannot write stdout')) : resolve()));
      });
    },
  });
}
