/** Stand-in for `stream-v2-before` when run.mjs has no `--before REV`: no before rows. */
export {};
