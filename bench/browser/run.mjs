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

const before = arg('--before');
process.env.BENCH_BEFORE_SRC = before ? exportBefore(before) : '';
await build({ configFile: here('vite.config.ts') });
const server = await serve(join(cache, 'bench-browser')); // vite.config.ts OUT_DIR
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
  await page.goto(`http://127.0.0.1:${server.address().port}/index.html`);
  await page.waitForFunction(() => typeof globalThis.runBench === 'function');
  const result = await page.evaluate((c) => globalThis.runBench(c), config);
  if (before) result.config.before = before;
  print(result);
  const json = arg('--json');
  if (json) writeFileSync(json, `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
  server.close();
}
