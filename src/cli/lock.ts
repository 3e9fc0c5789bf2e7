/**
 * The claim of one `encrypt -o OUT` run on OUT's partial file. The partial file has a fixed
 * name (so that `--resume` finds it), so two runs writing the same OUT would write, resume or
 * rename each other's file (issue 20, F2: a truncated OUT, or another input's ciphertext under
 * OUT, exit 0). A run first creates `.OUT.stream-v2-lock` holding its process id, host name
 * and a random token; while that file names a live process, every other run refuses with
 * `IO`. A lock left by a run that cannot remove it (SIGKILL, a crash, a power cut) names a
 * process that is gone: the next run takes it over. Node has no `flock`, and a lock file also
 * works where advisory locks do not (network file systems).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, open, readFile, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { asIo, CliError } from './errors.js';
import { onTerminatingSignal } from './signals.js';

/** A lock this run holds. */
export interface PartialLock {
  /** Path of the lock file. */
  readonly path: string;
  /** True while the lock file is still this run's (checked before OUT is committed). */
  held(): Promise<boolean>;
  /** Removes the lock file if it is still this run's; idempotent. */
  release(): Promise<void>;
}

interface Holder {
  pid: number;
  host: string;
}

/** The lock file of a partial file. */
export function lockPath(partial: string): string {
  return partial.replace(/-partial$/, '-lock');
}

/**
 * Claims `partial` for this run.
 * @throws CliError `IO` when another live run holds it (or one on another host: it cannot be
 *   told dead), or the lock file cannot be created
 */
export async function lockPartial(partial: string): Promise<PartialLock> {
  const path = lockPath(partial);
  const token = randomBytes(8).toString('hex');
  const mine = `${JSON.stringify({ pid: process.pid, host: hostname(), token })}\n`;
  const inUse = (h: Holder | undefined) =>
    new CliError(
      'IO',
      `'${partial}' is in use by another stream-v2 encrypt` +
        (h ? ` (process ${h.pid} on ${h.host})` : '') +
        ` writing the same OUT; if none is running, remove '${path}'`,
    );
  for (let attempt = 0; attempt < 8; attempt++) {
    if (await create(path, mine, token)) return held(path, mine);
    const text = await readText(path);
    if (text === undefined) continue; // released meanwhile: try again
    const holder = parse(text);
    if (holder && alive(holder)) throw inUse(holder);
    // Stale. Taken over by a rename, which one run only can win: the winner then checks
    // that what it took is what it judged stale (not a lock made since), else puts it back.
    const taken = `${path}.${token}`;
    try {
      await rename(path, taken);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw asIo(e, `cannot take over '${path}'`);
    }
    const took = await readText(taken);
    if (took !== text) {
      await link(taken, path).catch(() => {});
      await unlink(taken).catch(() => {});
      throw inUse(took === undefined ? undefined : parse(took));
    }
    await unlink(taken).catch(() => {});
  }
  throw inUse(undefined);
}

/**
 * Creates the lock file with its whole content, or finds one there (false). The content is
 * written to a file of this run's own first and linked into place, so that no other run ever
 * reads a lock half written; file systems without hard links create it in place.
 */
async function create(path: string, content: string, token: string): Promise<boolean> {
  const own = `${path}.${token}.new`;
  try {
    const fh = await open(own, 'wx', 0o644);
    try {
      await fh.writeFile(content);
    } finally {
      await fh.close();
    }
    try {
      await link(own, path);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw e;
    } finally {
      await unlink(own).catch(() => {});
    }
    const fh2 = await open(path, 'wx', 0o644);
    try {
      await fh2.writeFile(content);
    } finally {
      await fh2.close();
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw asIo(e, `cannot create '${path}'`);
  }
}

function held(path: string, mine: string): PartialLock {
  const ours = () => {
    try {
      return readFileSync(path, 'utf8') === mine;
    } catch {
      return false;
    }
  };
  // A signal ends the run: its lock goes with it (the partial file stays, for --resume).
  const unregister = onTerminatingSignal(() => {
    if (ours()) unlinkSync(path);
  });
  let released = false;
  return {
    path,
    held: async () => (await readText(path)) === mine,
    async release() {
      if (released) return;
      released = true;
      unregister();
      if ((await readText(path)) === mine) await unlink(path).catch(() => {});
    },
  };
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw asIo(e, `cannot read '${path}'`);
  }
}

/** The holder a lock file names; undefined for anything else (a lock a power cut zeroed). */
function parse(text: string): Holder | undefined {
  try {
    const h = JSON.parse(text) as Partial<Holder>;
    return Number.isSafeInteger(h.pid) && (h.pid as number) > 0 && typeof h.host === 'string'
      ? (h as Holder)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the holder may still run. A process on another host cannot be asked: it counts as
 * alive. This process's own id is a dead holder's (this run holds no lock yet). A process id
 * reused since the holder died reads as alive: the message names the lock file to remove.
 */
function alive(h: Holder): boolean {
  if (h.host !== hostname()) return true;
  if (h.pid === process.pid) return false;
  try {
    process.kill(h.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
