/**
 * `npm run bench:browser` runs end to end on a tiny size in headless Chromium and writes every
 * row it promises (docs/BENCHMARKS.md, Browser), with ratios computed from those rows: its
 * numbers are meaningless here, its shape is not.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import * as lib from '#lib';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Row {
  id: string;
  dir: 'encrypt' | 'decrypt';
  mbps: number;
  runs: number[];
  cpuPerGiB: number;
  cores: Record<string, number>;
}
interface Results {
  config: { bytes: number; runs: number; poolSize: number };
  ceiling: { workers: number; mbps: number; runs: number[] };
  rows: Row[];
  ratios: { id: string; dir: string; of: string; ratio: number }[];
  targets: { name: string; value: number; goal: number; pass: boolean }[];
  engines: Record<string, { userAgent: string; rows: Row[]; ceiling: { runs: number[] } }>;
  serve: {
    rows: { id: string; mbps: number; runs: number[] }[];
    ratios: Record<string, number>;
    seek: { requests: number; fetched: number; covering: number }[];
    save: { bytes: number; sha256Equal: boolean; rssBefore: number; rssPeak: number; floor: { mbps: number } };
  };
}

const positive = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x > 0;

it('bench/browser/run.mjs times every row and the ceiling, and pairs their runs into ratios', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stream-v2-bbench-'));
  try {
    const json = join(dir, 'results.json');
    const r = spawnSync(process.execPath, ['bench/browser/run.mjs', '--json', json], {
      cwd: root,
      timeout: 120_000,
      env: {
        ...process.env,
        BENCH_MIB: '4',
        BENCH_RUNS: '2',
        BENCH_ROWS: '',
        // Chromium (every section) and one engine driven without a driver (engines.mjs), for its shape.
        BENCH_ENGINES: 'chromium,firefox',
        BENCH_SERVE_MIB: '4',
        BENCH_SAVE_MIB: '4',
      },
    });
    expect(r.status, r.stderr.toString()).toBe(0);
    const res = JSON.parse(readFileSync(json, 'utf8')) as Results;
    expect(res.config).toMatchObject({ bytes: 4 * 1024 * 1024, runs: 2 });
    expect(res.ceiling.workers).toBe(res.config.poolSize);
    expect(res.ceiling.runs).toHaveLength(2);
    // every row, both directions; the Blob path once the library has it
    const ids = ['v2-aes', 'v2-aes-w0', 'v2-chacha', 'openpgp', 'age', 'blob-read'];
    if (typeof (lib as Record<string, unknown>).encryptBlob === 'function') ids.push('v2-blob');
    expect(new Set(res.rows.map((x) => x.id))).toEqual(new Set(ids));
    expect(res.rows).toHaveLength(2 * ids.length);
    for (const x of res.rows) {
      expect(x.runs).toHaveLength(2);
      expect(positive(x.mbps) && x.runs.every(positive)).toBe(true);
    }
    // a ratio to the ceiling and to every other row of the same direction, each the median
    // (with 2 rounds: the mean) of the per-round ratios of the rows' own runs
    const runsOf = (id: string, d: string) =>
      id === 'ceiling' ? res.ceiling.runs : (res.rows.find((x) => x.id === id && x.dir === d)?.runs as number[]);
    expect(res.ratios).toHaveLength(res.rows.length * ids.length);
    for (const q of res.ratios) {
      const [a, b] = [runsOf(q.id, q.dir), runsOf(q.of, q.dir)];
      expect(q.ratio).toBeCloseTo(((a[0] as number) / (b[0] as number) + (a[1] as number) / (b[1] as number)) / 2, 9);
    }
    const ratio = (id: string, d: string, of: string) =>
      res.ratios.find((q) => q.id === id && q.dir === d && q.of === of);
    expect(res.targets.map((t) => t.value)).toEqual([
      ratio('v2-aes', 'encrypt', 'openpgp')?.ratio,
      ratio('v2-aes', 'decrypt', 'openpgp')?.ratio,
      ratio('v2-aes', 'encrypt', 'ceiling')?.ratio,
    ]);
    for (const t of res.targets) expect(t.pass).toBe(t.value >= t.goal);
    expect(r.stdout.toString()).toMatch(/ceiling \(\d+ Web Workers/);
    // The Service Worker rows, paired the same way; the seek; the save through the worker.
    const sv = res.serve;
    expect(sv.rows.map((x) => x.id)).toEqual(['page-pool', 'page-w0', 'sw', 'sw-page-pool']);
    for (const x of sv.rows) expect(x.runs.length === 2 && x.runs.every(positive)).toBe(true);
    const runsOf2 = (id: string) => sv.rows.find((x) => x.id === id)?.runs as number[];
    const paired = (a: string, b: string) =>
      ((runsOf2(a)[0] as number) / (runsOf2(b)[0] as number) + (runsOf2(a)[1] as number) / (runsOf2(b)[1] as number)) /
      2;
    expect(sv.ratios['sw/page-w0']).toBeCloseTo(paired('sw', 'page-w0'), 9);
    expect(sv.ratios['sw/page-pool']).toBeCloseTo(paired('sw', 'page-pool'), 9);
    expect(sv.seek).toHaveLength(2);
    for (const q of sv.seek) expect(q.requests >= 1 && q.fetched > 0 && q.covering >= 1).toBe(true);
    expect(sv.save).toMatchObject({ bytes: 4 * 1024 * 1024, sha256Equal: true });
    expect(sv.save.rssPeak).toBeGreaterThanOrEqual(sv.save.rssBefore);
    expect(positive(sv.save.floor.mbps)).toBe(true);
    // Firefox: the same rows and ceiling, run unattended, under `engines`, and a column of the table.
    const ff = res.engines['firefox'];
    expect(ff?.userAgent).toMatch(/Firefox/);
    expect(new Set(ff?.rows.map((x) => x.id))).toEqual(new Set(ids));
    expect(ff?.rows.every((x) => x.runs.length === 2 && x.runs.every(positive))).toBe(true);
    expect(ff?.ceiling.runs).toHaveLength(2);
    expect(r.stdout.toString()).toMatch(/^row\tdir\tchromium\tfirefox$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 180_000); // a loaded 2-core host: spawnSync allows 120 s
