/** Runs the built CLI (dist/cli.js) in a child process. Build first: `npx vite build`. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** What a run of the CLI gave. */
export interface CliResult {
  code: number | null;
  /** The signal that ended the child, if one did. */
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  /** The last line on stderr. */
  lastLine: string;
  /** Milliseconds from spawn to exit. */
  ms: number;
}

/** Options of {@link cli}. */
export interface CliOptions {
  input?: Uint8Array;
  env?: Record<string, string>;
  cwd?: string;
  /** New session: no controlling terminal (for the --passphrase prompt). */
  detached?: boolean;
  /**
   * stdout: a pipe the test reads (default); a file descriptor the test opened (such as
   * `/dev/full`); or `'closed'`, a pipe whose read end is closed at once (writes fail with EPIPE).
   */
  stdout?: 'pipe' | 'closed' | number;
  /** stdin: a file descriptor the test opened, instead of a pipe (`input` is then ignored). */
  stdin?: number;
  /** Kills the child (SIGKILL) after this many milliseconds: a safety net, never a timing check. */
  killAfterMs?: number;
}

/** A CLI run in progress: the test writes (and must end) its stdin. */
export interface RunningCli {
  child: ChildProcess;
  /** The child's stdin (a sink going nowhere when `o.stdin` gave a file descriptor). */
  stdin: Writable;
  result: Promise<CliResult>;
}

/** Starts `node dist/cli.js ...args` (`o.input` is ignored: write `stdin` yourself). */
export function startCli(args: readonly string[], o: CliOptions = {}): RunningCli {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npx vite build' first`);
  const started = performance.now();
  const stdout = o.stdout ?? 'pipe';
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: o.cwd,
    env: { ...process.env, ...o.env },
    stdio: [o.stdin ?? 'pipe', typeof stdout === 'number' ? stdout : 'pipe', 'pipe'],
    detached: o.detached ?? false,
  });
  if (stdout === 'closed') child.stdout?.destroy();
  const stdin = child.stdin ?? new PassThrough().resume();
  stdin.on('error', () => {}); // the CLI may exit before reading all of it
  const killer = o.killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), o.killAfterMs);
  const result = new Promise<CliResult>((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    if (stdout === 'pipe') child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      const stderr = Buffer.concat(err).toString('utf8');
      const lines = stderr.trimEnd().split('\n');
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out),
        stderr,
        lastLine: lines[lines.length - 1] ?? '',
        ms: performance.now() - started,
      });
    });
  });
  return { child, stdin, result };
}

/** Runs `node dist/cli.js ...args`; stdin gets `input` (or nothing). */
export function cli(args: readonly string[], o: CliOptions = {}): Promise<CliResult> {
  const run = startCli(args, o);
  run.stdin.end(o.input ?? new Uint8Array(0));
  return run.result;
}

/** A fresh temporary directory, and its cleanup. */
export function tempDir(): { dir: string; path: (name: string) => string; files: () => string[]; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'stream-v2-cli-'));
  return {
    dir,
    path: (name) => join(dir, name),
    files: () => readdirSync(dir).sort(),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Deterministic test bytes. */
export function pattern(length: number, seed = 1): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed * 7 + (i >> 8)) & 0xff);
}
