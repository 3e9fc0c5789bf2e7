#!/usr/bin/env node
/**
 * The API report: the public surface of the package, as its emitted declarations state it
 * (dist/index.d.ts for the Web entry, dist/node.d.ts for Node), without doc comments, compared
 * with the committed report in etc/. A change of the public API then shows as a diff of etc/
 * in review, and `npm test` fails until the report is updated with it.
 *
 *   node scripts/api-report.mjs           check (exit 1 with a diff when they differ)
 *   node scripts/api-report.mjs --update  write the report from the current build
 *   --dist DIR, --report DIR              other folders (the test of this script uses them)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const dist = arg('--dist', join(root, 'dist'));
const report = arg('--report', join(root, 'etc'));
const update = process.argv.includes('--update');

/** The declarations that make the surface: doc comments and blank lines dropped. */
export function surface(dts) {
  return `${dts
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split('\n')
    .map((l) => l.replace(/\s+$/, ''))
    .filter((l) => l.trim() !== '' && !l.trim().startsWith('//'))
    .join('\n')}\n`;
}

/** A line diff, enough to point a reviewer at the change. */
function diff(want, got) {
  const a = want.split('\n');
  const b = got.split('\n');
  const out = [];
  const inA = new Set(a);
  const inB = new Set(b);
  for (const l of a) if (!inB.has(l)) out.push(`- ${l}`);
  for (const l of b) if (!inA.has(l)) out.push(`+ ${l}`);
  return out.join('\n');
}

let failed = false;
for (const [entry, file] of [
  ['index.d.ts', 'stream-v2.api.d.ts'],
  ['node.d.ts', 'stream-v2-node.api.d.ts'],
  ['service-worker.d.ts', 'stream-v2-service-worker.api.d.ts'],
  ['service-worker-page.d.ts', 'stream-v2-service-worker-page.api.d.ts'],
]) {
  const built = join(dist, entry);
  if (!existsSync(built)) {
    console.error(`api-report: ${built} is missing: run npm run build first`);
    process.exit(2);
  }
  const got = surface(readFileSync(built, 'utf8'));
  const at = join(report, file);
  if (update) {
    mkdirSync(report, { recursive: true });
    writeFileSync(at, got);
    console.log(`api-report: wrote ${at}`);
    continue;
  }
  const want = existsSync(at) ? readFileSync(at, 'utf8') : '';
  if (want !== got) {
    failed = true;
    console.error(
      `api-report: the public API (${entry}) differs from ${at}:\n${diff(want, got) || '(order or spacing)'}`,
    );
  }
}
if (failed) {
  console.error('api-report: review the change, then run `node scripts/api-report.mjs --update` and commit etc/');
  process.exit(1);
}
if (!update) console.log('api-report: the public API matches etc/');
