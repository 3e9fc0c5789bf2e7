/**
 * The declarations of the Node entry: the whole public API, and `openFile`, which only Node
 * has (elsewhere pass a `File` or `Bun.file()`).
 *
 * @packageDocumentation
 */
export * from './index.js';

/**
 * Opens a file as a Blob for `encryptBlob`, `resumeStateFrom`, `openEncrypted` and
 * `verifyDigests`, whose segments the pool's workers read
 * themselves by path: Node's `fs.openAsBlob(path)` Blobs cannot cross to `worker_threads`
 * ("File-backed Blobs are not cloneable"), so for those the main thread reads every segment.
 * The size and mtime are recorded now: a file truncated or modified afterwards fails its
 * reads with `SOURCE_CHANGED`. Node only (elsewhere pass a `File` or `Bun.file()`, which
 * workers read themselves).
 *
 * @param path - the file's path
 * @returns a Blob of the file (Node's `fs.openAsBlob`), also readable as any other Blob
 * @throws StreamV2Error `SOURCE_FAILED` (no such file, not readable), `SOURCE_CHANGED`,
 *   `UNSUPPORTED` (not on Node), `BAD_ARGUMENT`
 */
export declare function openFile(path: string): Promise<Blob>;
