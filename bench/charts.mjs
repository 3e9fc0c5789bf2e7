/**
 * Charts of the bench's JSON, as SVG (see docs/BENCHMARKS.md):
 *   node bench/charts.mjs [--out docs/img] results.json [results-node24.json ...]
 * - peers-node.svg: MB/s of stream-v2 and its peers, encrypt / decrypt / pipe (the first file);
 * - peers-chromium.svg: the same in Chromium, from the first file with `chromium.peers` (rows
 *   of the same shape as `peers`), when one has it;
 * - pipe-rss.svg: the pipe's peak RSS above idle per peer, one bar per file (Node version);
 * - startup.svg: ms to load the library, to the first 64 KiB of ciphertext and to the end of
 *   1 MiB, fresh process;
 * - concurrency-mbps.svg, concurrency-rss.svg: many streams at once (the `concurrency`
 *   section), total MB/s and peak RSS above idle against N, log scales.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { barChart, logLineChart } from './lib/svg.mjs';

const DIR_NAMES = { encrypt: 'encrypt', decrypt: 'decrypt', pipe: 'encrypt → decrypt pipe' };

const where = (r) => `${r.machine.cores} cores, ${r.machine.cpu ?? 'CPU ?'}, ${r.date.slice(0, 10)}`;

/** Throughput chart of one `peers` section. */
function throughput(peers, runtime, r) {
  const gib = (peers.bytes / 2 ** 30).toFixed(3).replace(/\.?0+$/, '');
  return barChart({
    title: `stream-v2 and its peers, ${runtime}: throughput`,
    unit: 'MB/s of plaintext (1 MB = 10^6 B), higher is better',
    groups: peers.rows.map((x) => x.label),
    series: Object.entries(DIR_NAMES).map(([dir, name]) => ({ name, values: peers.rows.map((x) => x[dir]?.mbps) })),
    note: `${gib} GiB in 64 KiB chunks, fresh process per run, median of ${r.config.runs}; ${where(r)}`,
  });
}

const KIND_NAMES = {
  pipe: 'stream-v2 pipes',
  read: 'stream-v2 openEncrypted readers',
  verify: 'stream-v2 verifyDigests',
  streams: 'bare web-stream pipes (floor)',
  'node-gcm': 'Node createCipheriv pipes',
  openpgp: 'OpenPGP.js pipes',
};

/** The two many-streams charts of one `concurrency` section. */
function concurrencyCharts(r) {
  const c = r.concurrency;
  const kinds = [...new Set(c.rows.map((x) => x.kind))];
  const xs = c.config.ns;
  const series = (field, skip = []) =>
    kinds
      .filter((k) => !skip.includes(k))
      .map((k) => ({
        name: KIND_NAMES[k] ?? k,
        values: xs.map((n) => c.rows.find((x) => x.kind === k && x.n === n)?.[field]),
      }));
  const gib = (b) => (b / 2 ** 30).toFixed(2).replace(/\.?0+$/, '');
  const note = `${gib(c.config.total)} GiB in total (peers ${gib(c.config.peerTotal)}), 64 KiB chunks, default pool, fresh process per run, median of ${c.config.runs}; ${where(r)}`;
  return [
    [
      'concurrency-mbps.svg',
      logLineChart({
        title: `N streams at once on one pool, Node ${r.machine.node}: total throughput`,
        xLabel: 'streams at once (N)',
        yLabel: 'total MB/s, higher is better',
        xs,
        series: series('mbps'),
        note,
      }),
    ],
    [
      'concurrency-rss.svg',
      logLineChart({
        title: `N streams at once on one pool, Node ${r.machine.node}: peak RSS`,
        xLabel: 'streams at once (N)',
        yLabel: 'MiB above idle, lower is better',
        xs,
        series: series('peakMiB'),
        note,
      }),
    ],
  ];
}

/**
 * Renders every chart the results allow into `outDir`.
 * @param results - parsed bench JSON files; the first one holds the throughput figures
 * @returns the paths written
 */
export function renderCharts(results, outDir) {
  mkdirSync(outDir, { recursive: true });
  const written = [];
  const write = (name, svg) => {
    const p = join(outDir, name);
    writeFileSync(p, svg);
    written.push(p);
  };
  const conc = results.find((r) => r.concurrency);
  if (conc) for (const [name, svg] of concurrencyCharts(conc)) write(name, svg);
  const withPeers = results.filter((r) => r.peers);
  if (withPeers.length === 0) {
    if (conc) return written;
    throw new Error('no results with a peers or concurrency section (BENCH_ONLY=peers,concurrency or all)');
  }
  const first = withPeers[0];
  write('peers-node.svg', throughput(first.peers, `Node ${first.machine.node}`, first));
  const chromium = results.find((r) => r.chromium?.peers);
  if (chromium)
    write('peers-chromium.svg', throughput(chromium.chromium.peers, chromium.chromium.browser ?? 'Chromium', chromium));

  const labels = [];
  for (const r of withPeers)
    for (const x of r.peers.rows) if (x.pipe && !labels.includes(x.label)) labels.push(x.label);
  write(
    'pipe-rss.svg',
    barChart({
      title: 'Peak RSS of the encrypt → decrypt pipe, by Node version',
      unit: 'MiB above idle (after a 1 MiB warm-up), lower is better',
      groups: labels,
      series: withPeers.map((r) => ({
        name: `Node ${r.machine.node}`,
        values: labels.map((l) => r.peers.rows.find((x) => x.label === l)?.pipe?.aboveIdleMiB),
      })),
      note: `fresh process per run, median; ${where(first)}`,
    }),
  );
  write(
    'startup.svg',
    barChart({
      title: `Start-up: 1 MiB encrypted in a fresh process, Node ${first.machine.node}`,
      unit: 'ms from loading the library (import, key set-up), lower is better',
      groups: first.peers.rows.map((x) => x.label),
      series: [
        { name: 'library loaded', values: first.peers.rows.map((x) => x.startup.loadMs) },
        { name: 'first 64 KiB of ciphertext', values: first.peers.rows.map((x) => x.startup.first64KiBMs) },
        { name: '1 MiB done', values: first.peers.rows.map((x) => x.startup.doneMs) },
      ],
      note: `median of the runs; ${where(first)}`,
    }),
  );
  return written;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--out');
  const out = at >= 0 ? args.splice(at, 2)[1] : fileURLToPath(new URL('../docs/img', import.meta.url));
  if (args.length === 0) {
    console.error('usage: node bench/charts.mjs [--out DIR] results.json [more.json ...]');
    process.exit(2);
  }
  const files = renderCharts(
    args.map((f) => JSON.parse(readFileSync(f, 'utf8'))),
    out,
  );
  for (const f of files) console.log(`wrote ${f}`);
}
