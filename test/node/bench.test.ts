/**
 * The benchmark script runs end to end on tiny sizes and writes every figure it promises
 * (docs/BENCHMARKS.md): its numbers are meaningless here, its shape is not.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
  noble: (Run & Partial<Paired>)[];
  pipe: { aboveIdleMiB: number; peakMiB: number };
  targets: { name: string; value: number; pass: boolean }[];
}

const positive = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x > 0;

it('bench/bench.mjs runs every section and writes paired ratios, CPU per GiB and 15 targets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stream-v2-bench-'));
  try {
    const json = join(dir, 'results.json');
    const r = spawnSync(process.execPath, ['--expose-gc', 'bench/bench.mjs', '--json', json], {
      cwd: root,
      timeout: 120_000,
      env: { ...process.env, BENCH_GIB: String(1 / 64), BENCH_RUNS: '2', BENCH_PIPE_GIB: String(1 / 32) },
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
    expect(res.noble.filter((x) => positive(x.ratio))).toHaveLength(2);
    expect(positive(res.pipe.peakMiB)).toBe(true);
    expect(res.targets).toHaveLength(15);
    for (const t of res.targets) expect(Number.isFinite(t.value) && typeof t.pass === 'boolean').toBe(true);
    expect(r.stdout.toString()).toMatch(/\n\d+\/15 targets met\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
