/**
 * The benchmark script runs end to end on tiny sizes and writes every figure it promises
 * (docs/BENCHMARKS.md): its numbers are meaningless here, its shape is not.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  mbps: number;
  runs: number[];
  cpuPerGiB: number;
}
interface Paired extends Run {
  ratio: number;
  base: { mbps: number; runs: number[] };
}
interface Results {
  ceiling: Run[];
  handoff: (Run & { ofCeiling: number })[];
  library: (Paired & { dir: string; workers: number })[];
  pipe: { aboveIdleMiB: number; peakMiB: number };
  targets: { name: string; value: number; pass: boolean }[];
}

const positive = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x > 0;

it('bench/bench.mjs runs every section and writes paired ratios, CPU per GiB and 13 targets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stream-v2-bench-'));
  try {
    const json = join(dir, 'results.json');
    const r = spawnSync(process.execPath, ['--expose-gc', 'bench/bench.mjs', '--json', json], {
      cwd: root,
      timeout: 120_000,
      env: {
        ...process.env,
        BENCH_GIB: String(1 / 64),
        BENCH_RUNS: '2',
        BENCH_PIPE_GIB: String(1 / 32),
        BENCH_ONLY: 'pipe,ceiling,handoff,lib,nodepipe',
      },
    });
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
    const res = JSON.parse(readFileSync(json, 'utf8')) as Results;
    expect(res.ceiling).toHaveLength(12);
    expect(res.handoff).toHaveLength(4);
    expect(res.library).toHaveLength(12);
    for (const x of [...res.ceiling, ...res.handoff, ...res.library]) {
      expect(x.runs).toHaveLength(2);
      expect(positive(x.mbps) && positive(x.cpuPerGiB)).toBe(true);
    }
    for (const x of res.library) {
      expect(x.base.runs).toHaveLength(2);
      // the median of per-pair ratios lies between the smallest and largest pair's ratio
      const pairs = x.runs.map((m, i) => m / (x.base.runs[i] as number));
      expect(x.ratio).toBeGreaterThanOrEqual(Math.min(...pairs) - 1e-9);
      expect(x.ratio).toBeLessThanOrEqual(Math.max(...pairs) + 1e-9);
      // ... and with 2 runs it is their mean, which a ratio of medians is not in general
      expect(x.ratio).toBeCloseTo(((pairs[0] as number) + (pairs[1] as number)) / 2, 9);
    }
    expect(positive(res.pipe.peakMiB)).toBe(true);
    expect(res.targets).toHaveLength(13);
    for (const t of res.targets) expect(Number.isFinite(t.value) && typeof t.pass === 'boolean').toBe(true);
    expect(r.stdout.toString()).toMatch(/\n\d+\/13 targets met\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 180_000); // a loaded 2-core host: spawnSync allows 120 s

interface BlobResults {
  machine: { cores: number };
  blob: {
    rows: (Paired & { workers: number; dir: string; path: string })[];
    random: { workers: number; path: string; count: number; rangeBytes: number; rangesPerS: number }[];
  };
  targets: { name: string; value: number; limit: number; pass: boolean }[];
}

it('bench/bench.mjs BENCH_ONLY=blob: Blob paths and the stream path paired with the ceiling at 1 and 2 workers, random reads, targets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stream-v2-bench-'));
  try {
    const json = join(dir, 'results.json');
    const r = spawnSync(process.execPath, ['--expose-gc', 'bench/bench.mjs', '--json', json], {
      cwd: root,
      timeout: 110_000,
      env: { ...process.env, BENCH_GIB: String(1 / 256), BENCH_RUNS: '2', BENCH_RANGES: '5', BENCH_ONLY: 'blob' },
    });
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
    const res = JSON.parse(readFileSync(json, 'utf8')) as BlobResults;
    const rows = res.blob.rows;
    expect(rows.map((x) => `${x.workers} ${x.dir} ${x.path}`)).toEqual(
      [1, 2].flatMap((w) =>
        ['encrypt', 'decrypt'].flatMap((d) =>
          ['stream', 'openAsBlob', 'openFile', 'floor'].map((p) => `${w} ${d} ${p}`),
        ),
      ),
    );
    for (const x of rows) {
      expect(x.runs).toHaveLength(2);
      expect(x.base.runs).toHaveLength(2);
      const pairs = x.runs.map((m, i) => m / (x.base.runs[i] as number));
      expect(x.ratio).toBeCloseTo(((pairs[0] as number) + (pairs[1] as number)) / 2, 9);
    }
    expect(res.blob.random.map((x) => `${x.workers} ${x.path} ${x.count}`)).toEqual(['2 openAsBlob 5', '2 openFile 5']);
    for (const x of res.blob.random) expect(positive(x.rangesPerS) && x.rangeBytes > 0).toBe(true);
    // Targets: the Blob paths where the workers leave the main thread a core, and random reads;
    // the floor (a baseline) is reported, not a target.
    const held = [1, 2].filter((w) => w < res.machine.cores).length;
    expect(res.targets).toHaveLength(4 * held + 2);
    for (const t of res.targets.filter((x) => x.name.startsWith('blob '))) {
      const x = rows.find((y) => t.name === `blob ${y.dir} (${y.path}) workers ${y.workers} ≥ 0.9 × ceiling`);
      expect(x?.workers).toBeLessThan(res.machine.cores);
      expect(t.value).toBe(x?.ratio);
      expect(t.pass).toBe((x?.ratio as number) >= 0.9);
    }
    for (const x of res.blob.random) {
      const t = res.targets.find((y) => y.name === `random reads (${x.path}) workers 2 ≥ 200 ranges/s`);
      expect(t?.value).toBe(x.rangesPerS);
      expect(t?.pass).toBe(x.rangesPerS >= 200);
    }
    expect(r.stdout.toString()).toMatch(new RegExp(`\\n\\d+/${4 * held + 2} targets met\\n`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);

interface PeerDir {
  mbps: number;
  runs: number[];
  v2Runs?: number[];
  ratio?: number;
}
interface PeerRow {
  peer: string;
  label: string;
  encrypt: PeerDir;
  decrypt: PeerDir;
  pipe?: PeerDir & { aboveIdleMiB: number; maxAboveIdleMiB: number; aboveStartMiB: number };
  startup: { loadMs: number; firstChunkMs: number; first64KiBMs: number; doneMs: number; runs: unknown[] };
}
interface PeerResults {
  machine: { node: string };
  peers: { rows: PeerRow[] };
  targets: { name: string; value: number; limit: number; pass: boolean }[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

const PEER_NAMES = ['stream-v2', 'stream-v2-w0', 'openpgp', 'libsodium', 'age', 'node-gcm'];

it('bench/bench.mjs BENCH_ONLY=peers: every peer, ratios stream-v2 ÷ peer as medians of pairs, 6 targets, charts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stream-v2-bench-'));
  try {
    const json = join(dir, 'results.json');
    const img = join(dir, 'img');
    const r = spawnSync(process.execPath, ['--expose-gc', 'bench/bench.mjs', '--json', json, '--charts', img], {
      cwd: root,
      timeout: 170_000,
      env: { ...process.env, BENCH_GIB: String(1 / 1024), BENCH_RUNS: '2', BENCH_ONLY: 'peers' },
    });
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
    const res = JSON.parse(readFileSync(json, 'utf8')) as PeerResults;
    expect(res.machine.node).toBe(process.version);
    const rows = res.peers.rows;
    expect(rows.map((x) => x.peer).filter((p) => p !== 'stream-v2-blob')).toEqual(PEER_NAMES);
    const v2 = rows[0] as PeerRow;
    const others = rows.slice(1);
    for (const x of rows) {
      for (const d of [x.encrypt, x.decrypt, ...(x.pipe ? [x.pipe] : [])]) {
        expect(d.runs.every(positive)).toBe(true);
        expect(d.mbps).toBeCloseTo(median(d.runs), 9);
      }
      const st = x.startup;
      expect(positive(st.firstChunkMs) && st.first64KiBMs >= st.firstChunkMs && st.doneMs >= st.first64KiBMs).toBe(
        true,
      );
    }
    for (const x of others)
      for (const dir of ['encrypt', 'decrypt', 'pipe'] as const) {
        const d = x[dir];
        if (!d) continue;
        // stream-v2's runs, each taken right before this peer's run of the same index
        const a = d.v2Runs as number[];
        expect(a).toHaveLength(2);
        expect(v2[dir]?.runs).toEqual(expect.arrayContaining(a));
        // the median of the two per-pair ratios (stream-v2 ÷ peer) is their mean, which the
        // ratio of the medians, or peer ÷ stream-v2, or unpaired runs are not in general
        const pairs = a.map((m, i) => m / (d.runs[i] as number));
        expect(d.ratio).toBeCloseTo(((pairs[0] as number) + (pairs[1] as number)) / 2, 9);
      }
    expect(v2.encrypt.runs).toHaveLength(2 * others.length);
    expect(v2.pipe?.runs).toHaveLength(2 * others.filter((x) => x.pipe).length);
    const names = res.targets.map((t) => t.name).join('\n');
    expect(res.targets).toHaveLength(6);
    for (const [peer, dir, min] of [
      ['openpgp', 'encrypt', 3],
      ['openpgp', 'decrypt', 3],
      ['openpgp', 'pipe', 2],
      ['age', 'encrypt', 10],
      ['age', 'decrypt', 10],
    ] as const) {
      const x = rows.find((y) => y.peer === peer) as PeerRow;
      const t = res.targets.find((y) => y.name.startsWith(`stream-v2 ${dir} ≥ ${min} × ${x.label}`));
      expect(t, names).toBeDefined();
      expect(t?.value).toBe(x[dir]?.ratio);
      expect(t?.pass).toBe((x[dir]?.ratio as number) >= min);
    }
    const rss = res.targets.find((t) => t.name.includes('RSS'));
    expect(rss?.value).toBe(v2.pipe?.maxAboveIdleMiB);
    expect(rss?.pass).toBe((v2.pipe?.maxAboveIdleMiB as number) <= 64);
    expect(r.stdout.toString()).toMatch(/\n\d+\/6 targets met\n/);
    // charts: rendered from the JSON, naming every peer
    for (const f of ['peers-node.svg', 'pipe-rss.svg', 'startup.svg']) {
      const svg = readFileSync(join(img, f), 'utf8');
      expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      for (const x of rows.filter((y) => f !== 'pipe-rss.svg' || y.pipe)) expect(svg).toContain(x.label);
    }
    expect(existsSync(join(img, 'peers-chromium.svg'))).toBe(false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);

it('bench/lib/peer-run.mjs: every peer round-trips odd chunks and refuses a flipped byte', () => {
  const r = spawnSync(process.execPath, ['bench/lib/peer-run.mjs', 'all', 'check'], { cwd: root, timeout: 60_000 });
  expect(r.stderr.toString()).toBe('');
  expect(JSON.parse(r.stdout.toString()).checked).toEqual(expect.arrayContaining(PEER_NAMES));
});

it('BENCH_NODE names a Node that is not installed: one clear line, exit 1', () => {
  const r = spawnSync(process.execPath, ['bench/bench.mjs'], {
    cwd: root,
    timeout: 30_000,
    env: { ...process.env, BENCH_NODE: '7' },
  });
  expect(r.status).toBe(1);
  expect(r.stderr.toString()).toMatch(/^BENCH_NODE=7: no Node 7 binary under node_modules .*\n$/);
});

interface ConcurrencyResults {
  concurrency: {
    rows: { kind: string; n: number; mbps: number; peakMiB: number; runs: unknown[] }[];
    fairness: { long: number; shorts: number; median: number; worst: number; ratios: number[] };
  };
  before: { rev: string; rows: { dir: string; ratio: number; before: Run; after: Run }[] };
  targets: { name: string; value: number; pass: boolean }[];
}

it('bench/bench.mjs BENCH_ONLY=concurrency,before --before HEAD: every kind at every N, the fairness run, the A/B, their targets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stream-v2-bench-'));
  try {
    const json = join(dir, 'results.json');
    const r = spawnSync(process.execPath, ['--expose-gc', 'bench/bench.mjs', '--json', json, '--before', 'HEAD'], {
      cwd: root,
      timeout: 170_000,
      env: {
        ...process.env,
        BENCH_GIB: String(1 / 128),
        BENCH_RUNS: '2',
        BENCH_ONLY: 'concurrency,before',
        BENCH_CONC_GIB: String(1 / 64),
        BENCH_CONC_PEER_GIB: String(1 / 256),
        BENCH_CONC_N: '1,4',
        BENCH_FAIR: '4,2',
      },
    });
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
    const res = JSON.parse(readFileSync(json, 'utf8')) as ConcurrencyResults;
    const kinds = ['pipe', 'read', 'verify', 'streams', 'node-gcm', 'openpgp'];
    expect(res.concurrency.rows.map((x) => `${x.kind}/${x.n}`)).toEqual(kinds.flatMap((k) => [`${k}/1`, `${k}/4`]));
    for (const x of res.concurrency.rows) {
      expect(positive(x.mbps) && Number.isFinite(x.peakMiB)).toBe(true);
      expect(x.runs).toHaveLength(2);
    }
    expect(res.concurrency.fairness.ratios).toHaveLength(2);
    expect(res.concurrency.fairness.ratios.every(positive)).toBe(true);
    expect(res.before.rows.map((x) => x.dir)).toEqual(['encrypt', 'decrypt', 'pipe']);
    for (const x of res.before.rows) expect(positive(x.ratio) && x.before.runs.length === 2).toBe(true);
    // before: 3 speed + 2 main-thread CPU; concurrency: 3 kinds × (RSS) at N=4, and fairness
    expect(res.targets).toHaveLength(5 + 3 + 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);
