/**
 * The `peers` section: every peer of bench/lib/peers.mjs, each run in a fresh process
 * (bench/lib/peer-run.mjs) right after a run of stream-v2 with defaults, so that every ratio
 * is a median of back-to-back pairs (as the library's runs are paired with their baselines).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { availablePeers, PEERS, RECORD } from './peers.mjs';
import { fmt, median, pairedRatio, table } from './util.mjs';

const RUNNER = fileURLToPath(new URL('./peer-run.mjs', import.meta.url));
/** The run every other peer's runs are paired with. */
export const BASE = 'stream-v2';
export const DIRS = ['encrypt', 'decrypt', 'pipe'];

/** Goals of the issue, as stream-v2 ÷ peer (paired), and the pipe's RSS above idle. */
export const PEER_GOALS = [
  { peer: 'openpgp', dir: 'encrypt', min: 3 },
  { peer: 'openpgp', dir: 'decrypt', min: 3 },
  { peer: 'openpgp', dir: 'pipe', min: 2 },
  { peer: 'age', dir: 'encrypt', min: 10 },
  { peer: 'age', dir: 'decrypt', min: 10 },
];
export const PIPE_RSS_GOAL_MIB = 64;

/** One run of `peer` in a fresh Node (this one's binary and version); its JSON. */
export function peerRun(peer, mode, bytes) {
  const r = spawnSync(process.execPath, ['--expose-gc', RUNNER, peer, mode, String(bytes)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`peer-run ${peer} ${mode} failed (${r.status ?? r.signal}): ${r.stderr.trim()}`);
  if (r.stderr) process.stderr.write(r.stderr);
  const out = JSON.parse(r.stdout);
  if (out.node !== process.version) throw new Error(`peer-run ran on Node ${out.node}, not ${process.version}`);
  return out;
}

/** The runs of one peer: per direction MB/s, pipe RSS, start-up. */
const emptyRuns = () => ({ encrypt: [], decrypt: [], pipe: [], pipeRss: [], startup: [] });

function keepEncdec(runs, r) {
  runs.encrypt.push(r.encrypt.mbps);
  runs.decrypt.push(r.decrypt.mbps);
  runs.startup.push(r.startup);
}

function keepPipe(runs, r) {
  runs.pipe.push(r.mbps);
  runs.pipeRss.push({ aboveIdleMiB: r.aboveIdleMiB, aboveStartMiB: r.aboveStartMiB, idleMiB: r.idleMiB });
}

/** A table row of a peer's runs; with `v2` (the paired stream-v2 runs) the ratios stream-v2 ÷ peer. */
function row(peer, runs, v2) {
  const r = { peer, label: PEERS[peer].label };
  for (const dir of DIRS) {
    if (runs[dir].length === 0) continue;
    r[dir] = { mbps: median(runs[dir]), runs: runs[dir] };
    if (v2) Object.assign(r[dir], { v2Runs: v2[dir], ratio: pairedRatio(v2[dir], runs[dir]) });
  }
  if (r.pipe) {
    const rss = runs.pipeRss;
    Object.assign(r.pipe, {
      aboveIdleMiB: median(rss.map((x) => x.aboveIdleMiB)),
      maxAboveIdleMiB: Math.max(...rss.map((x) => x.aboveIdleMiB)),
      aboveStartMiB: median(rss.map((x) => x.aboveStartMiB)),
      idleMiB: median(rss.map((x) => x.idleMiB)),
      rssRuns: rss,
    });
  }
  const s = runs.startup;
  r.startup = {
    loadMs: median(s.map((x) => x.loadMs)),
    firstChunkMs: median(s.map((x) => x.firstChunkMs)),
    first64KiBMs: median(s.map((x) => x.first64KiBMs)),
    first64KiBAfterLoadMs: median(s.map((x) => x.first64KiBMs - x.loadMs)),
    doneMs: median(s.map((x) => x.doneMs)),
    runs: s,
  };
  return r;
}

/**
 * Runs the section: for each peer, `runs` times a stream-v2 run then a peer run (encrypt and
 * decrypt in one process; the pipe in another). `only` restricts the peers (names).
 * @returns `{ bytes, chunkBytes, rows }`, stream-v2's row first (all its paired runs)
 */
export async function peersSection(bytes, runs, only) {
  const names = (await availablePeers()).filter((p) => p !== BASE && (!only || only.includes(p)));
  const all = emptyRuns();
  const rows = [];
  for (const name of names) {
    const mine = emptyRuns();
    const v2 = emptyRuns();
    for (let i = 0; i < runs; i++) {
      keepEncdec(v2, peerRun(BASE, 'encdec', bytes));
      keepEncdec(mine, peerRun(name, 'encdec', bytes));
      if (PEERS[name].pipe) {
        keepPipe(v2, peerRun(BASE, 'pipe', bytes));
        keepPipe(mine, peerRun(name, 'pipe', bytes));
      }
    }
    for (const k of Object.keys(all)) all[k].push(...v2[k]);
    rows.push(row(name, mine, v2));
  }
  return { bytes, chunkBytes: RECORD, base: BASE, rows: [row(BASE, all), ...rows] };
}

/** The targets of the section, as `{ name, value, limit, pass, detail }`. */
export function peerTargets(section) {
  const out = [];
  for (const g of PEER_GOALS) {
    const x = section.rows.find((r) => r.peer === g.peer)?.[g.dir];
    if (!x) continue;
    out.push({
      name: `stream-v2 ${g.dir} ≥ ${g.min} × ${PEERS[g.peer].label}`,
      value: x.ratio,
      limit: g.min,
      pass: x.ratio >= g.min,
      detail: `${fmt(median(x.v2Runs))} / ${fmt(x.mbps)} MB/s, paired`,
    });
  }
  const p = section.rows[0].pipe;
  if (p)
    out.push({
      name: `stream-v2 pipe peak RSS above idle ≤ ${PIPE_RSS_GOAL_MIB} MiB (fresh process, worst run)`,
      value: p.maxAboveIdleMiB,
      limit: PIPE_RSS_GOAL_MIB,
      pass: p.maxAboveIdleMiB <= PIPE_RSS_GOAL_MIB,
      detail: `median ${fmt(p.aboveIdleMiB, 1)} MiB above idle, ${fmt(p.aboveStartMiB, 1)} above process start`,
    });
  return out;
}

/** Prints the section's tables. */
export function printPeers(section) {
  const cell = (x, key = 'mbps') => (x ? fmt(x[key]) : '-');
  const ratio = (x) => (x?.ratio === undefined ? '' : fmt(x.ratio, 2));
  table(
    ['peer', 'encrypt', 'v2 ÷', 'decrypt', 'v2 ÷', 'pipe', 'v2 ÷', 'pipe RSS +idle', '+start'],
    section.rows.map((r) => [
      r.label,
      cell(r.encrypt),
      ratio(r.encrypt),
      cell(r.decrypt),
      ratio(r.decrypt),
      cell(r.pipe),
      ratio(r.pipe),
      r.pipe ? fmt(r.pipe.aboveIdleMiB, 1) : '-',
      r.pipe ? fmt(r.pipe.aboveStartMiB, 1) : '-',
    ]),
  );
  console.log('\nStart-up, fresh process, 1 MiB encrypted (ms; load = import + key set-up):');
  table(
    ['peer', 'load', 'first chunk', 'first 64 KiB', '(after load)', '1 MiB done'],
    section.rows.map((r) => [
      r.label,
      fmt(r.startup.loadMs),
      fmt(r.startup.firstChunkMs),
      fmt(r.startup.first64KiBMs),
      fmt(r.startup.first64KiBAfterLoadMs),
      fmt(r.startup.doneMs),
    ]),
  );
}
