/**
 * Public-key recipients on the command line (docs/CLI.md, docs/RECIPIENTS.md): `encrypt -r/-R`,
 * `decrypt -i`, `keygen --recipient [--pq]`, and the files they read. Key texts are checked by
 * the library (a typo is refused there, with the key's place: "recipient 2"); nothing here
 * prints a secret key.
 */
import { generateIdentity, type Identity, type Recipients, type Secret } from '../node.js';
import { type Args, hasFlag, listFlag, outputPath, RECIPIENTS } from './args.js';
import { usage } from './errors.js';
import { writeKeyFile } from './output.js';
import { readSecret, readSecretFile } from './secrets.js';

/** Most bytes of a recipients file (64 post-quantum public keys of 1,959 characters, and comments). */
const RECIPIENTS_FILE_MAX = 256 * 1024;
/** Most bytes of an identity file. */
const IDENTITY_FILE_MAX = 64 * 1024;

/** The keys of a key file: one a line; empty lines and lines starting with `#` are skipped. */
function keyLines(bytes: Uint8Array): string[] {
  return new TextDecoder('utf-8', { fatal: false })
    .decode(bytes)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

async function keysOf(path: string, max: number, what: string, args: Args): Promise<string[]> {
  const bytes = await readSecretFile(path, max, false, args);
  if (bytes.length > max) throw usage(`${what} '${path}' is larger than ${max} bytes`, args.command);
  const keys = keyLines(bytes);
  if (keys.length === 0) throw usage(`${what} '${path}' holds no key`, args.command);
  return keys;
}

/** True when the command line names recipients (-r or -R). */
export function hasRecipients(args: Args): boolean {
  return RECIPIENTS.some((f) => args.flags.has(f));
}

/**
 * The public keys of `-r KEY` and `-R FILE` (in that order).
 * @throws CliError `USAGE`, `IO`
 */
export async function readRecipients(args: Args): Promise<Recipients> {
  const recipients = [...listFlag(args, 'recipient')];
  for (const f of listFlag(args, 'recipients-file')) {
    recipients.push(...(await keysOf(f, RECIPIENTS_FILE_MAX, 'recipients file', args)));
  }
  return { recipients };
}

/**
 * The secret keys of every `-i FILE`.
 * @throws CliError `USAGE`, `IO`
 */
export async function readIdentity(args: Args): Promise<Identity> {
  const identity: string[] = [];
  for (const f of listFlag(args, 'identity'))
    identity.push(...(await keysOf(f, IDENTITY_FILE_MAX, 'identity file', args)));
  return { identity };
}

/** `encrypt`'s secret: recipients, or SECRET. */
export async function encryptSecret(args: Args, confirm: boolean): Promise<Secret | Recipients> {
  return hasRecipients(args) ? readRecipients(args) : readSecret(args, confirm);
}

/** `decrypt`'s secret: identities, or SECRET. */
export async function decryptSecret(args: Args): Promise<Secret | Identity> {
  return args.flags.has('identity') ? readIdentity(args) : readSecret(args, false);
}

/**
 * `stream-v2 keygen --recipient [--pq] [-o FILE]`: a new identity. The identity file (mode 0600)
 * holds a comment with the public key, then the secret key; the public key goes to stdout when
 * the file goes to -o, to stderr when the file goes to stdout.
 */
export async function keygenRecipient(args: Args): Promise<void> {
  const id = await generateIdentity({ pq: hasFlag(args, 'pq') });
  const path = outputPath(args);
  const text = `# stream-v2 ${id.type} identity\n# public key: ${id.publicKey}\n${id.secretKey}\n`;
  await writeKeyFile(path, hasFlag(args, 'force'), text);
  if (path !== undefined) process.stdout.write(`${id.publicKey}\n`);
  else process.stderr.write(`public key: ${id.publicKey}\n`);
}
