/**
 * The browser benchmark (docs/BENCHMARKS.md, Browser): builds the page with Vite, serves it on
 * loopback, runs it in Debian's headless Chromium through Playwright, prints a table and
 * writes the JSON.
 *   node bench/browser/run.mjs [--json FILE] [--before GIT_REV]
 * Env: BENCH_MIB (1024), BENCH_RUNS (3), CHROMIUM_PATH, BENCH_ROWS (comma list of row ids:
 * v2-aes, v2-aes-w0, v2-chacha, v2-blob, before-aes, before-aes-w0, openpgp, age, blob-read;
 * default all).
 * `--before REV` adds rows of the library as it was at REV (its src/, exported with
 * `git archive`), timed in the same page, paired with this build's rows.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { build } from 'vite';
import { CHROMIUM_ARGS } from '../../scripts/chromium-args.mjs';
import { cpuByThread } from './cpu.mjs';
import { benchRoute, runInEngine } from './engines.mjs';
import { runServeBench, serveFile } from './serve-run.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const root = here('../..');
const cache = join(root, 'node_modules/.cache/stream-v2');
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const env = process.env;
const config = {
  mib: Number(env.BENCH_MIB ?? 1024),
  runs: Math.max(1, Number(env.BENCH_RUNS ?? 3)),
  only: env.BENCH_ROWS ? env.BENCH_ROWS.split(',').map((s) => s.trim()) : undefined,
};

/** Debian's Chromium (no test tool downloads its own browser): env, the cached path, or /usr/bin. */
function chromiumPath() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  const cached = join(cache, 'chromium-path');
  if (existsSync(cached)) return readFileSync(cached, 'utf8').trim();
  return '/usr/bin/chromium';
}

/** Exports src/ at `rev` beside node_modules (so its imports resolve); returns its browser entry. */
function exportBefore(rev) {
  const dir = join(cache, 'bench-before');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const tar = execFileSync('git', ['archive', '--format=tar', rev, 'src'], { cwd: root, maxBuffer: 1 << 28 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  return join(dir, 'src/browser.ts');
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.map': 'application/json' };

/** A static server of `dir` on 127.0.0.1, any free port. */
async function serve(dir) {
  const server = createServer((req, res) => {
    if (serveFile(req, res) || benchRoute(req, res)) return; // the stored files of the Service Worker rows, with Range
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (path === '/favicon.ico') return void res.writeHead(204).end();
    const file = join(dir, path === '/' ? 'index.html' : path);
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return server;
}

const f = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '-');

function print(r) {
  console.log(
    `\n${r.userAgent}\n${r.config.mib} MiB, ${r.config.runs} rounds, ${r.config.cores} cores, pool ${r.config.poolSize}`,
  );
  console.log(
    `ceiling (${r.ceiling.workers} Web Workers, WebCrypto seal + SHA-256, 64 KiB frames): ${f(r.ceiling.mbps)} MB/s`,
  );
  const ratio = (id, dir, of) => r.ratios.find((q) => q.id === id && q.dir === dir && q.of === of)?.ratio;
  const busy = (c) => ['main', 'workers', 'renderer-other', 'other'].map((k) => f(c[k], 2)).join('/');
  console.log(
    `  cores busy (main/workers/renderer-other/other): ${busy(r.ceiling.cores)}, ${f(r.ceiling.cpuPerGiB, 2)} cpu s/GiB`,
  );
  console.log(
    ['row', 'dir', 'MB/s', 'runs', '×ceiling', '×v2-aes', '×openpgp', 'cores m/w/r/o', 'cpu s/GiB'].join('\t'),
  );
  for (const x of r.rows) {
    const runs = x.runs.map((m) => f(m)).join(',');
    const cols = [x.label, x.dir, f(x.mbps), runs, f(ratio(x.id, x.dir, 'ceiling'), 2)];
    cols.push(
      f(ratio(x.id, x.dir, 'v2-aes'), 2),
      f(ratio(x.id, x.dir, 'openpgp'), 2),
      busy(x.cores),
      f(x.cpuPerGiB, 2),
    );
    console.log(cols.join('\t'));
  }
  for (const t of r.targets) console.log(`${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${f(t.value, 2)} (goal ${t.goal})`);
}

function printServe(s) {
  const mib = (b) => (b / 2 ** 20).toFixed(0);
  console.log(
    `\nService Worker (${mib(s.config.serveBytes)} MiB read over HTTP per run, ${s.config.runs} rounds, pool ${s.poolSize})`,
  );
  console.log(['row', 'MB/s', 'runs', 'cores m/w/r/o'].join('\t'));
  const busy = (c) => ['main', 'workers', 'renderer-other', 'other'].map((k) => f(c[k], 2)).join('/');
  for (const x of s.rows) console.log([x.id, f(x.mbps), x.runs.map((m) => f(m)).join(','), busy(x.cores)].join('\t'));
  for (const [k, v] of Object.entries(s.ratios)) console.log(`  ${k}: ${f(v, 2)}`);
  const W = 16 * (18 + 65536 + 16) + (18 + 33 + 16) + 34;
  for (const q of s.seek)
    console.log(
      `  seek to 75 %: ${q.requests} range request(s), covering ${q.covering} segment(s), server sent ${q.fetched} B = ${f(q.fetched / W, 2)} segments; target ${f(q.requests * (2 * W + 34))} B`,
    );
  const v = s.save;
  const fl = v.floor;
  console.log(
    `  floor (the worker streams zeros, fresh 1 MiB buffers, no fetch or crypto): ${f(fl.seconds, 1)} s, ${f(fl.mbps)} MB/s; RSS ${mib(fl.rssBefore)} → peak ${mib(fl.rssPeak)} MiB (+${mib(fl.rssPeak - fl.rssBefore)})`,
  );
  console.log(
    `  save ${mib(s.config.saveBytes)} MiB through the worker: ${f(v.seconds, 1)} s, ${f(v.mbps)} MB/s; browser RSS ${mib(v.rssBefore)} → peak ${mib(v.rssPeak)} MiB (+${mib(v.rssPeak - v.rssBefore)}); SHA-256 ${v.sha256Equal ? 'equal' : 'DIFFERENT'}`,
  );
}

const before = arg('--before');
process.env.BENCH_BEFORE_SRC = before ? exportBefore(before) : '';
await build({ configFile: here('vite.config.ts') });
// The page's Service Worker: one self-contained module beside it (scope: the whole page).
await build({
  configFile: false,
  logLevel: 'warn',
  build: {
    outDir: join(cache, 'bench-browser'),
    emptyOutDir: false,
    target: 'es2022',
    minify: false,
    rollupOptions: { input: here('sw.ts'), output: { entryFileNames: 'sw.js', format: 'es', codeSplitting: false } },
  },
});
const server = await serve(join(cache, 'bench-browser')); // vite.config.ts OUT_DIR
const origin = `http://127.0.0.1:${server.address().port}`;
const found = (e) => e === 'chromium' || existsSync(join(cache, `${e}-path`)) || env[`${e.toUpperCase()}_PATH`];
const engines = (env.BENCH_ENGINES ?? 'chromium,firefox,webkit').split(',').map((s) => s.trim());
const results = {};
/** Chromium through Playwright: a persistent profile, the CPU sampler, and the Service Worker rows. */
async function runChromium() {
  // A profile on disk, not an off-the-record context: Chromium keeps Blobs past its in-memory
  // limit on disk only for a profile with a directory (1 GiB of plaintext and its ciphertext).
  // --expose-gc: the page frees each ciphertext Blob before the next row makes its own.
  const profile = mkdtempSync(join(tmpdir(), 'stream-v2-bbench-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    args: [...CHROMIUM_ARGS, '--js-flags=--expose-gc'],
  });
  try {
    const page = browser.pages()[0] ?? (await browser.newPage());
    // The page samples per-thread CPU around each timed run (cpu.mjs).
    await page.exposeFunction('benchCpu', () => cpuByThread(process.pid)); // Chromium is our child
    page.on('console', (m) => {
      if (m.text().startsWith('[bench]') || m.type() === 'error') console.log(m.text());
    });
    page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
    await page.goto(`${origin}/index.html`);
    await page.waitForFunction(() => typeof globalThis.runBench === 'function');
    const result = await page.evaluate((c) => globalThis.runBench(c), config);
    print(result);
    if (env.BENCH_SERVE !== '0') {
      result.serve = await runServeBench(page, profile, env);
      printServe(result.serve);
    }
    return result;
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Rows × engines: median MB/s, and the default pool's ratios to workers: 0 and to the ceiling. */
function printColumns() {
  const names = Object.keys(results);
  console.log(`\n${config.mib} MiB, median MB/s of ${config.runs} rounds\nrow\tdir\t${names.join('\t')}`);
  const first = results[names[0]];
  for (const x of first?.rows ?? []) {
    const cell = (n) => f(results[n].rows.find((y) => y.id === x.id && y.dir === x.dir)?.mbps);
    console.log([x.label, x.dir, ...names.map(cell)].join('\t'));
  }
  console.log(['Web Worker ceiling', 'both', ...names.map((n) => f(results[n].ceiling.mbps))].join('\t'));
  for (const [of, label] of [
    ['v2-aes-w0', '×workers: 0'],
    ['ceiling', '×ceiling'],
  ]) {
    for (const dir of ['encrypt', 'decrypt']) {
      const q = (n) => results[n].ratios.find((r) => r.id === 'v2-aes' && r.dir === dir && r.of === of)?.ratio;
      console.log([`default pool ${label}`, dir, ...names.map((n) => f(q(n), 2))].join('\t'));
    }
  }
}

try {
  for (const e of engines) {
    if (!found(e)) {
      console.log(`\n${e}: not found (node scripts/find-browsers.mjs ${e}), skipped`);
      continue;
    }
    console.log(`\n== ${e}`);
    const r = e === 'chromium' ? await runChromium() : await runInEngine(e, origin, config, 3_600_000);
    if (e !== 'chromium') print(r);
    if (before) r.config.before = before;
    results[e] = r;
  }
  printColumns();
  const json = arg('--json');
  const { chromium: c, ...others } = results;
  if (json) writeFileSync(json, `${JSON.stringify({ ...(c ?? {}), engines: others }, null, 2)}\n`);
} finally {
  server.close();
}
