/**
 * openFile: a file Blob whose segments the workers read by path (Node's fs.openAsBlob Blobs
 * cannot cross to worker_threads). Same bytes as an in-memory Blob, no file bytes through the
 * main thread, and a file changed after it was opened is SOURCE_CHANGED.
 */
import { openAsBlob } from 'node:fs';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { encryptBlob, openEncrypted, openFile, type ResumeState, verifyDigests, WorkerPool } from '#lib';
import { randomBytes, toHex } from '../helpers.js';
import { codeOf, rangesOf, sameBytesOrIndex } from '../random-helpers.js';

const layout = { frameSize: 4096, framesPerSegment: 16 } as const; // 64 KiB segments
const key = new Uint8Array(32).fill(9);
const pool = new WorkerPool({ size: 2 });
let dir: string;
let plain: Uint8Array<ArrayBuffer>;
let wire: Uint8Array;
let state: ResumeState;
let plainPath: string;
let wirePath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sv2-file-'));
  plain = randomBytes(1024 * 1024 + 4321) as Uint8Array<ArrayBuffer>;
  const enc = await encryptBlob(new Blob([plain]), key, { ...layout, workers: 0 });
  wire = await enc.read(0, enc.ciphertextSize);
  state = enc.resumeState(); // every segment recorded: a resume re-seals and compares them all
  enc.close();
  plainPath = join(dir, 'plain.bin');
  wirePath = join(dir, 'plain.sv2');
  await writeFile(plainPath, plain);
  await writeFile(wirePath, wire);
});
afterAll(async () => {
  await pool.terminate();
  await rm(dir, { recursive: true, force: true });
});

/** Calls of Blob.prototype.slice on this thread while `run` runs. */
async function mainThreadSlices(run: () => Promise<void>): Promise<number> {
  const spy = vi.spyOn(Blob.prototype, 'slice');
  try {
    await run();
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}

it('the premise: a Blob of fs.openAsBlob cannot cross to worker_threads (so workers open the file by path)', async () => {
  const blob = await openAsBlob(plainPath);
  expect(() => structuredClone(blob)).toThrow(/not cloneable/);
  // openFile's Blob is one too: what crosses is its path.
  await expect(openFile(plainPath).then((b) => structuredClone(b))).rejects.toThrow(/not cloneable/);
});

describe.each([0, 2] as const)('openFile gives the bytes of an in-memory Blob, workers %i', (w) => {
  const workers = w === 0 ? 0 : pool;

  it('encryptBlob: decrypts to the plaintext; with workers, no segment is read on this thread', async () => {
    const file = await openFile(plainPath);
    expect(file.size).toBe(plain.length);
    let bytes: Uint8Array = new Uint8Array(0);
    const slices = await mainThreadSlices(async () => {
      const enc = await encryptBlob(file, key, { ...layout, workers });
      bytes = await enc.read(0, enc.ciphertextSize);
      enc.close();
    });
    // The salt differs per encryption: open it and compare the plaintext, and the sizes.
    expect(bytes.length).toBe(wire.length);
    const back = await openEncrypted(new Blob([bytes as Uint8Array<ArrayBuffer>]), key, { workers: 0 });
    expect(sameBytesOrIndex(await back.read(0, plain.length), plain)).toBe(-1);
    back.close();
    // Workers read the file themselves: no segment read on this thread (17 segments here).
    if (w === 2) expect(slices).toBe(0);
    else expect(slices).toBeGreaterThanOrEqual(17);
  });

  it("encryptBlob resumed under the in-memory encryption's header: byte-identical ciphertext", async () => {
    const enc = await encryptBlob(await openFile(plainPath), key, { workers, resume: state });
    expect(toHex(await enc.read(0, enc.ciphertextSize))).toBe(toHex(wire));
    enc.close();
  });

  it('openEncrypted: every range equals the plaintext; verifyDigests agrees with the in-memory Blob', async () => {
    const source = await openFile(wirePath);
    const slices = await mainThreadSlices(async () => {
      const file = await openEncrypted(source, key, { workers });
      try {
        for (const [a, b] of rangesOf(plain.length, 30, 40, 5)) {
          expect(sameBytesOrIndex(await file.read(a, b), plain.subarray(a, b)), `[${a}, ${b})`).toBe(-1);
        }
      } finally {
        file.close();
      }
    });
    // Only the header and the last TERMINATOR are read here when the workers read the file.
    if (w === 2) expect(slices).toBeLessThanOrEqual(3);
    const fromFile = await verifyDigests(await openFile(wirePath), { workers });
    const inMemory = await verifyDigests(new Blob([wire as Uint8Array<ArrayBuffer>]), { workers });
    expect(fromFile).toEqual(inMemory);
    expect(fromFile.ok).toBe(true);
  });
});

describe('openFile: a file changed after it was opened', () => {
  it.each([0, 2] as const)('modified (same size) or truncated: SOURCE_CHANGED, workers %i', async (w) => {
    const workers = w === 0 ? 0 : pool;
    const path = join(dir, `changed-${w}.sv2`);
    await writeFile(path, wire);
    const file = await openEncrypted(await openFile(path), key, { workers });
    const changed = wire.slice();
    changed[300_000] = (changed[300_000] as number) ^ 1;
    await new Promise((r) => setTimeout(r, 20)); // a later mtime
    await writeFile(path, changed);
    expect(await codeOf(file.read(0, plain.length))).toBe('SOURCE_CHANGED');
    file.close();

    await writeFile(path, wire);
    const source = await openFile(path);
    const enc = await verifyDigests(source, { workers }); // opened: it checks
    expect(enc.ok).toBe(true);
    await truncate(path, wire.length - 100_000);
    const after = await verifyDigests(source, { workers });
    expect(after.failure?.code).toBe('SOURCE_CHANGED');
  });

  it('encryptBlob of a plaintext file modified after openFile is SOURCE_CHANGED (2 workers)', async () => {
    const path = join(dir, 'p-changed.bin');
    await writeFile(path, plain);
    const enc = await encryptBlob(await openFile(path), key, { ...layout, workers: pool });
    await new Promise((r) => setTimeout(r, 20));
    await writeFile(path, randomBytes(plain.length));
    expect(await codeOf(enc.read(0, enc.ciphertextSize))).toBe('SOURCE_CHANGED');
    enc.close();
  });

  it('a resume state of an openFile Blob records the mtime: a file rewritten with the same size is refused up front', async () => {
    const path = join(dir, 'p-resume.bin');
    await writeFile(path, plain);
    const enc = await encryptBlob(await openFile(path), key, { ...layout, workers: pool });
    await enc.read(0, 80 + 70_000); // segment 0 released
    const state = enc.resumeState();
    enc.close();
    expect(typeof state.lastModified).toBe('number');
    const same = await encryptBlob(await openFile(path), key, { workers: pool, resume: state });
    expect((await same.read(0, 100)).length).toBe(100);
    same.close();
    await new Promise((r) => setTimeout(r, 20)); // a later mtime
    await writeFile(path, plain); // same size, same bytes, but rewritten
    expect(await codeOf(encryptBlob(await openFile(path), key, { workers: pool, resume: state }))).toBe(
      'SOURCE_CHANGED',
    );
  });

  it('a file deleted after openFile is SOURCE_CHANGED in the workers', async () => {
    const path = join(dir, 'deleted.bin');
    await writeFile(path, plain);
    const enc = await encryptBlob(await openFile(path), key, { ...layout, workers: pool });
    await rm(path); // encryptBlob reads nothing on this thread: the workers find it gone
    expect(await codeOf(enc.read(0, enc.ciphertextSize))).toBe('SOURCE_CHANGED');
    enc.close();
  });

  it('a missing file is SOURCE_FAILED; a path of the empty string is BAD_ARGUMENT', async () => {
    expect(await codeOf(openFile(join(dir, 'missing')))).toBe('SOURCE_FAILED');
    expect(await codeOf(openFile(''))).toBe('BAD_ARGUMENT');
  });
});

describe('slices of file-backed Blobs (a Node hazard)', () => {
  /**
   * Node clones a slice of an `fs.openAsBlob` Blob to a worker_threads worker (the whole Blob it
   * refuses), and reading it there aborts the process (FATAL ERROR in v8::HandleScope). So the
   * library never hands a Blob to a Node worker: run in a child process, whose death would be
   * the failure.
   */
  it('encryptBlob, openEncrypted and verifyDigests of such a slice, on a pool, finish with the right bytes', async () => {
    const { spawnSync } = await import('node:child_process');
    const script = `
      import { openAsBlob } from 'node:fs';
      import { encryptBlob, openEncrypted, verifyDigests, WorkerPool } from ${JSON.stringify(new URL('../../dist/node.js', import.meta.url).href)};
      const pool = new WorkerPool({ size: 2 });
      await pool.start();
      const key = new Uint8Array(32).fill(1);
      const plain = (await openAsBlob(${JSON.stringify(plainPath)})).slice(1000, 900000);
      const enc = await encryptBlob(plain, key, { workers: pool });
      const wire = await enc.read(0, enc.ciphertextSize);
      enc.close();
      const { writeFileSync } = await import('node:fs');
      writeFileSync(${JSON.stringify(join(dir, 'slice.sv2'))}, wire);
      const held = (await openAsBlob(${JSON.stringify(join(dir, 'slice.sv2'))})).slice(0);
      const file = await openEncrypted(held, key, { workers: pool });
      const back = await file.read(0, file.plaintextSize);
      file.close();
      const same = Buffer.from(back).equals(Buffer.from(await plain.arrayBuffer()));
      const r = await verifyDigests(held, { workers: pool });
      await pool.terminate();
      console.log(same && r.ok ? 'ok' : 'wrong');
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).not.toContain('FATAL');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('ok');
  });
});
