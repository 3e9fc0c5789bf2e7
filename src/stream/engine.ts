/**
 * Runs the DATA-frame work of a segment, inline (`workers: 0`) or on a worker pool, with the
 * same codec either way. A segment whose plaintext fits in one work item travels whole: its
 * input buffer goes over and comes back for reuse, the output is written once, into a new
 * buffer. A larger segment is cut into items of whole frames (copied out and back in).
 */
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { transfer } from 'comlink';
import { type ScryptFn, scryptMaxmem } from '../codec/keys.js';
import { type FrameRange, rangePlaintextSize, rangeWireSize } from '../codec/range.js';
import type { SessionKey } from '../crypto/select.js';
import { StreamV2Error, toStreamV2Error } from '../errors.js';
import { dataFrameWireSize } from '../format/sizes.js';
import { type Allocator, allocator, type Platform } from '../platform/types.js';
import { defaultPoolOn, poolOn, WorkerPool } from '../pool/pool.js';
import type { BlobSegmentItem, DigestItem, ItemResult, Transferred, WorkerApi } from '../pool/protocol.js';
import { createWorkerApi, viewOf } from '../pool/worker-api.js';
import type { WorkerSource } from '../random/source.js';

/** Default plaintext bytes per work item: a round trip costs ~80 µs, so items are large. */
export const DEFAULT_ITEM_BYTES = 1024 * 1024;

/** Items a stream runs on its own thread while its pool's first worker starts (see `run`). */
const COLD_ITEMS = 4;

/** The `workers` option: a count (0 = inline) or a shared pool. */
export type WorkersOption = number | WorkerPool;

/** The part of the worker API that work items use. */
type ItemApi = Pick<WorkerApi, 'seal' | 'open' | 'digest' | 'sealBlob' | 'segmentFromBlob'>;

/** Seals and opens segments' DATA frames for one stream. */
export class Engine {
  readonly inFlightLimit: number;
  /** The platform's allocator for buffers that are overwritten completely. */
  readonly allocate: Allocator;
  private readonly pool: WorkerPool | undefined;
  private readonly ownsPool: boolean;
  private readonly itemBytes: number;
  /** Runs an item call on a pool worker, or on this thread through the very same worker API. */
  private readonly run: <T>(call: (api: ItemApi) => Promise<T>) => Promise<T>;

  /** @param platform - passed in by the public API (bound by the package entry point) */
  constructor(
    readonly platform: Platform,
    workers: WorkersOption | undefined,
    itemBytes = DEFAULT_ITEM_BYTES,
  ) {
    this.allocate = allocator(platform);
    if (workers instanceof WorkerPool) {
      this.pool = workers;
      this.ownsPool = false;
    } else if (workers === undefined) {
      this.pool = defaultPoolOn(platform);
      this.ownsPool = false;
    } else if (Number.isInteger(workers) && workers >= 0 && workers <= 256) {
      this.pool = workers === 0 ? undefined : poolOn(platform, workers);
      this.ownsPool = workers > 0;
    } else {
      throw new StreamV2Error('BAD_ARGUMENT', 'workers must be an integer in 0..256 or a WorkerPool');
    }
    if (!Number.isInteger(itemBytes) || itemBytes < 1) {
      throw new StreamV2Error('BAD_ARGUMENT', 'itemBytes must be a positive integer');
    }
    this.itemBytes = itemBytes;
    // Enough segments in flight to keep every worker busy across a round trip, no more:
    // memory stays bounded whatever the input size and the reader's speed.
    this.inFlightLimit = this.pool ? 2 * this.pool.size + 2 : 1;
    const inline = createWorkerApi(platform.backends, platform.allocUninitialized);
    // As on the pool (pool.run): whatever a backend throws reaches the reader with a code.
    const runInline = <T>(call: (api: ItemApi) => Promise<T>) =>
      call(inline).catch((e: unknown) => {
        throw toStreamV2Error(e);
      });
    const pool = this.pool;
    // A worker takes tens of milliseconds to start (a fresh isolate and our module); until the
    // first one answers, a stream's first COLD_ITEMS items run here, with the same codec, so a
    // short stream is not slower with a pool than without (README, Start-up). No more: past
    // that the stream is long, and this thread's time is better spent feeding the workers than
    // competing with their start for the cores (measured: a 1 GiB stream lost up to 30 %).
    let coldItems = 0;
    this.run = pool
      ? (call) => {
          if (coldItems >= COLD_ITEMS || !pool.cold) return pool.run(call);
          coldItems++;
          pool.warm();
          return runInline(call);
        }
      : runInline;
  }

  /** scrypt off the main thread: the platform's native one, else a pool worker. */
  readonly scrypt: ScryptFn = (password, salt, logN) => {
    const native = this.platform.nativeScrypt;
    if (native) return native(password, salt, logN);
    if (this.pool) return this.pool.run((api) => api.scrypt(password, salt, logN));
    // workers: 0 on the Web platform: noble's async scrypt yields to the event loop.
    return scryptAsync(password, salt, { N: 2 ** logN, r: 8, p: 1, dkLen: 32, maxmem: scryptMaxmem(logN) });
  };

  /**
   * Seals the DATA frames of a segment. `plaintext` is the segment's plaintext, a view from
   * offset 0 of a buffer the caller gives up until this resolves.
   * @param room - spare bytes wanted at the end of the wire buffer (the segment tail)
   * @returns the new wire buffer (`output`), the frame hashes, and the plaintext buffer handed back
   */
  seal(session: SessionKey, range: FrameRange, plaintext: Uint8Array, room: number): Promise<SegmentWork> {
    return this.perItem(
      range,
      'plain',
      rangeWireSize(range) + room,
      (api, it, whole) =>
        api.seal(
          ship({ session, range: it.sub, room: whole ? room : 0 }, whole ? plaintext : plaintext.slice(...it.plain)),
        ),
      plaintext,
    );
  }

  /**
   * Opens the DATA frames of a segment. `wire` holds the segment from offset 0 of a buffer the
   * caller gives up until this resolves.
   * @returns the plaintext (`output`, a new buffer), the frame hashes, and the wire buffer
   *   handed back (its segment tail is still to be checked)
   */
  open(session: SessionKey, range: FrameRange, wire: Uint8Array): Promise<SegmentWork> {
    return this.perItem(
      range,
      'wire',
      rangePlaintextSize(range),
      (api, it, whole) => api.open(ship({ session, range: it.sub }, whole ? wire : wire.slice(...it.wire))),
      wire,
    );
  }

  /**
   * Seals the DATA frames of a segment whose plaintext the workers read themselves from
   * `source` at `offset` (`blob.slice(a, b).arrayBuffer()`, or a file read by path, in the
   * worker): this thread copies no plaintext. Undefined without a pool (`workers: 0`): the
   * caller reads the plaintext. A Blob must be cloneable to workers (see `canCrossToWorkers`).
   */
  sealFromBlob(
    session: SessionKey,
    range: FrameRange,
    source: WorkerSource,
    offset: number,
    room: number,
  ): Promise<SegmentWork> | undefined {
    const pool = this.pool;
    if (!pool) return undefined;
    // Always on a worker: only workers read Blobs and files themselves (never inline).
    return this.perItem(
      range,
      'plain',
      rangeWireSize(range) + room,
      (api, it, whole) =>
        api.sealBlob({ session, range: it.sub, source, offset: offset + it.plain[0], room: whole ? room : 0 }),
      undefined,
      (call) => pool.run(call),
    );
  }

  /**
   * Runs a segment's items. One item: `call` gets it whole (`whole`), its input travels and
   * comes back, the output is the worker's buffer. Several: `call` ships each item's part, and
   * their outputs are gathered into one new buffer of `outputSize`.
   */
  private async perItem(
    range: FrameRange,
    side: 'plain' | 'wire',
    outputSize: number,
    call: (api: ItemApi, it: Item, whole: boolean) => Promise<ItemResult>,
    input?: Uint8Array,
    run: <T>(call: (api: ItemApi) => Promise<T>) => Promise<T> = this.run,
  ): Promise<SegmentWork> {
    const items = this.items(range);
    if (items.length === 1) {
      const r = await run((api) => call(api, items[0] as Item, true));
      return { output: viewOf(r.output), hashes: r.hashes, input: r.input };
    }
    const other = side === 'plain' ? 'wire' : 'plain';
    const results = await Promise.all(items.map((it) => run((api) => call(api, it, false))));
    const output = this.allocate(outputSize);
    const hashes = new Uint8Array(range.count * 32);
    for (const [i, r] of results.entries()) {
      const it = items[i] as Item;
      output.set(viewOf(r.output), it[other][0]);
      hashes.set(r.hashes, (it.sub.firstFrame - range.firstFrame) * 32);
    }
    return { output, hashes, input: (input?.buffer as ArrayBuffer | undefined) ?? new ArrayBuffer(0) };
  }

  /**
   * Has a worker read segment `item.index` from a Blob or file, check it and open it (or check its
   * DIGEST value without the key): no ciphertext through this thread. Undefined without a pool.
   * @returns the plaintext (a new buffer) when opened, an empty one when only checked
   */
  segmentFromBlob(item: BlobSegmentItem): Promise<Uint8Array> | undefined {
    if (!this.pool) return undefined;
    return this.pool.run((api) => api.segmentFromBlob(item)).then((t) => (t ? viewOf(t) : new Uint8Array(0)));
  }

  /**
   * Checks a segment's DIGEST value without the key (spec §4), on a worker when there is a pool.
   * `wire` holds the segment from offset 0 of a buffer the caller gives up.
   * @throws StreamV2Error `DIGEST_MISMATCH`
   */
  digest(header: Uint8Array, seg: Omit<DigestItem, 'header' | 'data'>, wire: Uint8Array): Promise<void> {
    return this.run((api) => api.digest(ship({ header, ...seg }, wire)));
  }

  /** Releases a pool this engine created for itself. */
  close(): void {
    if (this.ownsPool) void this.pool?.terminate();
  }

  /**
   * Cuts a segment's DATA frames into work items of whole frames (spec §4 layout). Inline, a
   * segment stays whole: splitting would only copy it out and back on the same thread.
   */
  private items(range: FrameRange): Item[] {
    const perItem = this.pool ? Math.max(1, Math.floor(this.itemBytes / range.frameSize)) : range.count;
    const items: Item[] = [];
    for (let first = 0; first < range.count; first += perItem) {
      const count = Math.min(perItem, range.count - first);
      const lastLength = first + count === range.count ? range.lastLength : range.frameSize;
      const sub = { ...range, firstFrame: range.firstFrame + first, count, lastLength };
      const plainAt = first * range.frameSize;
      const wireAt = first * dataFrameWireSize(range.frameSize);
      items.push({
        sub,
        plain: [plainAt, plainAt + rangePlaintextSize(sub)],
        wire: [wireAt, wireAt + rangeWireSize(sub)],
      });
    }
    return items;
  }
}

/** One work item of a segment and the [start, end) it covers of the segment's plaintext and wire bytes. */
interface Item {
  sub: FrameRange;
  plain: [number, number];
  wire: [number, number];
}

/**
 * A segment's sealed or opened DATA frames: the output (wire bytes with room for the tail, or
 * plaintext) in a new buffer, the frame hashes, and the input buffer handed back.
 */
export interface SegmentWork {
  output: Uint8Array;
  hashes: Uint8Array;
  input: ArrayBuffer;
}

/** Packs an item for transfer: the buffer goes over whole, never cloned. */
function ship<T extends object>(fields: T, data: Uint8Array): T & { data: Transferred } {
  if (data.byteOffset !== 0) throw new StreamV2Error('BAD_ARGUMENT', 'work items must own their buffer');
  const buffer = data.buffer as ArrayBuffer;
  return transfer({ ...fields, data: { buffer, length: data.length } }, [buffer]);
}
