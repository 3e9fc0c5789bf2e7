/** Tests of tools rather than of the library on a given Node. */
export declare const TOOL_TESTS: readonly string[];
/** The Node project's files that every Node version runs. */
export declare const EVERY_NODE_TESTS: readonly string[];
