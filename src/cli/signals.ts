/**
 * What the signals that end a process do to `-o` temporary files. A plaintext temporary file
 * (decrypt) holds partial, unverified output: on any of these signals it is removed before the
 * process exits with 128 + the signal's number (as a shell reports a death by that signal).
 * An encrypt partial file holds only ciphertext and is kept for `encrypt --resume`: the
 * signal then only ends the process, with the same status (and removes the run's lock on it,
 * lock.ts). SIGKILL cannot be caught: after
 * one, a `.OUT.<random>.tmp` file may stay behind too (docs/CLI.md).
 */
import { unlinkSync } from 'node:fs';
import { constants } from 'node:os';

/**
 * What a terminal (SIGHUP on hang-up, SIGINT on ^C, SIGQUIT on ^\) or a service manager
 * (SIGTERM, then SIGKILL) sends to end a process. SIGPIPE is not here: Node ignores it, so a
 * closed pipe shows up as an EPIPE write error and takes the ordinary failure path.
 */
const TERMINATING: readonly NodeJS.Signals[] = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM'];

/** Registrations: what to remove, or undefined for a file kept on a signal. */
const registered = new Set<{ cleanup: string | (() => void) | undefined }>();

function onSignal(signal: NodeJS.Signals): void {
  for (const { cleanup } of registered) {
    try {
      if (typeof cleanup === 'string') unlinkSync(cleanup);
      else cleanup?.();
    } catch {
      // not created yet, or already gone
    }
  }
  process.exit(128 + (constants.signals[signal] ?? 0));
}

/**
 * Until the returned function is called, a terminating signal removes `cleanup` when it is a
 * path, or runs it when it is a function (synchronously), and exits; with `cleanup`
 * undefined, it only exits (the file being written is kept). Register before creating the
 * file, so no window leaves it.
 */
export function onTerminatingSignal(cleanup: string | (() => void) | undefined): () => void {
  if (registered.size === 0) for (const s of TERMINATING) process.on(s, onSignal);
  const entry = { cleanup };
  registered.add(entry);
  return () => {
    if (!registered.delete(entry) || registered.size > 0) return;
    for (const s of TERMINATING) process.removeListener(s, onSignal);
  };
}
