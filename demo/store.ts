/**
 * The demo's storage: a tus FileStore that counts the bytes each upload really received, the
 * keyless verdict of every finished upload (verifyDigests: the server never has a key), and the
 * demo-only tamper switch (demo/tamper.ts).
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { FileStore } from '@tus/file-store';
import * as library from 'stream-v2';
import { verifyDigests } from 'stream-v2';
import type { openFile as OpenFile } from '../src/index-node.js';
import { flipByte } from './tamper.js';

/**
 * The Node entry's openFile. In Node `stream-v2` is dist/node.js, which has it; the project's
 * type check resolves `stream-v2` without the `node` condition (the browser declarations).
 */
const openFile = (library as unknown as { openFile: typeof OpenFile }).openFile;

/** How far back {@link FileInfo.receiving} looks. */
export const RECEIVING_WINDOW_MS = 5000;

/** What the server knows of one stored file. */
export interface FileInfo {
  id: string;
  name: string;
  /** Ciphertext bytes announced (tus Upload-Length) and stored so far. */
  size: number;
  offset: number;
  /** All `size` bytes are stored: only then is it a file to serve, check or tamper with. */
  finished: boolean;
  /** Bytes written by PATCH requests, summed: a resumed upload adds only what was missing. */
  received: number;
  /** Bytes written in the last 5 s: more than 0 while a client is sending. */
  receiving: number;
  /** When the upload was created (ISO 8601), so two uploads of one name can be told apart. */
  created?: string;
  /**
   * The size of the file's key envelope (demo/envelopes.ts), when it was encrypted to
   * recipients and the envelope is stored: then the ciphertext opens with the file key it seals.
   */
  envelope?: number;
  /** The keyless check is running: the verdict comes when it ends. */
  checking: boolean;
  verdict?: Verdict;
  tampered?: number;
}

/** The keyless check of a stored file (spec §4 DIGEST values, §5/§6 structure). */
export interface Verdict {
  ok: boolean;
  segments: number;
  plaintextSize?: number;
  code?: string;
  segmentIndex?: number;
  message?: string;
  checkedAt: string;
}

/**
 * A FileStore that counts what each upload receives, and offers only the tus extensions the demo
 * allows: never `creation-defer-length` (the page always knows the size, and an upload without
 * one would escape the size check at creation), and `termination` only where DELETE is on.
 */
export class CountingStore extends FileStore {
  readonly received = new Map<string, number>();
  /** Per upload, the recent writes (time, bytes), oldest first, for {@link FileInfo.receiving}. */
  private readonly recent = new Map<string, Array<[number, number]>>();

  constructor(
    private readonly options: { directory: string; termination: boolean; removed(id: string): Promise<void> },
  ) {
    super({ directory: options.directory });
    this.extensions = this.extensions.filter(
      (e) => e !== 'creation-defer-length' && (options.termination || e !== 'termination'),
    );
  }

  override async write(readable: IncomingMessage | Readable, id: string, offset: number): Promise<number> {
    const end = await super.write(readable, id, offset); // the new offset
    this.count(id, end - offset);
    return end;
  }

  /** Counts `n` bytes written to upload `id` (tus's write above, or the direct PATCH path). */
  count(id: string, n: number): void {
    if (n <= 0) return;
    this.received.set(id, (this.received.get(id) ?? 0) + n);
    const now = Date.now();
    const log = this.recent.get(id) ?? [];
    log.push([now, n]);
    this.recent.set(id, this.prune(log, now));
  }

  /** Bytes written to upload `id` in the last {@link RECEIVING_WINDOW_MS}. */
  receiving(id: string): number {
    const log = this.recent.get(id);
    if (!log) return 0;
    const kept = this.prune(log, Date.now());
    if (kept.length === 0) this.recent.delete(id);
    return kept.reduce((sum, [, n]) => sum + n, 0);
  }

  private prune(log: Array<[number, number]>, now: number): Array<[number, number]> {
    let i = 0;
    while (i < log.length && (log[i] as [number, number])[0] < now - RECEIVING_WINDOW_MS) i++;
    return i === 0 ? log : log.slice(i);
  }

  override async remove(id: string): Promise<void> {
    await super.remove(id);
    this.received.delete(id);
    this.recent.delete(id);
    await this.options.removed(id);
  }
}

/** The stored uploads: their state, their keyless verdicts, the demo's tamper switch. */
export class Files {
  readonly store: CountingStore;
  private readonly verdicts = new Map<string, Verdict>();
  private readonly tampered = new Map<string, number>();
  /** Checks under way, by id: a second request for one waits for the same check. */
  private readonly checks = new Map<string, Promise<Verdict>>();

  /** @param termination - whether tus DELETE may remove uploads (DEMO_DELETE=1) */
  constructor(
    readonly directory: string,
    termination = false,
  ) {
    this.store = new CountingStore({
      directory,
      termination,
      // What the server kept about a removed upload goes with it.
      removed: async (id) => {
        this.verdicts.delete(id);
        this.tampered.delete(id);
        await rm(`${this.path(id)}.envelope`, { force: true }); // demo/envelopes.ts
      },
    });
  }

  /** The stored ciphertext of an upload (the file tus writes, named by its id). */
  path(id: string): string | undefined {
    return /^[0-9a-f]{16,64}$/.test(id) ? join(this.directory, id) : undefined;
  }

  /** Every stored upload, by name. */
  async list(): Promise<FileInfo[]> {
    const names = await readdir(this.directory).catch(() => [] as string[]);
    const out: FileInfo[] = [];
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      const info = await this.info(name.slice(0, -'.json'.length));
      if (info) out.push(info);
    }
    return out.sort((a, b) => a.name.localeCompare(b.name) || (a.created ?? '').localeCompare(b.created ?? ''));
  }

  /** One stored upload; undefined when there is none with this id. */
  async info(id: string): Promise<FileInfo | undefined> {
    const path = this.path(id);
    if (!path) return undefined;
    try {
      const meta = JSON.parse(await readFile(`${path}.json`, 'utf8')) as {
        size?: number;
        metadata?: Record<string, string>;
        creation_date?: string;
      };
      const { size } = await stat(path);
      const envelope = await stat(`${path}.envelope`).then(
        (s) => s.size,
        () => undefined,
      );
      return {
        id,
        name: meta.metadata?.filename ?? id,
        size: meta.size ?? 0,
        offset: size,
        finished: meta.size !== undefined && size === meta.size,
        received: this.store.received.get(id) ?? 0,
        receiving: this.store.receiving(id),
        created: meta.creation_date,
        envelope,
        checking: this.checks.has(id),
        verdict: this.verdicts.get(id),
        tampered: this.tampered.get(id),
      };
    } catch {
      return undefined;
    }
  }

  /**
   * The SHA-256 (hex) of upload `id`'s owner token, set by its tus creation (metadata `owner`):
   * undefined for an upload made without one (demo/envelopes.ts).
   */
  async owner(id: string): Promise<string | undefined> {
    const path = this.path(id);
    if (!path) return undefined;
    try {
      const meta = JSON.parse(await readFile(`${path}.json`, 'utf8')) as { metadata?: Record<string, string> };
      const owner = meta.metadata?.['owner'];
      return typeof owner === 'string' && /^[0-9a-f]{64}$/.test(owner) ? owner : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Runs the keyless check on a stored upload and keeps its verdict; while it runs the file's
   * info says `checking`. A check asked for while one runs gets that one's verdict.
   */
  verify(id: string): Promise<Verdict> {
    const running = this.checks.get(id);
    if (running) return running;
    const check = this.check(id).finally(() => this.checks.delete(id));
    this.checks.set(id, check);
    return check;
  }

  private async check(id: string): Promise<Verdict> {
    // openFile, not fs.openAsBlob: the pool's workers read the file themselves by path (the
    // main thread reads every segment of an openAsBlob Blob), about half the server's CPU.
    const result = await verifyDigests(await openFile(this.path(id) as string));
    const f = result.failure;
    const verdict: Verdict = {
      ok: result.ok,
      segments: result.segments,
      plaintextSize: result.ok ? result.plaintextSize : undefined,
      code: f?.code,
      segmentIndex: f?.segmentIndex,
      message: f?.message,
      checkedAt: new Date().toISOString(),
    };
    this.verdicts.set(id, verdict);
    return verdict;
  }

  /** Demo mode only: flips one byte of the middle segment (demo/tamper.ts); its offset. */
  async tamper(id: string): Promise<number> {
    await this.checks.get(id)?.catch(() => {}); // a check reading the file while it changes would say either
    const at = await flipByte(this.path(id) as string);
    this.tampered.set(id, at);
    return at;
  }
}
