/** Runs the built CLI (dist/cli.js) in a child process. Build first: `npx vite build`. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** What a run of the CLI gave. */
export interface CliResult {
  code: number | null;
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
}

/** Runs `node dist/cli.js ...args`; stdin gets `input` (or nothing). */
export function cli(args: readonly string[], o: CliOptions = {}): Promise<CliResult> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npx vite build' first`);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: o.cwd,
      env: { ...process.env, ...o.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: o.detached ?? false,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => {}); // the CLI may exit before reading all of it
    child.on('error', reject);
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8');
      const lines = stderr.trimEnd().split('\n');
      resolve({
        code,
        stdout: Buffer.concat(out),
        stderr,
        lastLine: lines[lines.length - 1] ?? '',
        ms: performance.now() - started,
      });
    });
    child.stdin.end(o.input ?? new Uint8Array(0));
  });
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
