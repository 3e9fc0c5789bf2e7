/**
 * Random-access sources: a Blob (a browser File, Node's `fs.openAsBlob(path)`, `Bun.file()`)
 * or any object that can read a byte range. Every read is checked: exactly the bytes asked
 * for, or a StreamV2Error with a code, never short or wrong bytes.
 */
import { StreamV2Error } from '../errors.js';
import type { Platform } from '../platform/types.js';

/** A source that can read any byte range of a fixed-size file (an HTTP object, a file handle). */
export interface RangeSource {
  /** Size of the whole source in bytes. */
  readonly size: number;
  /** Reads `length` bytes from `offset`; the result must hold exactly those bytes. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** What the random-access APIs read: a Blob or a {@link RangeSource}. */
export type RandomAccessSource = Blob | RangeSource;

/**
 * A file that workers open by path themselves (Node: `openFile`), with the size and mtime it
 * had when it was opened: a worker that finds others fails with `SOURCE_CHANGED`.
 */
export interface FileRef {
  readonly kind: 'file';
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/** What workers can read themselves: a Blob cloned to them, or a file they open by path. */
export type WorkerSource = Blob | FileRef;

/**
 * Reads a file's bytes from `offset` into `into`, filling each view in turn (a scattered read),
 * in a worker (the platform's, Node only).
 * @throws StreamV2Error `SOURCE_CHANGED` when the file changed or ends early
 */
export type FileReader = (file: FileRef, offset: number, into: readonly Uint8Array[]) => Promise<void>;

/**
 * A worker's file reads: the reader, and the buffers it recycles for segments it only checks
 * (nothing of them leaves the worker).
 */
export interface WorkerFiles {
  readonly read: FileReader;
  /** A buffer of exactly `size` bytes, its own from offset 0 (handed back with `give` once unused). */
  readonly take: (size: number) => Uint8Array;
  readonly give: (buffer: ArrayBuffer) => void;
}

/** A checked source, as the random-access APIs use it. */
export interface Source {
  readonly size: number;
  /** What workers read themselves, when they can: the Blob, or its file by path. */
  readonly workerSource: WorkerSource | undefined;
  /** The Blob's lastModified when it is a File, the file's mtime (ms) for a Blob of openFile. */
  readonly lastModified: number | undefined;
  /**
   * Exactly `length` bytes from `offset`: a buffer of the library's own when `ownsReads` (a
   * Blob's reads), otherwise possibly a view of memory the caller's source still owns and may
   * change (spec §6.3: what is checked must be what is used, so such bytes are copied first).
   */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Whether every read is a new buffer of exactly its bytes, from offset 0, that nothing else holds. */
  readonly ownsReads: boolean;
}

/**
 * Reads `length` bytes at `offset` into a buffer the library owns from offset 0, copying a
 * caller's view (into a buffer of `allocate`): safe to check, then transfer to a worker.
 */
export async function readOwned(
  source: Source,
  offset: number,
  length: number,
  allocate: (size: number) => Uint8Array,
): Promise<Uint8Array> {
  const bytes = await source.read(offset, length);
  if (source.ownsReads) return bytes;
  const own = allocate(length);
  own.set(bytes);
  return own;
}

/** Whether `value` is a Blob (a File too). */
export function isBlob(value: unknown): value is Blob {
  return typeof Blob !== 'undefined' && value instanceof Blob;
}

/**
 * Wraps a Blob or RangeSource, checking its shape.
 * @throws StreamV2Error `BAD_ARGUMENT`
 */
export function toSource(input: RandomAccessSource, platform: Platform): Source {
  if (isBlob(input)) {
    const blob = input;
    const lastModified = (blob as { lastModified?: unknown }).lastModified;
    // Node's file Blobs cannot cross to workers, but those of openFile carry their path.
    const file = platform.workerFileOf?.(blob);
    return {
      size: blob.size,
      workerSource: file ?? (platform.workersReadBlobs && canCrossToWorkers(blob) ? blob : undefined),
      // A File's lastModified, or the mtime openFile recorded (a resume state compares it).
      lastModified: typeof lastModified === 'number' ? lastModified : file?.mtimeMs,
      read: (offset, length) => readBlobRange(blob, offset, length),
      ownsReads: true,
    };
  }
  const src = input as Partial<RangeSource> | null;
  if (typeof src?.read !== 'function' || !Number.isSafeInteger(src.size) || (src.size as number) < 0) {
    throw new StreamV2Error(
      'BAD_ARGUMENT',
      'source must be a Blob or { size: number, read(offset, length): Promise<Uint8Array> }',
    );
  }
  const read = src.read.bind(src);
  return {
    size: src.size as number,
    workerSource: undefined,
    lastModified: undefined,
    read: (offset, length) => checked(offset, length, 'SOURCE_FAILED', () => read(offset, length)),
    ownsReads: false,
  };
}

/**
 * Reads `length` bytes of a Blob from `offset` (in a new buffer). Also runs inside workers,
 * which read a Blob's segments themselves.
 * @throws StreamV2Error `SOURCE_CHANGED` (a File edited after it was picked fails with
 *   NotReadableError in browsers and Node, or comes back short), `SOURCE_FAILED`
 */
export function readBlobRange(blob: Blob, offset: number, length: number): Promise<Uint8Array> {
  return checked(offset, length, 'SOURCE_CHANGED', async () => {
    return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
  });
}

/**
 * Whether a Blob can be cloned to workers, so that they read it themselves. Node's file-backed
 * Blobs (`fs.openAsBlob`) cannot ("File-backed Blobs are not cloneable"); in-memory Blobs and
 * browser Files can. Cloning a Blob copies a handle, not its bytes.
 */
export function canCrossToWorkers(blob: Blob): boolean {
  try {
    structuredClone(blob);
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads a file's bytes from `offset` straight into `into` (inside workers), each failure with
 * a code.
 * @throws StreamV2Error `UNSUPPORTED` without `files`, `SOURCE_CHANGED`, `SOURCE_FAILED`
 */
export async function readFileInto(
  file: FileRef,
  offset: number,
  into: readonly Uint8Array[],
  files: WorkerFiles | undefined,
): Promise<void> {
  if (!files) throw new StreamV2Error('UNSUPPORTED', 'this platform cannot read files by path');
  const length = into.reduce((n, v) => n + v.length, 0);
  try {
    await files.read(file, offset, into);
  } catch (e) {
    throw readFailure(e, offset, length);
  }
}

/** Runs a read and checks that it returned exactly `length` bytes, each failure with a code. */
async function checked(
  offset: number,
  length: number,
  shortCode: 'SOURCE_CHANGED' | 'SOURCE_FAILED',
  read: () => Promise<Uint8Array>,
): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await read();
  } catch (e) {
    throw readFailure(e, offset, length);
  }
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    const got = bytes instanceof Uint8Array ? `${bytes.length} bytes` : 'not a Uint8Array';
    throw new StreamV2Error(shortCode, `reading ${length} bytes at ${offset} gave ${got}`);
  }
  return bytes;
}

/** What a failed read throws: its own StreamV2Error, or one with a code for what it was. */
function readFailure(e: unknown, offset: number, length: number): StreamV2Error {
  if (StreamV2Error.is(e)) return e;
  const changed = (e as { name?: string } | null)?.name === 'NotReadableError';
  const detail = e instanceof Error ? e.message : String(e);
  return new StreamV2Error(
    changed ? 'SOURCE_CHANGED' : 'SOURCE_FAILED',
    changed
      ? `the source changed after it was opened (${detail})`
      : `reading ${length} bytes at ${offset} failed: ${detail}`,
    {},
    { cause: e },
  );
}
