/**
 * CLI failures and their one-line report. Exit codes and the `error: CODE: message` line are a
 * contract scripts depend on (docs/CLI.md): CODE is a spec §7 code, `IO`, or `USAGE`.
 */
import { StreamV2Error } from '../node.js';

/** Codes the CLI adds to those of spec §7. */
export type CliCode = 'USAGE' | 'IO';

/** Exit status on success. */
export const EXIT_OK = 0;
/** Exit status of a failed run (bad input, wrong key, file problems). */
export const EXIT_FAILURE = 1;
/** Exit status of a usage error (bad flags, missing secret). */
export const EXIT_USAGE = 2;

/** A failure the CLI itself detects: a usage error or a file problem. */
export class CliError extends Error {
  /** `USAGE` (exit 2) or `IO` (exit 1). */
  readonly code: CliCode;
  /** For usage errors: the command whose help the hint points to. */
  readonly command: string | undefined;

  /**
   * @param code - `USAGE` or `IO`
   * @param message - detail; never key, passphrase or plaintext bytes
   * @param command - command to point the usage hint at
   */
  constructor(code: CliCode, message: string, command?: string) {
    super(message);
    this.name = 'CliError';
    this.code = code;
    this.command = command;
  }
}

/** Shorthand for a usage error. */
export function usage(message: string, command?: string): CliError {
  return new CliError('USAGE', message, command);
}

/** What a failure becomes on stderr and in the exit status. */
export interface Failure {
  code: string;
  message: string;
  exit: number;
}

/** System errors of Node (ENOENT, EACCES, EEXIST, EISDIR, EPIPE, ...). */
function isSystemError(e: unknown): e is NodeJS.ErrnoException & { code: string } {
  return (
    e instanceof Error &&
    typeof (e as NodeJS.ErrnoException).code === 'string' &&
    /^E[A-Z]+$/.test((e as NodeJS.ErrnoException).code as string)
  );
}

/**
 * Maps any thrown value to its code, message and exit status. Library `BAD_ARGUMENT` comes
 * from the user's flags or secret, so it is a usage error (exit 2).
 */
export function toFailure(e: unknown): Failure {
  if (e instanceof CliError) {
    return { code: e.code, message: e.message, exit: e.code === 'USAGE' ? EXIT_USAGE : EXIT_FAILURE };
  }
  if (StreamV2Error.is(e)) {
    // The library's message already starts with "CODE: "; the report adds its own.
    const prefix = `${e.code}: `;
    const message = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
    if (e.code === 'BAD_ARGUMENT') return { code: 'USAGE', message, exit: EXIT_USAGE };
    return { code: e.code, message, exit: EXIT_FAILURE };
  }
  if (isSystemError(e)) return { code: 'IO', message: e.message, exit: EXIT_FAILURE };
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'INTERNAL', message, exit: EXIT_FAILURE };
}

/** Wraps a failure of reading input or writing output as `IO`, keeping library errors. */
export function asIo(e: unknown, what: string): unknown {
  if (e instanceof CliError || StreamV2Error.is(e)) return e;
  const detail = e instanceof Error ? e.message : String(e);
  return new CliError('IO', `${what}: ${detail}`);
}
