#!/usr/bin/env node
/**
 * The `stream-v2` command line (docs/CLI.md). Exit 0 on success; 1 on failure, with
 * `error: CODE: message` as the last line on stderr (CODE: a spec §7 code or `IO`); 2 on a
 * usage error (`error: USAGE: message`, after a hint).
 */
import { createRequire } from 'node:module';
import { type Args, parseArgs } from './args.js';
import { keygenCommand } from './commands.js';
import { decryptCommand } from './decrypt.js';
import { encryptCommand } from './encrypt.js';
import { EXIT_OK, toFailure } from './errors.js';
import { commandHelp, MAIN_HELP } from './help.js';
import { inspectCommand } from './inspect.js';
import { rewrapCommand } from './rewrap.js';
import { writeStdout } from './stdout.js';
import { verifyCommand } from './verify.js';

function version(): string {
  try {
    // dist/cli.js -> package.json of the package.
    return (createRequire(import.meta.url)('../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

async function dispatch(args: Args): Promise<void> {
  if (args.flags.has('version')) {
    return writeStdout(`stream-v2 ${version()}\n`);
  }
  if (args.flags.has('help') || args.command === undefined) {
    return writeStdout(`${args.command ? commandHelp(args.command) : MAIN_HELP}\n`);
  }
  switch (args.command) {
    case 'encrypt':
      return encryptCommand(args);
    case 'decrypt':
      return decryptCommand(args);
    case 'verify':
      return verifyCommand(args);
    case 'inspect':
      return inspectCommand(args);
    case 'keygen':
      return keygenCommand(args);
    case 'rewrap':
      return rewrapCommand(args);
  }
}

/** Runs the CLI on `argv` and returns the exit status; never throws. */
export async function main(argv: readonly string[]): Promise<number> {
  let command: string | undefined;
  try {
    const args = parseArgs(argv);
    command = args.command;
    await dispatch(args);
    return EXIT_OK;
  } catch (e) {
    const f = toFailure(e);
    if (f.code === 'USAGE') {
      const cmd = (e as { command?: string }).command ?? command;
      process.stderr.write(`hint: run 'stream-v2 ${cmd ? `${cmd} ` : ''}--help' for usage\n`);
    }
    // The last line on stderr: scripts parse it (docs/CLI.md).
    process.stderr.write(`error: ${f.code}: ${f.message.replace(/\s+/g, ' ')}\n`);
    return f.exit;
  }
}

// No process.exit(): it could cut off output still flowing into a pipe. Nothing else keeps
// the event loop alive (idle pool workers are unref'd), so the process ends on its own.
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
