/**
 * SECRET: `--key-file`, `--passphrase-file`, `--passphrase-env` or `--passphrase` (TTY prompt).
 * Nothing here ever prints key or passphrase bytes.
 */
import { openSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { ReadStream } from 'node:tty';
import type { Secret } from '../codec/keys.js';
import { type Args, SECRET, stringFlag } from './args.js';
import { CliError, usage } from './errors.js';

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
  if (keyFile !== undefined) return parseKey(await readSecretFile(keyFile), args);
  const passFile = stringFlag(args, 'passphrase-file');
  if (passFile !== undefined) {
    // The first line, without its line ending (spec §3: the rest is UTF-8 as given).
    const text = new TextDecoder('utf-8', { fatal: false }).decode(await readSecretFile(passFile));
    return passphrase(text.split(/\r?\n/, 1)[0] ?? '', `the first line of ${passFile}`, args, confirm);
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

async function readSecretFile(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new CliError('IO', `cannot read secret file '${path}' (${code})`);
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
