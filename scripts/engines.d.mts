import type { ChildProcess } from 'node:child_process';

/** The binary of `name` (firefox, webkit, xvfb, webkitdriver): its env variable, else find-browsers' cache file. */
export declare function enginePath(name: string): string;
/** Xvfb on a free display of its own; resolves to its DISPLAY (`:N`). Pushes the process to `children`. */
export declare function xvfb(children: ChildProcess[]): Promise<string>;
/** Opens `url` in `engine` on a throwaway profile; `stop` kills it and deletes the profile. */
export declare function launchEngine(engine: 'firefox' | 'webkit', url: string): Promise<{ pid: number; stop(): void }>;
