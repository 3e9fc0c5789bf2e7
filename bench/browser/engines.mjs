/**
 * The bench in Firefox and WebKit: neither has a driver that works here (scripts/engines.mjs), so
 * run.mjs opens the page with `?auto` in the engine and the page talks to this over loopback HTTP:
 * GET /bench/config, GET /bench/cpu (the engine's per-thread CPU, cpu.mjs), POST /bench/log and
 * POST /bench/result (bench.ts, `auto`).
 */
import { launchEngine } from '../../scripts/engines.mjs';
import { cpuByThread } from './cpu.mjs';

const state = { config: undefined, pid: 0, done: (_r) => {} };

function body(req) {
  return new Promise((ok) => {
    const parts = [];
    req.on('data', (d) => parts.push(d));
    req.on('end', () => ok(JSON.parse(Buffer.concat(parts).toString() || 'null')));
  });
}

/** Answers the page's /bench/ requests; false for other paths. */
export function benchRoute(req, res) {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (!path.startsWith('/bench/')) return false;
  const json = (x) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(x ?? null));
  if (path === '/bench/config') json(state.config);
  else if (path === '/bench/cpu') json(cpuByThread(state.pid));
  else if (path === '/bench/log')
    void body(req).then((line) => {
      if (String(line).startsWith('[bench]')) console.log(line);
      json(null);
    });
  else if (path === '/bench/result')
    void body(req).then((r) => {
      json(null);
      state.done(r);
    });
  else res.writeHead(404).end();
  return true;
}

/** Runs the bench page at `origin` in `engine` with `config`; its result, or throws its error. */
export async function runInEngine(engine, origin, config, timeoutMs) {
  state.config = config;
  const result = new Promise((ok) => {
    state.done = ok;
  });
  const browser = await launchEngine(engine, `${origin}/index.html?auto`);
  state.pid = browser.pid;
  let timer;
  const late = new Promise((ok) => {
    timer = setTimeout(() => ok({ error: `no result within ${timeoutMs / 1000} s` }), timeoutMs);
  });
  try {
    const r = await Promise.race([result, late]);
    if (r?.error) throw new Error(`${engine}: ${r.error}`);
    return r;
  } finally {
    clearTimeout(timer);
    browser.stop();
  }
}
