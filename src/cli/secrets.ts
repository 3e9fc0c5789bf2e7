/**
 * SECRET: `--key-file`, `--passphrase-file`, `--passphrase-env` or `--passphrase` (TTY prompt).
 * Nothing here ever prints key or passphrase bytes.
 */
import { fstatSync, openSync, type Stats, writeSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { ReadStream } from 'node:tty';
import type { Secret } from '../node.js';
import { type Args, inputPath, SECRET, stringFlag } from './args.js';
import { CliError, usage } from './errors.js';
import { fileKind } from './io.js';

/** Most bytes of a key file: 64 hex characters with generous whitespace, or 32 raw bytes. */
export const KEY_FILE_MAX = 4096;
/** Most bytes of a passphrase file's first line (the rest of the file is never read). */
export const PASSPHRASE_LINE_MAX = 64 * 1024;

/** True when the command line names a secret. */
export function hasSecret(args: Args): boolean {
  return SECRET.some((f) => args.flags.has(f));
}

/**
 * Reads the secret the command line names.
 * @param confirm - prompt twice (encrypting), so a typo cannot lock the data away
 * @throws CliError `USAGE` for a missing or malformed secret, `IO` for an unreadable file
 */
export async function readSecret(args: Args, confirm: boolean): Promise<Secret> {
  const keyFile = stringFlag(args, 'key-file');
  if (keyFile !== undefined) {
    const bytes = await readSecretFile(keyFile, KEY_FILE_MAX, false, args);
    if (bytes.length > KEY_FILE_MAX) throw usage(`the key file is larger than ${KEY_FILE_MAX} bytes`, args.command);
    return parseKey(bytes, args);
  }
  const passFile = stringFlag(args, 'passphrase-file');
  if (passFile !== undefined) {
    const bytes = await readSecretFile(passFile, PASSPHRASE_LINE_MAX, true, args);
    const end = bytes.indexOf(0x0a);
    const line = end < 0 ? bytes : bytes.subarray(0, end);
    if (line.length > PASSPHRASE_LINE_MAX) {
      throw usage(`the first line of ${passFile} is longer than ${PASSPHRASE_LINE_MAX} bytes`, args.command);
    }
    // The first line, without its line ending (spec §3: the rest is UTF-8 as given).
    const text = new TextDecoder('utf-8', { fatal: false }).decode(line).replace(/\r$/, '');
    return passphrase(text, `the first line of ${passFile}`, args, confirm);
  }
  const env = stringFlag(args, 'passphrase-env');
  if (env !== undefined) {
    const value = process.env[env];
    if (value === undefined) throw usage(`environment variable ${env} is not set`, args.command);
    return passphrase(value, `environment variable ${env}`, args, confirm);
  }
  if (args.flags.has('passphrase')) {
    const first = await prompt('Passphrase: ', args);
    if (confirm && (await prompt('Passphrase again: ', args)) !== first) {
      throw usage('the passphrases do not match', args.command);
    }
    return passphrase(first, 'the passphrase', args, confirm);
  }
  throw usage('a secret is needed: --key-file, --passphrase-file, --passphrase-env or --passphrase', args.command);
}

/**
 * Reads at most `max + 1` bytes of a secret file (more than `max` tells the caller it is too
 * long), or, with `firstLine`, stops after the first newline. A regular file or a pipe (a FIFO,
 * `<(command)`, `/dev/stdin` fed by a pipe or a file) is accepted: never a device (`/dev/zero`,
 * a terminal), a socket or a directory, and never the stdin that IN is read from as well.
 * @throws CliError `USAGE` for a file of another kind, `IO` when it cannot be read
 */
export async function readSecretFile(path: string, max: number, firstLine: boolean, args: Args): Promise<Uint8Array> {
  const fail = (e: unknown) => {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    return new CliError('IO', `cannot read secret file '${path}' (${code})`);
  };
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw fail(e);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile() && !st.isFIFO()) {
      throw usage(`secret file '${path}' is ${fileKind(st)}: a regular file or a pipe is needed`, args.command);
    }
    if (inputPath(args) === undefined && isStdin(st)) {
      throw usage(`secret file '${path}' is stdin, which IN is read from: name IN as a file`, args.command);
    }
    const buf = new Uint8Array(max + 1);
    let n = 0;
    while (n < buf.length) {
      // Small reads for a first line: a pipe's data after it is left alone as far as possible.
      const want = firstLine ? Math.min(4096, buf.length - n) : buf.length - n;
      const { bytesRead } = await fh.read(buf, n, want, null).catch((e: unknown) => Promise.reject(fail(e)));
      if (bytesRead === 0) break;
      n += bytesRead;
      if (firstLine && buf.subarray(n - bytesRead, n).includes(0x0a)) break;
    }
    return buf.subarray(0, n);
  } finally {
    await fh.close().catch(() => {});
  }
}

/** True when `st` is the file behind fd 0. */
function isStdin(st: Stats): boolean {
  try {
    const s0 = fstatSync(0);
    return s0.dev === st.dev && s0.ino === st.ino;
  } catch {
    return false; // no stdin
  }
}

/** A key file holds exactly 32 raw bytes, or 64 hex characters with optional whitespace. */
function parseKey(bytes: Uint8Array, args: Args): Uint8Array {
  if (bytes.length === 32) return bytes;
  const text = new TextDecoder('latin1').decode(bytes).trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) {
    return Uint8Array.from({ length: 32 }, (_, i) => Number.parseInt(text.slice(2 * i, 2 * i + 2), 16));
  }
  throw usage('the key file must hold 64 hex characters or exactly 32 raw bytes', args.command);
}

/** spec §3 allows an empty passphrase; only encryption refuses to make one (as the library does). */
function passphrase(value: string, what: string, args: Args, encrypting: boolean): Secret {
  if (encrypting && value.length === 0) throw usage(`${what} is empty`, args.command);
  return { passphrase: value };
}

/**
 * Reads one line from the controlling terminal without echo. Uses /dev/tty, so stdin stays
 * free for the data.
 */
async function prompt(label: string, args: Args): Promise<string> {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    throw usage('--passphrase needs a terminal; use --passphrase-file or --passphrase-env', args.command);
  }
  writeSync(fd, label);
  const input = new ReadStream(fd);
  input.setRawMode(true);
  input.setEncoding('utf8');
  try {
    return await new Promise<string>((resolve, reject) => {
      let line = '';
      input.on('error', reject);
      input.on('end', () => reject(usage('no passphrase entered', args.command)));
      input.on('data', (s: string) => {
        for (const ch of s) {
          if (ch === '\r' || ch === '\n') return resolve(line);
          if (ch === '\u0003') return reject(new CliError('USAGE', 'interrupted', args.command));
          if (ch === '\u0004')
            return line === '' ? reject(usage('no passphrase entered', args.command)) : resolve(line);
          if (ch === '\u007f' || ch === '\b') line = Array.from(line).slice(0, -1).join('');
          else if (ch >= ' ') line += ch;
        }
      });
    });
  } finally {
    input.setRawMode(false);
    writeSync(fd, '\n');
    input.destroy(); // closes the fd: the terminal must not keep the process alive
  }
}
