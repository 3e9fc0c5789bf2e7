/**
 * Runs the DATA-frame work of a segment, inline (`workers: 0`) or on a worker pool, with the
 * same codec either way. A segment whose plaintext fits in one work item travels whole and
 * comes back in the same buffer (no copy); a larger one is cut into items of whole frames.
 */
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { transfer } from 'comlink';
import type { ScryptFn } from '../codec/keys.js';
import type { FrameRange } from '../codec/segment.js';
import type { SessionKey } from '../crypto/select.js';
import { StreamV2Error } from '../errors.js';
import { dataFrameWireSize } from '../format/sizes.js';
import { getPlatform } from '../platform/types.js';
import { getDefaultPool, WorkerPool } from '../pool/pool.js';
import type { ItemResult, Transferred, WorkerApi } from '../pool/protocol.js';
import { createWorkerApi, scryptMaxmem } from '../pool/worker-api.js';

/** Default plaintext bytes per work item: a round trip costs ~80 µs, so items are large. */
export const DEFAULT_ITEM_BYTES = 1024 * 1024;

/** The `workers` option: a count (0 = inline) or a shared pool. */
export type WorkersOption = number | WorkerPool;

type ItemFn = (range: FrameRange, data: Uint8Array) => Promise<ItemResult>;
/** The part of the worker API that work items use. */
type ItemApi = Pick<WorkerApi, 'seal' | 'open'>;

/** Seals and opens segments' DATA frames for one stream. */
export class Engine {
  readonly inFlightLimit: number;
  private readonly pool: WorkerPool | undefined;
  private readonly ownsPool: boolean;
  private readonly itemBytes: number;
  /** Runs an item call on a pool worker, or on this thread through the very same worker API. */
  private readonly run: <T>(call: (api: ItemApi) => Promise<T>) => Promise<T>;

  constructor(workers: WorkersOption | undefined, itemBytes = DEFAULT_ITEM_BYTES) {
    if (workers instanceof WorkerPool) {
      this.pool = workers;
      this.ownsPool = false;
    } else if (workers === undefined) {
      this.pool = getDefaultPool();
      this.ownsPool = false;
    } else if (Number.isInteger(workers) && workers >= 0 && workers <= 256) {
      this.pool = workers === 0 ? undefined : new WorkerPool({ size: workers });
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
    this.inFlightLimit = this.pool ? this.pool.size + 2 : 1;
    const pool = this.pool;
    if (pool) {
      this.run = (call) => pool.run(call);
    } else {
      const inline = createWorkerApi(getPlatform().backends, () => {});
      this.run = (call) => call(inline);
    }
  }

  /** scrypt off the main thread: the platform's native one, else a pool worker. */
  readonly scrypt: ScryptFn = (password, salt, logN) => {
    const native = getPlatform().nativeScrypt;
    if (native) return native(password, salt, logN);
    if (this.pool) return this.pool.run((api) => api.scrypt(password, salt, logN));
    // workers: 0 on the Web platform: noble's async scrypt yields to the event loop.
    return scryptAsync(password, salt, { N: 2 ** logN, r: 8, p: 1, dkLen: 32, maxmem: scryptMaxmem(logN) });
  };

  /**
   * Seals the DATA frames of a segment in `wire` (plaintext at body positions).
   * @returns the sealed wire buffer (maybe a new view) and the frame hashes
   */
  async seal(session: SessionKey, range: FrameRange, wire: Uint8Array) {
    const { wire: out, hashes } = await this.split(range, wire, false, (r, data) =>
      this.run((api) => api.seal(ship({ session, range: r }, data))),
    );
    return { wire: out, hashes };
  }

  /**
   * Opens the DATA frames of a segment.
   * @returns the plaintext, the wire buffer still holding the segment tail, the frame hashes
   */
  open(session: SessionKey, range: FrameRange, wire: Uint8Array) {
    return this.split(range, wire, true, (r, data) => this.run((api) => api.open(ship({ session, range: r }, data))));
  }

  /** Releases a pool this engine created for itself. */
  close(): void {
    if (this.ownsPool) void this.pool?.terminate();
  }

  private async split(range: FrameRange, wire: Uint8Array, opening: boolean, item: ItemFn) {
    const perItem = Math.max(1, Math.floor(this.itemBytes / range.frameSize));
    if (range.count <= perItem) {
      // One item: the whole buffer travels and comes back (spec layout unchanged).
      const r = await item(range, wire);
      const out = new Uint8Array(r.data.buffer, 0, r.data.length);
      return { wire: out, plaintext: out.subarray(0, r.plaintextLength), hashes: r.hashes };
    }
    const full = dataFrameWireSize(range.frameSize);
    const jobs: Promise<ItemResult>[] = [];
    for (let first = 0; first < range.count; first += perItem) {
      const count = Math.min(perItem, range.count - first);
      const last = first + count === range.count;
      const end = first * full + (count - 1) * full + dataFrameWireSize(last ? range.lastLength : range.frameSize);
      const sub = {
        ...range,
        firstFrame: range.firstFrame + first,
        count,
        lastLength: last ? range.lastLength : range.frameSize,
      };
      jobs.push(item(sub, wire.slice(first * full, end)));
    }
    const results = await Promise.all(jobs);
    const hashes = new Uint8Array(range.count * 32);
    let plain = 0;
    for (const r of results) plain += r.plaintextLength;
    const plaintext = new Uint8Array(opening ? plain : 0);
    let at = 0;
    results.forEach((r, i) => {
      const bytes = new Uint8Array(r.data.buffer, 0, r.data.length);
      hashes.set(r.hashes, i * perItem * 32);
      if (opening) {
        plaintext.set(bytes.subarray(0, r.plaintextLength), at);
        at += r.plaintextLength;
      } else {
        wire.set(bytes, i * perItem * full);
      }
    });
    return { wire, plaintext, hashes };
  }
}

/** Packs an item for transfer: the buffer goes over whole, never cloned. */
function ship<T extends object>(fields: T, data: Uint8Array): T & { data: Transferred } {
  if (data.byteOffset !== 0) throw new StreamV2Error('BAD_ARGUMENT', 'work items must own their buffer');
  const buffer = data.buffer as ArrayBuffer;
  return transfer({ ...fields, data: { buffer, length: data.length } }, [buffer]);
}
