/**
 * The platform adapter: everything that differs between Node and the Web platform (browsers,
 * Deno, Bun). No global holds it: each package entry point (`node.ts`, `browser.ts`) binds its
 * platform to the public API (`bind.ts`), and every layer below gets it passed in.
 */
import type { Endpoint } from 'comlink';
import type { ScryptFn } from '../codec/keys.js';
import type { CryptoBackend } from '../crypto/types.js';
import { StreamV2Error } from '../errors.js';
import type { KemBackend } from '../recipients/kem-backend.js';
import type { FileRef } from '../source/source.js';

/** A started worker, as the pool sees it. */
export interface WorkerHandle {
  readonly endpoint: Endpoint;
  /** Registers the callback for the worker's death (crash, load failure, exit). */
  onFailure(callback: (reason: Error) => void): void;
  terminate(): void;
  /** Node: keep the process alive while this worker has work; no-ops elsewhere. */
  ref(): void;
  unref(): void;
}

/** What a platform provides. */
export interface Platform {
  readonly name: 'node' | 'web';
  /** Crypto backends in order of preference. */
  readonly backends: readonly CryptoBackend[];
  /** The recipients' KEM backends (X25519, ML-KEM-768) in order of preference, noble last. */
  readonly kemBackends: readonly KemBackend[];
  /** Starts one pool worker. */
  spawnWorker(): WorkerHandle;
  /**
   * Idle time after which the pool stops a worker, where idle workers would otherwise keep the
   * process alive (Deno has no Worker.unref) or hold memory; undefined: never.
   */
  readonly idleWorkerMs?: number;
  /** Logical cores available to this process. */
  hardwareConcurrency(): number;
  /** A native scrypt that runs off the main thread, when the platform has one. */
  readonly nativeScrypt?: ScryptFn;
  /**
   * A buffer of `size` bytes that may hold stale memory, where the platform can skip zeroing
   * (Node: `Buffer.allocUnsafeSlow`). Only for buffers the codec overwrites completely before
   * any byte leaves the library.
   */
  readonly allocUninitialized?: (size: number) => Uint8Array;
  /** Opens a file as a Blob that workers read by path (Node: `openFile`); absent elsewhere. */
  readonly openFile?: (path: string) => Promise<Blob>;
  /** The file behind a Blob of `openFile`, for workers to open by path; undefined for others. */
  readonly workerFileOf?: (blob: Blob) => FileRef | undefined;
  /**
   * Whether the platform's workers read Blobs handed to them (browsers, Deno, Bun). Not in
   * Node: a slice of a file-backed Blob (`fs.openAsBlob(path).slice(a, b)`) is cloned to a
   * worker_threads worker though the whole Blob is refused, and reading it there aborts the
   * process (Node 20: "FATAL ERROR: v8::HandleScope::CreateHandle()"); nothing tells such a
   * slice from an in-memory Blob, so the calling thread reads every Blob there (files by path
   * stay the workers', see `openFile`).
   */
  readonly workersReadBlobs: boolean;
}

/** Allocates a buffer the caller overwrites completely (see `Platform.allocUninitialized`). */
export type Allocator = (size: number) => Uint8Array;

/** The platform's fastest allocator for buffers that are overwritten completely. */
export function allocator(platform: Platform): Allocator {
  return guardAllocator(platform.allocUninitialized ?? ((size) => new Uint8Array(size)));
}

/**
 * An allocator whose failure (out of memory, past the platform's largest typed array) is a
 * `LIMIT_EXCEEDED` with a code, never the engine's own `RangeError`.
 */
export function guardAllocator(allocate: Allocator): Allocator {
  return (size) => {
    try {
      return allocate(size);
    } catch (e) {
      throw new StreamV2Error('LIMIT_EXCEEDED', `could not allocate a buffer of ${size} bytes`, {}, { cause: e });
    }
  };
}

/**
 * Where a bound public class keeps its platform: a static property that the entry point's
 * subclass sets (`bind.ts`), inherited by the caller's own subclasses.
 */
export const PLATFORM: unique symbol = Symbol('stream-v2.platform');

/**
 * The platform of a public class, from the constructor that `new` was called on.
 * @throws StreamV2Error `BAD_ARGUMENT` for a class used without a package entry point
 */
export function platformOf(ctor: unknown): Platform {
  const platform = (ctor as { [PLATFORM]?: Platform } | undefined)?.[PLATFORM];
  if (!platform) throw new StreamV2Error('BAD_ARGUMENT', 'import stream-v2 through its package entry point');
  return platform;
}

const bound = new WeakMap<object, WeakMap<Platform, unknown>>();

/**
 * The subclass of a public class that carries `platform` (read by `platformOf(new.target)`),
 * with the class's own name, so that `instanceof` and a caller's own subclasses work as usual.
 * One per class and platform: the entry point's and the library's own are the same class.
 */
// biome-ignore lint/suspicious/noExplicitAny: a mixin's base must be `new (...args: any[])`
export function boundClass<C extends new (...args: any[]) => object>(base: C, platform: Platform): C {
  let byPlatform = bound.get(base);
  if (!byPlatform) {
    byPlatform = new WeakMap();
    bound.set(base, byPlatform);
  }
  let sub = byPlatform.get(platform) as C | undefined;
  if (!sub) {
    sub = class extends base {};
    Object.defineProperty(sub, PLATFORM, { value: platform });
    Object.defineProperty(sub, 'name', { value: base.name });
    byPlatform.set(platform, sub);
  }
  return sub;
}
