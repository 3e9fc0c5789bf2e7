/**
 * The CLI's output: stdout, or `-o OUT`. `-o` output is atomic: a temporary file beside OUT,
 * renamed onto OUT on success and removed on any failure or terminating signal. `-o` writes
 * regular files only (docs/CLI.md): a device, FIFO, socket or directory at OUT, or a symbolic
 * link to one, is refused even with `--force`, so that no device node is ever replaced; a
 * symbolic link to a regular file (or to nothing) is replaced itself, only with `--force`,
 * and its target is never written. An encrypt of a file IN writes instead to a partial file of
 * a fixed name, `.OUT.stream-v2-partial`, kept on signals for `encrypt --resume`, that the run
 * holds a lock on (lock.ts). Either way only the file this run created is committed or removed.
 */
import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { type FileHandle, link, lstat, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { asIo, CliError, usage } from './errors.js';
import { fileKind } from './io.js';
import type { PartialLock } from './lock.js';
import { onTerminatingSignal } from './signals.js';
import { stdoutWritable } from './stdout.js';

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
  /** Replace an existing OUT (a regular file, or a symbolic link itself). */
  force: boolean;
  /** File mode of a new OUT (before umask). */
  mode: number;
  /**
   * Write to the partial file ({@link partialPath}) instead of a random temporary file, and
   * keep it on terminating signals: `replace` starts it anew; `{ at }` continues it from byte
   * `at` (what follows is cut off first).
   */
  partial?: 'replace' | { at: number };
  /** This run's claim on the partial file (`lockPartial`, lock.ts); needed with `partial`. */
  lock?: PartialLock;
}

/** The partial file of an `encrypt -o OUT` (ciphertext only), beside OUT. */
export function partialPath(out: string): string {
  return join(dirname(out), `.${basename(out)}.stream-v2-partial`);
}

/**
 * Creates or continues the temporary file. The partial file is never reached through a
 * symbolic link: `replace` unlinks what is there first, continuing refuses a link.
 */
async function openTemporary(tmp: string, o: OutputOptions): Promise<FileHandle> {
  if (typeof o.partial === 'object') {
    const fh = await open(tmp, constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW);
    try {
      await fh.truncate(o.partial.at);
      return fh;
    } catch (e) {
      await fh.close();
      throw e;
    }
  }
  if (o.partial === 'replace') await unlink(tmp).catch(() => {});
  return open(tmp, 'wx', o.mode);
}

/**
 * Opens OUT (a path) atomically, or stdout when `path` is undefined.
 * @throws CliError `USAGE` for ciphertext or plaintext to a terminal, or an OUT that is not a
 *   regular file; `IO` when OUT exists without `force` or the temporary file cannot be created
 */
export async function openOutput(path: string | undefined, o: OutputOptions): Promise<Output> {
  if (path === undefined) {
    if (o.what !== 'key' && process.stdout.isTTY) {
      throw usage(`refusing to write ${o.what} to a terminal; use -o FILE or redirect stdout`);
    }
    return { writable: stdoutWritable(), commit: async () => {}, discard: async () => {} };
  }
  await checkTarget(path, o.force);
  const tmp = o.partial
    ? partialPath(path)
    : join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  // Registered before the file exists: a signal at any moment leaves no partial plaintext.
  const release = onTerminatingSignal(o.partial ? undefined : tmp);
  let fh: FileHandle;
  let made: Stats;
  try {
    fh = await openTemporary(tmp, o);
    made = await fh.stat().catch(async (e: unknown) => {
      await fh.close();
      throw e;
    });
  } catch (e) {
    release();
    throw asIo(e, `cannot create a temporary file beside '${path}'`);
  }
  let open_ = true;
  const close = async () => {
    if (open_) {
      open_ = false;
      await fh.close();
    }
  };
  // The file this run wrote, by identity: only it is ever renamed onto OUT or removed, never
  // one another run put at the same name meanwhile (issue 20, F2).
  const { dev, ino } = made;
  const isOurs = async () => {
    const st = await lstat(tmp).catch(() => undefined);
    return st !== undefined && st.dev === dev && st.ino === ino;
  };
  const removeOurs = async () => {
    if (await isOurs()) await unlink(tmp).catch(() => {});
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
        await close();
        if ((o.lock && !(await o.lock.held())) || !(await isOurs())) {
          throw new CliError(
            'IO',
            `another run replaced '${tmp}' while this one wrote it; '${path}' is left as it was`,
          );
        }
        await place(tmp, path, o.force);
      } catch (e) {
        await removeOurs();
        throw asIo(e, `cannot write '${path}'`);
      } finally {
        release();
      }
    },
    async discard() {
      await close().catch(() => {});
      await removeOurs().catch(() => {});
      release();
    },
  };
}

/**
 * Checks what is at OUT: nothing, a regular file (replaced only with `force`), or a symbolic
 * link to a regular file or to nothing (the link itself replaced, only with `force`).
 * @throws CliError `USAGE` when OUT is, or links to, anything else; `IO` when OUT exists without `force`
 */
async function checkTarget(path: string, force: boolean): Promise<void> {
  const st = await statOf(path, lstat);
  if (st === undefined) return;
  const target = st.isSymbolicLink() ? await statOf(path, stat) : st;
  if (target?.isDirectory()) throw usage(`-o needs a file name, and '${path}' is a directory`);
  if (target !== undefined && !target.isFile()) {
    const what = st.isSymbolicLink() ? `a symbolic link to ${fileKind(target)}` : fileKind(target);
    throw usage(`-o writes regular files only, and '${path}' is ${what}; to write there, redirect stdout`);
  }
  if (force) return;
  if (st.isSymbolicLink()) {
    throw new CliError('IO', `'${path}' is a symbolic link; use --force to replace the link (its target is kept)`);
  }
  throw new CliError('IO', `'${path}' exists; use --force to replace it`);
}

/** `stat` or `lstat` of `path`; undefined when nothing is there (or a link leads nowhere). */
async function statOf(path: string, how: typeof stat): Promise<Stats | undefined> {
  try {
    return await how(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP') return undefined;
    throw asIo(e, `cannot check '${path}'`);
  }
}

/** Moves the finished temporary file onto OUT; without `force`, never replaces anything. */
async function place(tmp: string, path: string, force: boolean): Promise<void> {
  // Checked again: what is at OUT may have changed while the stream was processed.
  await checkTarget(path, force);
  if (force) return rename(tmp, path); // replaces a link itself, never its target
  try {
    await link(tmp, path); // fails with EEXIST, atomically, if OUT appeared meanwhile
    await unlink(tmp);
  } catch {
    await checkTarget(path, false); // EEXIST: OUT appeared meanwhile
    await rename(tmp, path); // file systems without hard links
  }
}

/**
 * Writes a key file (`keygen`, `keygen --recipient`) to `path`, or stdout: mode 0600, committed
 * whole or not at all.
 * @throws CliError `IO`, `USAGE`
 */
export async function writeKeyFile(path: string | undefined, force: boolean, text: string): Promise<void> {
  const output = await openOutput(path, { what: 'key', force, mode: 0o600 });
  try {
    const writer = output.writable.getWriter();
    await writer.write(new TextEncoder().encode(text));
    await writer.close();
    await output.commit();
  } catch (e) {
    await output.discard();
    throw e;
  }
}
