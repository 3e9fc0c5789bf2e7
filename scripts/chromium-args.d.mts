/** Flags for every headless Chromium the project starts. */
export declare const CHROMIUM_ARGS: readonly string[];
