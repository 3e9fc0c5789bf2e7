/**
 * How long opening a key envelope takes next to one 1 MiB segment (issue 22), in Node and in
 * Debian's headless Chromium (the page served on loopback: WebCrypto needs a secure context).
 *   npm run build && node bench/envelope/run.mjs [--before REV] [--node-only]
 * --before REV: the library as it was at REV (built from its sources, bench/lib/before.mjs)
 * against this build, in the same process and page, round by round (measure.mjs).
 * --node-only: no Chromium (to run this script with another Node: test/node-versions/).
 * Env: BENCH_RUNS (21), CHROMIUM_PATH (else the path scripts/find-chromium.mjs cached, else /usr/bin/chromium).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright';
import { CHROMIUM_ARGS } from '../../scripts/chromium-args.mjs';
import { buildBefore } from '../lib/before.mjs';
import { measure } from './measure.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 21);
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const before = arg('--before');
const nodeOnly = process.argv.includes('--node-only');

function chromiumPath() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  const cached = here('../../node_modules/.cache/stream-v2/chromium-path');
  return existsSync(cached) ? readFileSync(cached, 'utf8').trim() : '/usr/bin/chromium';
}

// The before build's dist/ (node.js and browser.js), and this checkout's.
const beforeNode = before ? buildBefore(here('../..'), before) : undefined;
const builds = { ...(before ? { before: beforeNode } : {}), after: pathToFileURL(here('../../dist/node.js')).href };
const say = (where) => (name, medians) => console.error(`${where}: ${name}: ${JSON.stringify(medians)}`);

const libs = {};
for (const [n, url] of Object.entries(builds)) libs[n] = await import(url);
const node = await measure(libs, runs, say(`Node ${process.versions.node}`));

let web;
if (!nodeOnly) {
  const imports = Object.entries(builds)
    .map(([n, url]) => `import * as ${n} from ${JSON.stringify(join(dirname(fileURLToPath(url)), 'browser.js'))};`)
    .join('\n');
  const bundle = await build({
    stdin: {
      contents: `${imports}\nimport { measure } from './bench/envelope/measure.mjs';
        window.result = measure({ ${Object.keys(builds).join(', ')} }, ${runs});`,
      resolveDir: here('../..'),
    },
    bundle: true,
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  const page = `<!doctype html><script type="module">${bundle.outputFiles[0].text}</script>`;
  const server = createServer((_, res) => res.end(page)).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  try {
    const tab = await browser.newPage();
    await tab.goto(`http://127.0.0.1:${server.address().port}/`);
    web = await tab.evaluate(() => window.result);
  } finally {
    await browser.close();
    server.close();
  }
}

const names = Object.keys(builds);
const columns = [
  ...names.map((n) => `Node ${process.versions.node} ${n}`),
  ...(web ? names.map((n) => `Chromium ${n}`) : []),
];
console.log(`medians of ${runs} runs, ms (one thread, workers: 0)${before ? `; before = ${before}` : ''}`);
console.log(['', ...columns].join(' | '));
for (const k of Object.keys(node)) {
  console.log([k, ...names.map((n) => node[k][n]), ...(web ? names.map((n) => web[k][n]) : [])].join(' | '));
}
