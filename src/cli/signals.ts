/**
 * Removal of temporary files on the signals that end a process. A temporary `-o` file holds
 * partial, unverified output: on any of these signals it is removed before the process exits
 * with 128 + the signal's number (as a shell reports a death by that signal). SIGKILL cannot
 * be caught: after one, a `.OUT.<random>.tmp` file may stay behind (docs/CLI.md).
 */
import { unlinkSync } from 'node:fs';
import { constants } from 'node:os';

/**
 * What a terminal (SIGHUP on hang-up, SIGINT on ^C, SIGQUIT on ^\) or a service manager
 * (SIGTERM, then SIGKILL) sends to end a process. SIGPIPE is not here: Node ignores it, so a
 * closed pipe shows up as an EPIPE write error and takes the ordinary failure path.
 */
const TERMINATING: readonly NodeJS.Signals[] = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM'];

/** Temporary files to remove on a signal. */
const temporaries = new Set<string>();

function onSignal(signal: NodeJS.Signals): void {
  for (const path of temporaries) {
    try {
      unlinkSync(path);
    } catch {
      // not created yet, or already gone
    }
  }
  process.exit(128 + (constants.signals[signal] ?? 0));
}

/**
 * Removes `path` (synchronously, then exits) if a terminating signal arrives before the
 * returned function is called. Register before creating the file, so no window leaves it.
 */
export function removeOnSignal(path: string): () => void {
  if (temporaries.size === 0) for (const s of TERMINATING) process.on(s, onSignal);
  temporaries.add(path);
  return () => {
    if (!temporaries.delete(path) || temporaries.size > 0) return;
    for (const s of TERMINATING) process.removeListener(s, onSignal);
  };
}
