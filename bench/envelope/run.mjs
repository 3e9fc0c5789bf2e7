/**
 * How long opening a key envelope takes next to one 1 MiB segment (issue 22), in Node and in
 * Debian's headless Chromium (the page served on loopback: WebCrypto needs a secure context).
 *   npm run build && node bench/envelope/run.mjs
 * Env: BENCH_RUNS (21), CHROMIUM_PATH (else the path scripts/find-chromium.mjs cached, else /usr/bin/chromium).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright';
import { CHROMIUM_ARGS } from '../../scripts/chromium-args.mjs';
import { measure } from './measure.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 21);

function chromiumPath() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  const cached = here('../../node_modules/.cache/stream-v2/chromium-path');
  return existsSync(cached) ? readFileSync(cached, 'utf8').trim() : '/usr/bin/chromium';
}

const node = await measure(await import('../../dist/node.js'), runs);

const bundle = await build({
  stdin: {
    contents: `import * as lib from './dist/browser.js'; import { measure } from './bench/envelope/measure.mjs';
      window.result = measure(lib, ${runs});`,
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
let web;
try {
  const tab = await browser.newPage();
  await tab.goto(`http://127.0.0.1:${server.address().port}/`);
  web = await tab.evaluate(() => window.result);
} finally {
  await browser.close();
  server.close();
}

console.log(`medians of ${runs} runs, ms (one thread, workers: 0)`);
console.log(['', 'Node', 'Chromium'].join(' | '));
for (const k of Object.keys(node)) console.log([k, node[k], web[k]].join(' | '));
