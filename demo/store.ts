/**
 * The demo's storage: a tus FileStore that counts the bytes each upload really received, the
 * keyless verdict of every finished upload (verifyDigests: the server never has a key), and the
 * demo-only tamper switch.
 */
import { open, readdir, readFile, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { FileStore } from '@tus/file-store';
import { ciphertextSize, parseHeader, verifyDigests } from 'stream-v2';

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

  constructor(private readonly options: { directory: string; termination: boolean; removed(id: string): void }) {
    super({ directory: options.directory });
    this.extensions = this.extensions.filter(
      (e) => e !== 'creation-defer-length' && (options.termination || e !== 'termination'),
    );
  }

  override async write(readable: IncomingMessage | Readable, id: string, offset: number): Promise<number> {
    const end = await super.write(readable, id, offset); // the new offset
    this.received.set(id, (this.received.get(id) ?? 0) + (end - offset));
    return end;
  }

  override async remove(id: string): Promise<void> {
    await super.remove(id);
    this.received.delete(id);
    this.options.removed(id);
  }
}

/** The stored uploads: their state, their keyless verdicts, the demo's tamper switch. */
export class Files {
  readonly store: CountingStore;
  private readonly verdicts = new Map<string, Verdict>();
  private readonly tampered = new Map<string, number>();

  /** @param termination - whether tus DELETE may remove uploads (DEMO_DELETE=1) */
  constructor(
    readonly directory: string,
    termination = false,
  ) {
    this.store = new CountingStore({
      directory,
      termination,
      // What the server kept about a removed upload goes with it.
      removed: (id) => {
        this.verdicts.delete(id);
        this.tampered.delete(id);
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
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** One stored upload; undefined when there is none with this id. */
  async info(id: string): Promise<FileInfo | undefined> {
    const path = this.path(id);
    if (!path) return undefined;
    try {
      const meta = JSON.parse(await readFile(`${path}.json`, 'utf8')) as {
        size?: number;
        metadata?: Record<string, string>;
      };
      const { size } = await stat(path);
      return {
        id,
        name: meta.metadata?.filename ?? id,
        size: meta.size ?? 0,
        offset: size,
        finished: meta.size !== undefined && size === meta.size,
        received: this.store.received.get(id) ?? 0,
        verdict: this.verdicts.get(id),
        tampered: this.tampered.get(id),
      };
    } catch {
      return undefined;
    }
  }

  /** Runs the keyless check on a stored upload and keeps its verdict. */
  async verify(id: string): Promise<Verdict> {
    const path = this.path(id) as string;
    const { openAsBlob } = await import('node:fs');
    const result = await verifyDigests(await openAsBlob(path));
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

  /**
   * Demo mode only: flips one byte in the middle of the stored ciphertext, inside a DATA frame
   * body of the middle segment, so earlier segments still verify and that one does not.
   */
  async tamper(id: string): Promise<number> {
    const path = this.path(id) as string;
    const { size } = await stat(path);
    const at = pickTamperOffset(size, await readHeader(path));
    const fh = await open(path, 'r+');
    try {
      const b = new Uint8Array(1);
      await fh.read(b, 0, 1, at);
      b[0] = (b[0] as number) ^ 0x01;
      await fh.write(b, 0, 1, at);
    } finally {
      await fh.close();
    }
    this.tampered.set(id, at);
    return at;
  }
}

async function readHeader(path: string): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const b = new Uint8Array(80);
    await fh.read(b, 0, 80, 0);
    return b;
  } finally {
    await fh.close();
  }
}

/** An offset 10 bytes into the first DATA frame body of the middle segment (spec §5 sizes). */
function pickTamperOffset(size: number, headerBytes: Uint8Array): number {
  const layout = parseHeader(headerBytes);
  const s = layout.frameSize * layout.framesPerSegment;
  const w = ciphertextSize(2 * s, layout) - ciphertextSize(s, layout); // a full segment's wire size
  const segments = Math.max(1, Math.ceil((size - 80) / w));
  const k = Math.floor((segments - 1) / 2);
  return Math.min(80 + k * w + 18 + 10, size - 1);
}
