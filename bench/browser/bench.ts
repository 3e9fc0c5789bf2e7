/**
 * The browser benchmark page (docs/BENCHMARKS.md, Browser). bench/browser/run.mjs builds it,
 * serves it on loopback and calls `window.runBench(config)` in headless Chromium.
 *
 * Each round times every row's encrypt (a random Blob → a sink that drops), then its decrypt
 * (a Blob of that row's ciphertext, made untimed just before), then the ceiling; the rows'
 * order rotates from round to round. Ratios are
 * medians of per-round ratios: rows of one round ran back to back in the same page.
 */
import {
  busyCores,
  collect,
  MiB,
  mbps,
  median,
  pairedRatio,
  randomBlob,
  type Timed,
  timeDrain,
  timed,
} from './measure.js';
import { poolSize, type Row, rows } from './peers.js';

export interface BenchConfig {
  mib: number;
  runs: number;
  /** Row ids to time (default: every row); the ceiling always runs. */
  only?: string[] | undefined;
}

/** One timed row: a configuration and direction, MB/s of plaintext (median and every round). */
export interface RowResult {
  id: string;
  label: string;
  dir: 'encrypt' | 'decrypt';
  mbps: number;
  runs: number[];
  /**
   * CPU seconds per GiB, every thread of the browser together (median over the rounds): it
   * moves less than MB/s when other programs load the machine.
   */
  cpuPerGiB: number;
  /** Cores busy by thread group (main, workers, renderer-other, other) and by thread, medians over the rounds. */
  cores: Record<string, number>;
}

export interface Ratio {
  id: string;
  dir: 'encrypt' | 'decrypt';
  /** The row it is compared with: `ceiling` or another row's id. */
  of: string;
  ratio: number;
}

export interface BenchResult {
  date: string;
  userAgent: string;
  config: BenchConfig & { bytes: number; cores: number; poolSize: number; unit: string };
  ceiling: {
    workers: number;
    frameSize: number;
    depth: number;
    mbps: number;
    runs: number[];
    cpuPerGiB: number;
    cores: Record<string, number>;
  };
  rows: RowResult[];
  ratios: Ratio[];
  targets: { name: string; value: number; goal: number; pass: boolean }[];
}

const FRAME = 64 * 1024;
/** V8's gc() (run.mjs starts Chromium with --expose-gc), else nothing. */
const gc = () => (globalThis as { gc?: () => void }).gc?.();
const CEILING_DEPTH = 4;

/** `workers` Web Workers seal + hash `bytes` between them. */
function ceilingRun(workers: Worker[], bytes: number): Promise<Timed> {
  const each = Math.ceil(bytes / workers.length);
  return timed(async () => {
    const done = workers.map((w) => new Promise((ok) => w.addEventListener('message', ok, { once: true })));
    for (const w of workers) w.postMessage({ bytes: each, frameSize: FRAME, depth: CEILING_DEPTH });
    await Promise.all(done);
  });
}

/** Median CPU seconds per GiB: cores busy (all threads) × seconds per GiB at each run's MB/s. */
function cpuPerGiB(cores: Record<string, number>[], runs: number[]): number {
  return median(cores.map((c, i) => ((c.total ?? 0) * 2 ** 30) / ((runs[i] as number) * 1e6)));
}

/** Decrypts a Blob of `r`'s ciphertext of `plain`, made untimed just before. */
async function decryptRun(r: Row, plain: Blob): Promise<Timed> {
  const sealed = await collect(await r.encrypt(plain));
  return timeDrain(() => r.decrypt(sealed), plain.size);
}

/** The median of each key over records. */
function medians(xs: Record<string, number>[]): Record<string, number> {
  const keys = new Set(xs.flatMap((x) => Object.keys(x)));
  return Object.fromEntries([...keys].map((k) => [k, Math.round(median(xs.map((x) => x[k] ?? 0)) * 100) / 100]));
}

async function runBench(config: BenchConfig): Promise<BenchResult> {
  const bytes = Math.round(config.mib * MiB);
  const log = (s: string) => console.log(`[bench] ${s}`);
  const plain = randomBlob(bytes);
  const all = (await rows()).filter((r) => !config.only?.length || config.only.includes(r.id));
  const n = poolSize();
  const workers = Array.from(
    { length: n },
    () => new Worker(new URL('./ceiling-worker.ts', import.meta.url), { type: 'module' }),
  );
  const times = new Map<string, number[]>();
  const cores = new Map<string, Record<string, number>[]>();
  const record = (key: string, t: Timed) => {
    times.set(key, [...(times.get(key) ?? []), mbps(bytes, t.ms)]);
    cores.set(key, [...(cores.get(key) ?? []), busyCores(t)]);
  };
  // A warm-up round on 8 MiB (pools started, JIT warm), untimed.
  const small = plain.slice(0, Math.min(bytes, 8 * MiB));
  for (const r of all) await timeDrain(async () => r.decrypt(await collect(await r.encrypt(small))), small.size);
  await ceilingRun(workers, small.size);
  for (let round = 0; round < config.runs; round++) {
    // Each round starts at another row: no row always runs first (after the ceiling's burst).
    for (const r of [...all.slice(round % all.length), ...all.slice(0, round % all.length)]) {
      record(`${r.id}/encrypt`, await timeDrain(() => r.encrypt(plain)));
      record(`${r.id}/decrypt`, await decryptRun(r, plain));
      gc(); // Blob memory comes back only when its object is collected
    }
    record('ceiling', await ceilingRun(workers, bytes));
    log(`round ${round + 1}/${config.runs} done`);
  }
  for (const w of workers) w.terminate();
  const ceil = times.get('ceiling') as number[];
  const results: RowResult[] = all.flatMap((r) =>
    (['encrypt', 'decrypt'] as const).map((dir) => {
      const runs = times.get(`${r.id}/${dir}`) as number[];
      return {
        id: r.id,
        label: r.label,
        dir,
        mbps: median(runs),
        runs,
        cpuPerGiB: cpuPerGiB(cores.get(`${r.id}/${dir}`) ?? [], runs),
        cores: medians(cores.get(`${r.id}/${dir}`) ?? []),
      };
    }),
  );
  const ratios: Ratio[] = [];
  for (const x of results) {
    ratios.push({ id: x.id, dir: x.dir, of: 'ceiling', ratio: pairedRatio(x.runs, ceil) });
    for (const y of results) {
      if (y.dir === x.dir && y.id !== x.id)
        ratios.push({ id: x.id, dir: x.dir, of: y.id, ratio: pairedRatio(x.runs, y.runs) });
    }
  }
  const find = (id: string, dir: string, of: string) =>
    ratios.find((q) => q.id === id && q.dir === dir && q.of === of)?.ratio ?? Number.NaN;
  const target = (name: string, value: number, goal: number) => ({ name, value, goal, pass: value >= goal });
  return {
    date: new Date().toISOString(),
    userAgent: navigator.userAgent,
    config: {
      ...config,
      bytes,
      cores: navigator.hardwareConcurrency,
      poolSize: n,
      unit: 'MB/s (1e6 B/s) of plaintext',
    },
    ceiling: {
      workers: n,
      frameSize: FRAME,
      depth: CEILING_DEPTH,
      mbps: median(ceil),
      runs: ceil,
      cpuPerGiB: cpuPerGiB(cores.get('ceiling') ?? [], ceil),
      cores: medians(cores.get('ceiling') ?? []),
    },
    rows: results,
    ratios,
    targets: [
      target('encrypt ≥ 3× OpenPGP.js', find('v2-aes', 'encrypt', 'openpgp'), 3),
      target('decrypt ≥ 3× OpenPGP.js', find('v2-aes', 'decrypt', 'openpgp'), 3),
      target('encrypt ≥ 80 % of the Web Worker ceiling', find('v2-aes', 'encrypt', 'ceiling'), 0.8),
    ],
  };
}

(globalThis as unknown as { runBench: typeof runBench }).runBench = runBench;

/**
 * Unattended (`?auto`, Firefox and WebKit, which run.mjs opens without a driver: see
 * bench/browser/engines.mjs): the page takes its config from the server, sends its log lines and
 * CPU samples over the same loopback HTTP, and posts the result (or the error) there.
 */
async function auto(): Promise<void> {
  const post = (path: string, body: unknown) => fetch(path, { method: 'POST', body: JSON.stringify(body) });
  const log = console.log.bind(console);
  console.log = (...xs: unknown[]) => {
    log(...xs);
    void post('/bench/log', xs.join(' '));
  };
  (globalThis as { benchCpu?: () => Promise<Record<string, number>> }).benchCpu = async () =>
    (await fetch('/bench/cpu')).json();
  try {
    const config = (await (await fetch('/bench/config')).json()) as BenchConfig;
    await post('/bench/result', await runBench(config));
  } catch (e) {
    await post('/bench/result', { error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) });
  }
}
if (new URLSearchParams(location.search).has('auto')) void auto();
