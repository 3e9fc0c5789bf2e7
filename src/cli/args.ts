/**
 * A small hand-written argument parser. The commands and flags are a contract (docs/CLI.md):
 * `--flag value`, `--flag=value`, `-o FILE`, `--` ends the flags, `-` names stdin/stdout.
 */
import { usage } from './errors.js';

/** The commands of the CLI. */
export const COMMANDS = ['encrypt', 'decrypt', 'verify', 'inspect', 'keygen', 'rewrap'] as const;
/** A command name. */
export type Command = (typeof COMMANDS)[number];

interface FlagSpec {
  /** Takes a value (`--flag V`), or is a switch. */
  value: boolean;
  short?: string;
  /** May be given several times (each value kept, in order). */
  repeat?: boolean;
  /** The commands where this flag is a switch instead (`keygen --recipient`). */
  switchFor?: readonly Command[];
}

const FLAGS: Record<string, FlagSpec> = {
  help: { value: false, short: 'h' },
  quiet: { value: false, short: 'q' },
  force: { value: false },
  output: { value: true, short: 'o' },
  json: { value: false },
  // SECRET (one of).
  'key-file': { value: true },
  'passphrase-file': { value: true },
  'passphrase-env': { value: true },
  passphrase: { value: false },
  // Public-key recipients and identities (docs/RECIPIENTS.md): encrypt to, decrypt with.
  recipient: { value: true, short: 'r', repeat: true, switchFor: ['keygen'] },
  'recipients-file': { value: true, short: 'R', repeat: true },
  identity: { value: true, short: 'i', repeat: true },
  pq: { value: false },
  // Encoder parameters (spec §2).
  suite: { value: true },
  'frame-size': { value: true },
  'frames-per-segment': { value: true },
  'log-n': { value: true },
  // Decoder limits (spec §2).
  'max-segment-bytes': { value: true },
  'max-log-n': { value: true },
  workers: { value: true },
  // Random access and resumption (docs/CLI.md).
  range: { value: true },
  resume: { value: false },
};

/** The flags that name a secret (at most one per command line). */
export const SECRET = ['key-file', 'passphrase-file', 'passphrase-env', 'passphrase'];
/** Public keys to encrypt to (-r and -R together count as one secret). */
export const RECIPIENTS = ['recipient', 'recipients-file'];
const LIMITS = ['max-segment-bytes', 'max-log-n'];

/** Flags each command accepts, and whether it takes an IN operand. */
const ACCEPTS: Record<Command, { flags: string[]; input: boolean }> = {
  encrypt: {
    flags: [
      ...SECRET,
      ...RECIPIENTS,
      'suite',
      'frame-size',
      'frames-per-segment',
      'log-n',
      'workers',
      'output',
      'force',
      'quiet',
      'resume',
    ],
    input: true,
  },
  decrypt: { flags: [...SECRET, 'identity', ...LIMITS, 'workers', 'output', 'force', 'quiet', 'range'], input: true },
  verify: { flags: [...SECRET, ...LIMITS, 'workers', 'quiet'], input: true },
  inspect: { flags: ['json', ...LIMITS], input: true },
  keygen: { flags: ['output', 'force', 'recipient', 'pq'], input: false },
  rewrap: { flags: ['identity', ...RECIPIENTS, 'output', 'force'], input: true },
};

/** Parsed command line. */
export interface Args {
  /** The command, or undefined for a bare `--help` / `--version`. */
  command: Command | undefined;
  /** Flags by long name; switches are `true`. */
  flags: Map<string, string | true>;
  /** The IN operand (`-` or absent: stdin). */
  input: string | undefined;
  /** Every value of a flag that may repeat, in order (its last one is in `flags` too). */
  lists: Map<string, string[]>;
}

const SHORT = new Map(Object.entries(FLAGS).flatMap(([name, s]) => (s.short ? [[s.short, name]] : [])));

/**
 * Parses `argv` (without node and script).
 * @throws CliError `USAGE` for an unknown command or flag, a missing value, or extra operands
 */
export function parseArgs(argv: readonly string[]): Args {
  const flags = new Map<string, string | true>();
  const lists = new Map<string, string[]>();
  const operands: string[] = [];
  let command: Command | undefined;
  let flagsDone = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (flagsDone || arg === '-' || !arg.startsWith('-')) {
      if (command === undefined) {
        if (!(COMMANDS as readonly string[]).includes(arg)) throw usage(`unknown command '${arg}'`);
        command = arg as Command;
      } else operands.push(arg);
      continue;
    }
    if (arg === '--') {
      flagsDone = true;
      continue;
    }
    if (arg === '--version' || arg === '-V') {
      flags.set('version', true);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') ? arg.slice(2, eq < 0 ? undefined : eq) : SHORT.get(arg.slice(1));
    const spec = name === undefined ? undefined : FLAGS[name];
    if (name === undefined || spec === undefined)
      throw usage(`unknown option '${eq < 0 ? arg : arg.slice(0, eq)}'`, command);
    if (flags.has(name) && !spec.repeat) throw usage(`--${name} given twice`, command);
    const isSwitch = !spec.value || (command !== undefined && spec.switchFor?.includes(command) === true);
    if (isSwitch) {
      if (flags.has(name)) throw usage(`--${name} given twice`, command);
      if (eq >= 0) throw usage(`--${name} takes no value`, command);
      flags.set(name, true);
      continue;
    }
    let value: string | undefined;
    if (eq >= 0 && arg.startsWith('--')) value = arg.slice(eq + 1);
    else value = argv[++i];
    if (value === undefined) throw usage(`--${name} needs a value`, command);
    flags.set(name, value);
    lists.set(name, [...(lists.get(name) ?? []), value]);
  }
  if (command === undefined) {
    if (flags.has('help') || flags.has('version')) return { command, flags, input: undefined, lists };
    throw usage('no command given');
  }
  // Every flag, given before or after the command, must be one the command takes.
  for (const name of flags.keys()) {
    if (name !== 'help' && name !== 'version' && !ACCEPTS[command].flags.includes(name)) {
      throw usage(`${command} does not take --${name}`, command);
    }
  }
  const maxOperands = ACCEPTS[command].input ? 1 : 0;
  if (operands.length > maxOperands) throw usage(`unexpected operand '${operands[maxOperands]}'`, command);
  const secrets = [...SECRET, 'identity', ...(command === 'keygen' ? [] : RECIPIENTS)].filter((s) => flags.has(s));
  // -r and -R name one secret together (public keys); for rewrap, -i and -r/-R go together.
  const kinds = new Set(secrets.map((s) => (RECIPIENTS.includes(s) ? 'recipients' : s)));
  if (command !== 'rewrap' && kinds.size > 1) {
    throw usage(`give one secret, not ${secrets.map((s) => `--${s}`).join(' and ')}`, command);
  }
  return { command, flags, input: operands[0], lists };
}

/** Every value of a repeatable flag, in order (none: empty). */
export function listFlag(args: Args, name: string): readonly string[] {
  return args.lists.get(name) ?? [];
}

/** A string flag, or undefined. */
export function stringFlag(args: Args, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

/** A switch. */
export function hasFlag(args: Args, name: string): boolean {
  return args.flags.has(name);
}

/**
 * A decimal integer flag in `[min, max]`, or undefined when absent.
 * @throws CliError `USAGE` for anything else
 */
export function intFlag(args: Args, name: string, min: number, max: number): number | undefined {
  const v = stringFlag(args, name);
  if (v === undefined) return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw usage(`--${name} must be an integer in ${min}..${max}, got '${v}'`, args.command);
  }
  return n;
}

/** The IN operand as a path, or undefined for stdin. */
export function inputPath(args: Args): string | undefined {
  return args.input === '-' ? undefined : args.input;
}

/** The `-o` path, or undefined for stdout. */
export function outputPath(args: Args): string | undefined {
  const o = stringFlag(args, 'output');
  return o === '-' ? undefined : o;
}
