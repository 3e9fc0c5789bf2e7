/**
 * stream-v2 benchmark (see docs/BENCHMARKS.md). Run after a build:
 *   node --expose-gc bench/bench.mjs [--json FILE] [--charts DIR] [--before GIT_REV]
 * Env: BENCH_GIB (1), BENCH_RUNS (3), BENCH_PIPE_GIB (4), BENCH_RANGES (200, for blob),
 *      BENCH_ONLY (comma list of: ceiling,handoff,lib,nodepipe,pipe,peers,blob,concurrency;
 *      before runs when --before is given),
 *      BENCH_CONC_GIB (2), BENCH_CONC_N (1,8,32,128,512), BENCH_CONC_KINDS (pipe,read,verify,
 *      node-gcm,openpgp), BENCH_CONC_PEER_GIB (0.5: the peers' total), BENCH_FAIR (128,20: long
 *      pipes, short ones; 0 skips the fairness run),
 *      BENCH_PEERS (comma list of peers, default all; see bench/lib/peers.mjs),
 *      BENCH_NODE (a Node major such as 24, or a binary: run the bench under that Node).
 * Throughput is in MB/s of plaintext, 1 MB = 1e6 bytes. RSS is in MiB.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { getDefaultPool } from 'stream-v2';
import { renderCharts } from './charts.mjs';
import { ceilingRun, handoffRun, nodePipelineRun } from './lib/baselines.mjs';
import { beforeSection, buildBefore } from './lib/before.mjs';
import { blobSection } from './lib/blob-bench.mjs';
import { CONCURRENCY_KINDS, concurrencySection } from './lib/concurrency.mjs';
import { decryptRun, encryptRun, pipeRun, warmPool } from './lib/library.mjs';
import { reexecUnder } from './lib/node-version.mjs';
import { PEERS } from './lib/peers.mjs';
import { peersSection, peerTargets, printPeers } from './lib/peers-bench.mjs';
import { fmt, GiB, gc, MiB, mbps, median, pairedRatio, RssSampler, sleep, table, toMiB } from './lib/util.mjs';

const env = process.env;
try {
  reexecUnder(env.BENCH_NODE, fileURLToPath(new URL('..', import.meta.url)));
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
const BYTES = Math.round(Number(env.BENCH_GIB ?? 1) * GiB);
const RUNS = Math.max(1, Number(env.BENCH_RUNS ?? 3));
const PIPE_BYTES = Math.round(Number(env.BENCH_PIPE_GIB ?? 4) * GiB);
const SECTIONS = ['ceiling', 'handoff', 'lib', 'nodepipe', 'pipe', 'peers', 'blob', 'concurrency', 'before'];
const RANGES = Math.max(1, Number(env.BENCH_RANGES ?? 200));
const beforeAt = process.argv.indexOf('--before');
const BEFORE = beforeAt > 0 ? process.argv[beforeAt + 1] : undefined;
const ONLY = env.BENCH_ONLY ? env.BENCH_ONLY.split(',').map((s) => s.trim()) : SECTIONS;
const list = (v, d) => (v ?? d).split(',').map((x) => x.trim());
const CONC = {
  total: Math.round(Number(env.BENCH_CONC_GIB ?? 2) * GiB),
  peerTotal: Math.round(Number(env.BENCH_CONC_PEER_GIB ?? 0.5) * GiB),
  ns: list(env.BENCH_CONC_N, '1,8,32,128,512').map(Number),
  kinds: list(env.BENCH_CONC_KINDS, CONCURRENCY_KINDS.join(',')),
  fair: list(env.BENCH_FAIR, '128,20').map(Number),
};
const TARGET_CONC_MIB_PER_STREAM = 2.5;
const TARGET_CONC_SPEED = 0.9;
const TARGET_FAIR = 2;
const TARGET_BEFORE = 0.97;
const jsonAt = process.argv.indexOf('--json');
const JSON_FILE = jsonAt > 0 ? process.argv[jsonAt + 1] : undefined;
const chartsAt = process.argv.indexOf('--charts');
const CHARTS_DIR = chartsAt > 0 ? process.argv[chartsAt + 1] : undefined;
const SUITES = ['aes-256-gcm', 'chacha20-poly1305'];
const WORKERS = [0, 1, 2];
const TARGET_CEILING = 0.8;
const TARGET_PIPE_MIB = 64;
const TARGET_BLOB = 0.9;
const TARGET_RANGES_PER_S = 200;

const ONLY_PEERS = env.BENCH_PEERS ? env.BENCH_PEERS.split(',').map((s) => s.trim()) : undefined;
for (const s of ONLY) if (!SECTIONS.includes(s)) throw new Error(`unknown BENCH_ONLY section '${s}'`);
for (const p of ONLY_PEERS ?? []) if (!PEERS[p]) throw new Error(`unknown BENCH_PEERS peer '${p}'`);
if (!globalThis.gc) console.warn('warning: run with --expose-gc for stable idle RSS figures');

const key = new Uint8Array(randomBytes(32));
const results = {
  date: new Date().toISOString(),
  machine: { node: process.version, cpu: cpus()[0]?.model, cores: availableParallelism(), memMiB: toMiB(totalmem()) },
  config: {
    bytes: BYTES,
    runs: RUNS,
    pipeBytes: PIPE_BYTES,
    sections: ONLY,
    benchNode: env.BENCH_NODE_ASKED || env.BENCH_NODE || undefined,
    unit: 'MB/s (1e6 B/s) of plaintext',
  },
  ceiling: [],
  library: [],
  nodePipeline: undefined,
  pipe: undefined,
  peers: undefined,
  blob: undefined,
  concurrency: undefined,
  before: undefined,
  targets: [],
};

/** One run of `fn` (→ ms, or { ms, cpuS } where worker start-up must not count) after a gc. */
async function once(bytes, fn) {
  gc();
  const c0 = process.cpuUsage();
  const r = await fn();
  const c = process.cpuUsage(c0);
  return { mbps: mbps(bytes, r.ms ?? r), cpuPerGiB: (r.cpuS ?? (c.user + c.system) / 1e6) / (bytes / GiB) };
}

/**
 * Runs `fn` RUNS times; returns the median MB/s, the runs' MB/s and the median CPU seconds per
 * GiB of the whole process (every thread: main, workers, V8's helpers).
 */
async function timed(bytes, fn) {
  const all = [];
  for (let i = 0; i < RUNS; i++) all.push(await once(bytes, fn));
  return summary(all);
}

/** Median MB/s, every run's MB/s and median CPU per GiB of `once` results. */
function summary(all) {
  const runs = all.map((x) => x.mbps);
  return { mbps: median(runs), runs, cpuPerGiB: median(all.map((x) => x.cpuPerGiB)) };
}

/**
 * Like {@link timed}, but each run of `fn` right after a run of its baseline `base`: this host's
 * speed drifts over minutes, so a ratio of two runs taken back to back is steadier than a ratio
 * of medians taken minutes apart. Adds `base` (the baseline's runs) and `ratio`, the median of
 * the per-pair ratios.
 */
async function timedPaired(bytes, base, fn) {
  const b = [];
  const all = [];
  for (let i = 0; i < RUNS; i++) {
    b.push(await once(bytes, base));
    all.push(await once(bytes, fn));
  }
  const s = summary(all);
  const sb = summary(b);
  return { ...s, base: sb, ratio: pairedRatio(s.runs, sb.runs) };
}

const has = (s) => ONLY.includes(s) && (s !== 'before' || BEFORE !== undefined);
const head = (t) => console.log(`\n== ${t}`);
console.log(
  `stream-v2 bench: ${fmt(BYTES / GiB, 3)} GiB per run, ${RUNS} runs (median), pipe ${fmt(PIPE_BYTES / GiB, 3)} GiB; ` +
    `${results.machine.cores} cores, Node ${process.version}; MB/s = 1e6 bytes/s of plaintext`,
);

// First, in a fresh process: RSS that earlier sections grew (and glibc keeps) would hide the growth.
if (has('pipe')) {
  head(`Peak RSS: ${fmt(PIPE_BYTES / GiB, 3)} GiB generated → Encrypt → Decrypt → drop, default pool`);
  await pipeRun(key, 8 * MiB, undefined); // start the default pool's workers
  gc();
  await sleep(200);
  gc();
  const idle = process.memoryUsage.rss();
  const sampler = new RssSampler(10).start();
  const r = await pipeRun(key, PIPE_BYTES, sampler);
  const peak = sampler.stop();
  if (r.out !== PIPE_BYTES) throw new Error(`pipe gave ${r.out} bytes, expected ${PIPE_BYTES}`);
  gc();
  await sleep(200);
  results.pipe = {
    afterGcMiB: toMiB(process.memoryUsage.rss()),
    poolSize: getDefaultPool().size,
    idleMiB: toMiB(idle),
    peakMiB: toMiB(peak),
    aboveIdleMiB: toMiB(peak - idle),
    mbps: mbps(PIPE_BYTES, r.ms),
  };
  await getDefaultPool().terminate();
  const p = results.pipe;
  table(
    ['pool', 'idle RSS', 'peak RSS', 'peak - idle', 'after gc', 'MB/s'],
    [[p.poolSize, fmt(p.idleMiB), fmt(p.peakMiB), fmt(p.aboveIdleMiB, 1), fmt(p.afterGcMiB), fmt(p.mbps)]],
  );
}
if (has('ceiling')) {
  head('Ceiling: N threads sealing/opening + SHA-256 of 64 KiB frames with node:crypto (0 = main thread)');
  for (const suite of SUITES)
    for (const op of ['seal', 'open'])
      for (const threads of WORKERS) {
        const r = await timed(BYTES, () => ceilingRun(suite, op, threads, BYTES));
        results.ceiling.push({ suite, op, threads, ...r });
      }
  table(
    ['suite', 'op', 'threads', 'MB/s', 'runs', 'CPU s/GiB'],
    results.ceiling.map((c) => [
      c.suite,
      c.op,
      c.threads,
      fmt(c.mbps),
      c.runs.map((x) => fmt(x)).join(' '),
      fmt(c.cpuPerGiB, 2),
    ]),
  );
}

if (has('handoff')) {
  head('Hand-off floor: new 1 MiB segment buffers through N worker_threads that seal + hash in place (no streams)');
  results.handoff = [];
  for (const suite of SUITES)
    for (const threads of [1, 2]) {
      const r = await timed(BYTES, () => handoffRun(suite, threads, BYTES));
      const c = results.ceiling.find((x) => x.suite === suite && x.op === 'seal' && x.threads === threads);
      results.handoff.push({ suite, threads, ...r, ofCeiling: c ? r.mbps / c.mbps : undefined });
    }
  table(
    ['suite', 'threads', 'MB/s', 'runs', '÷ ceiling', 'CPU s/GiB'],
    results.handoff.map((h) => [
      h.suite,
      h.threads,
      fmt(h.mbps),
      h.runs.map((x) => fmt(x)).join(' '),
      fmt(h.ofCeiling, 2),
      fmt(h.cpuPerGiB, 2),
    ]),
  );
}

/** Keeps a run's record in `runs` and returns its duration. */
function keepRun(runs, run) {
  runs.push(run);
  return run.ms;
}

/**
 * Encrypt then decrypt runs of one configuration, each run paired with a run of its baseline
 * (`baseline('seal' | 'open')` → a run function; see {@link timedPaired}).
 */
async function libraryConfig(suite, workers, baseline) {
  const pool = await warmPool(workers, key, suite);
  const options = { suite, workers: pool };
  const rows = [];
  try {
    const enc = [];
    const e = await timedPaired(BYTES, baseline('seal'), async () =>
      keepRun(enc, await encryptRun(key, options, BYTES)),
    );
    rows.push({ suite, workers, dir: 'encrypt', ...e, ...rss(enc) });
    let chunks = [];
    await encryptRun(key, options, BYTES, chunks);
    gc();
    const dec = [];
    const d = await timedPaired(BYTES, baseline('open'), async () =>
      keepRun(dec, await decryptRun(key, options, chunks, BYTES)),
    );
    rows.push({ suite, workers, dir: 'decrypt', ...d, ...rss(dec) });
    chunks = undefined;
  } finally {
    if (pool) await pool.terminate();
    gc();
  }
  return rows;
}

/** Peak RSS over runs (absolute, and above the RSS just before the run); median main-thread busy. */
const rss = (runs) => ({
  mainBusy: median(runs.map((r) => r.busy)),
  peakRssMiB: toMiB(Math.max(...runs.map((r) => r.peak))),
  peakAboveStartMiB: toMiB(Math.max(...runs.map((r) => r.peak - r.before))),
});

const libTable = (rows) =>
  table(
    ['suite', 'workers', 'dir', 'MB/s', 'runs', 'base runs', '÷ base', 'peak RSS', '+start', 'main busy', 'CPU s/GiB'],
    rows.map((r) => [
      r.suite,
      r.workers,
      r.dir,
      fmt(r.mbps),
      r.runs.map((x) => fmt(x)).join(' '),
      r.base.runs.map((x) => fmt(x)).join(' '),
      fmt(r.ratio, 2),
      fmt(r.peakRssMiB),
      fmt(r.peakAboveStartMiB),
      `${fmt(r.mainBusy * 100)}%`,
      fmt(r.cpuPerGiB, 2),
    ]),
  );

if (has('lib')) {
  head('Library: generated stream → transform → sink; warm pool of N workers (0 = inline); RSS in MiB');
  for (const suite of SUITES)
    for (const w of WORKERS) {
      const ceiling = (op) => () => ceilingRun(suite, op, w, BYTES);
      results.library.push(...(await libraryConfig(suite, w, ceiling)));
    }
  libTable(results.library);
}

if (has('nodepipe')) {
  head("Node createCipheriv('aes-256-gcm') stream pipeline (one tag, no framing; single thread)");
  results.nodePipeline = await timed(BYTES, () => nodePipelineRun(BYTES));
  table(
    ['pipeline', 'MB/s', 'runs'],
    [['aes-256-gcm encrypt', fmt(results.nodePipeline.mbps), results.nodePipeline.runs.map((x) => fmt(x)).join(' ')]],
  );
}

if (has('peers')) {
  head(
    `Peers: ${fmt(BYTES / GiB, 3)} GiB generated in 64 KiB chunks through each library's streaming API, ` +
      'a fresh process per run, each run right after a stream-v2 (defaults) run; MB/s, v2 ÷ = stream-v2 ÷ peer (paired)',
  );
  results.peers = await peersSection(BYTES, RUNS, ONLY_PEERS);
  printPeers(results.peers);
}

if (has('blob')) {
  head(
    `Blob path: a ${fmt(BYTES / GiB, 3)} GiB file, encryptBlob(blob).stream() / openEncrypted(blob).stream() ` +
      'vs the stream path (blob.stream() through the transform) and the ceiling (aes-256-gcm), same N workers, paired',
  );
  results.blob = await blobSection({ bytes: BYTES, key, timedPaired, once, ranges: RANGES });
  table(
    ['workers', 'dir', 'path', 'MB/s', 'runs', 'ceiling runs', '÷ ceiling', 'CPU s/GiB'],
    results.blob.rows.map((r) => [
      r.workers,
      r.dir,
      r.path,
      fmt(r.mbps),
      r.runs.map((x) => fmt(x)).join(' '),
      r.base.runs.map((x) => fmt(x)).join(' '),
      fmt(r.ratio, 2),
      fmt(r.cpuPerGiB, 2),
    ]),
  );
  table(
    ['workers', 'path', 'ranges', 'range', 'ranges/s', 'MB/s'],
    results.blob.random.map((r) => [
      r.workers,
      r.path,
      r.count,
      `${fmt(r.rangeBytes / MiB, 2)} MiB`,
      fmt(r.rangesPerS),
      fmt(r.mbps),
    ]),
  );
}

if (has('before')) {
  head(
    `Before/after: ${fmt(BYTES / GiB, 3)} GiB, one stream on each build's default pool, 64 KiB chunks, ` +
      `this build vs ${BEFORE} in one process, alternating rounds; main-thread CPU s/GiB`,
  );
  const beforeUrl = buildBefore(fileURLToPath(new URL('..', import.meta.url)), BEFORE);
  const after = await import('stream-v2');
  results.before = await beforeSection({ after, beforeUrl, rev: BEFORE, key, bytes: BYTES, runs: RUNS });
  table(
    [
      'dir',
      'before MB/s',
      'after MB/s',
      'after ÷ before',
      'before runs',
      'after runs',
      'main CPU s/GiB before',
      'after',
    ],
    results.before.rows.map((r) => [
      r.dir,
      fmt(r.before.mbps),
      fmt(r.after.mbps),
      fmt(r.ratio, 3),
      r.before.runs.map((x) => fmt(x)).join(' '),
      r.after.runs.map((x) => fmt(x)).join(' '),
      fmt(r.before.mainCpuPerGiB, 2),
      fmt(r.after.mainCpuPerGiB, 2),
    ]),
  );
}

if (has('concurrency')) {
  head(
    `Many streams at once: N streams on the default pool, ${fmt(CONC.total / GiB, 2)} GiB in total ` +
      `(peers ${fmt(CONC.peerTotal / GiB, 2)} GiB), 64 KiB chunks, a fresh process per run, peak RSS above idle (5 ms)`,
  );
  results.concurrency = concurrencySection({
    total: CONC.total,
    peerTotal: CONC.peerTotal,
    ns: CONC.ns,
    kinds: CONC.kinds,
    runs: RUNS,
    fairLong: CONC.fair[0] ?? 0,
    fairShorts: CONC.fair[1] ?? 0,
  });
  table(
    ['kind', 'N', 'MB/s', '÷ N=1', '÷ streams floor', 'peak RSS MiB', 'MiB per stream over N=1', 'pool peak MiB'],
    results.concurrency.rows.map((r) => {
      const one = results.concurrency.rows.find((x) => x.kind === r.kind && x.n === CONC.ns[0]);
      // The same N of bare web-stream pipes (no crypto): what this thread cannot do faster.
      const floor = results.concurrency.rows.find((x) => x.kind === 'streams' && x.n === r.n);
      return [
        r.kind,
        r.n,
        fmt(r.mbps),
        fmt(r.mbps / one.mbps, 2),
        floor && r.kind !== 'streams' ? fmt(r.mbps / floor.mbps, 2) : '',
        fmt(r.peakMiB),
        r.n === one.n ? '' : fmt((r.peakMiB - one.peakMiB) / (r.n - one.n), 2),
        r.kind.startsWith('node') || r.kind === 'openpgp' ? '' : fmt(r.poolPeakMiB),
      ];
    }),
  );
  const f = results.concurrency.fairness;
  if (f)
    console.log(
      `fairness: a 1 MiB pipe among ${f.long} pipes of 16 MiB took ${fmt(f.median, 2)} × its fair share ` +
        `(median of ${f.shorts}; worst ${fmt(f.worst, 2)})`,
    );
}

// Targets, against baselines measured in this same run.
const target = (name, value, limit, pass, detail) => results.targets.push({ name, value, limit, pass, detail });
// Library ÷ ceiling: the median of back-to-back pairs (timedPaired).
for (const r of results.library) {
  const d = `${fmt(r.mbps)} / ${fmt(r.base.mbps)} MB/s, paired`;
  const name = `${r.dir} ${r.suite} workers ${r.workers} ≥ ${TARGET_CEILING} × ceiling`;
  target(name, r.ratio, TARGET_CEILING, r.ratio >= TARGET_CEILING, d);
}
if (results.pipe) {
  const p = results.pipe;
  const d = `peak ${fmt(p.peakMiB)} MiB, idle ${fmt(p.idleMiB)} MiB`;
  target(
    `pipe peak RSS above idle ≤ ${TARGET_PIPE_MIB} MiB`,
    p.aboveIdleMiB,
    TARGET_PIPE_MIB,
    p.aboveIdleMiB <= TARGET_PIPE_MIB,
    d,
  );
}

if (results.peers) results.targets.push(...peerTargets(results.peers));
// The Blob path ÷ the ceiling at every worker count that leaves the main thread a core of its
// own (on 2 cores: 1 worker); the others are reported in the table, not targets.
const libraryBlobPath = (x) => x.path !== 'stream' && x.path !== 'floor';
for (const r of results.blob?.rows.filter((x) => libraryBlobPath(x) && x.workers < results.machine.cores) ?? []) {
  const d = `${fmt(r.mbps)} / ${fmt(r.base.mbps)} MB/s, paired`;
  const name = `blob ${r.dir} (${r.path}) workers ${r.workers} ≥ ${TARGET_BLOB} × ceiling`;
  target(name, r.ratio, TARGET_BLOB, r.ratio >= TARGET_BLOB, d);
}
for (const r of results.blob?.random ?? []) {
  const d = `${r.count} ranges of ${fmt(r.rangeBytes / MiB, 2)} MiB, one after another`;
  const name = `random reads (${r.path}) workers ${r.workers} ≥ ${TARGET_RANGES_PER_S} ranges/s`;
  target(name, r.rangesPerS, TARGET_RANGES_PER_S, r.rangesPerS >= TARGET_RANGES_PER_S, d);
}

for (const r of results.before?.rows ?? []) {
  const d = `${fmt(r.after.mbps)} / ${fmt(r.before.mbps)} MB/s vs ${r.rev}, paired`;
  target(`one stream ${r.dir} ≥ ${TARGET_BEFORE} × before`, r.ratio, TARGET_BEFORE, r.ratio >= TARGET_BEFORE, d);
  if (r.dir !== 'pipe' && r.after.mainCpuPerGiB !== undefined) {
    const c = `${fmt(r.after.mainCpuPerGiB, 2)} vs ${fmt(r.before.mainCpuPerGiB, 2)} s/GiB`;
    const ok = r.after.mainCpuPerGiB < r.before.mainCpuPerGiB;
    target(`one stream ${r.dir}: main-thread CPU below before`, r.after.mainCpuPerGiB, r.before.mainCpuPerGiB, ok, c);
  }
}
for (const r of results.concurrency?.rows ?? []) {
  if (!['pipe', 'read', 'verify'].includes(r.kind)) continue;
  const one = results.concurrency.rows.find((x) => x.kind === r.kind && x.n === 1);
  if (!one || r.n === 1) continue;
  const per = (r.peakMiB - one.peakMiB) / (r.n - 1);
  const dm = `${fmt(r.peakMiB)} MiB at N=${r.n}, ${fmt(one.peakMiB)} at N=1`;
  target(
    `${r.kind} N=${r.n}: RSS ≤ ${TARGET_CONC_MIB_PER_STREAM} MiB per stream over N=1`,
    per,
    TARGET_CONC_MIB_PER_STREAM,
    per <= TARGET_CONC_MIB_PER_STREAM,
    dm,
  );
  if (r.n >= 128) {
    const ratio = r.mbps / one.mbps;
    const ds = `${fmt(r.mbps)} / ${fmt(one.mbps)} MB/s`;
    target(
      `${r.kind} N=${r.n}: MB/s ≥ ${TARGET_CONC_SPEED} × N=1`,
      ratio,
      TARGET_CONC_SPEED,
      ratio >= TARGET_CONC_SPEED,
      ds,
    );
  }
}
if (results.concurrency?.fairness) {
  const f = results.concurrency.fairness;
  const d = `median ${fmt(f.median, 2)}, worst ${fmt(f.worst, 2)} of ${f.shorts}, among ${f.long} pipes`;
  target(
    `fairness: a short pipe within ${TARGET_FAIR} × its fair share`,
    f.median,
    TARGET_FAIR,
    f.median <= TARGET_FAIR,
    d,
  );
}

head('Targets');
table(
  ['result', 'target', 'value', 'detail'],
  results.targets.map((t) => [t.pass ? 'PASS' : 'FAIL', t.name, fmt(t.value, 2), t.detail]),
);
const failed = results.targets.filter((t) => !t.pass).length;
console.log(`\n${results.targets.length - failed}/${results.targets.length} targets met`);
if (JSON_FILE) {
  writeFileSync(JSON_FILE, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`results written to ${JSON_FILE}`);
}
if (CHARTS_DIR && (results.peers || results.concurrency))
  for (const f of renderCharts([results], CHARTS_DIR)) console.log(`chart written to ${f}`);
