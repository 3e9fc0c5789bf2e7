/**
 * The one path for every stdout write of the CLI (data, `--help`, `inspect`, `verify` lines).
 * A closed pipe (EPIPE) or a full disk (ENOSPC) arrives both as the write's callback error and
 * as an 'error' event; without a listener the event would crash the process with a stack
 * trace. Here it becomes an `IO` failure, reported as the last line on stderr.
 */
import { asIo } from './errors.js';

/** The first stdout failure: every later write fails with it. */
let failure: unknown;

function fail(e: unknown): unknown {
  failure ??= asIo(e, 'cannot write stdout');
  return failure;
}

process.stdout.on('error', fail);
// stderr is where failures are reported: when it fails too, only the exit status is left.
process.stderr.on('error', () => {});

/**
 * Writes `data` to stdout; resolves once it was handed to the system (so a slow reader slows
 * the writer, and memory stays bounded).
 * @throws CliError `IO` when stdout cannot be written (EPIPE, ENOSPC, ...)
 */
export function writeStdout(data: string | Uint8Array): Promise<void> {
  if (failure !== undefined) return Promise.reject(failure);
  return new Promise<void>((resolve, reject) => {
    process.stdout.write(data, (e) => (e ? reject(fail(e)) : resolve()));
  });
}

/** stdout as a writable that accepts the next chunk only once the previous one was written. */
export function stdoutWritable(): WritableStream<Uint8Array> {
  return new WritableStream<Uint8Array>({ write: writeStdout });
}
