/**
 * The npm tarball as a user gets it: `npm pack`, installed into a fresh folder, then imported
 * (ESM), required (CommonJS: require(esm), Node >= 20.19) and run as a command (npx), all on the
 * Node that runs this test. Build first (`npx vite build && tsc -p tsconfig.build.json`).
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'stream-v2-tarball-'));
const app = join(dir, 'app');
const installed = join(app, 'node_modules/stream-v2');
let files: string[] = [];

// npm's own variables from an enclosing `npm test` would steer the nested npm: keep only the cache
// and registry settings. The Node under test comes first on PATH, so npm, npx and the CLI's
// `#!/usr/bin/env node` all run on it.
const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig']);
const env: Record<string, string> = {};
for (const [k, v] of Object.entries(process.env)) if (v !== undefined && (!/^npm_/i.test(k) || keep.has(k))) env[k] = v;
env['PATH'] = `${dirname(process.execPath)}${delimiter}${process.env['PATH']}`;
env['NO_COLOR'] = '1';

function run(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}${r.error ?? ''}`);
  return r;
}

beforeAll(() => {
  if (!existsSync(join(root, 'dist/index.d.ts'))) throw new Error('dist/ is incomplete: run `npm run build`');
  // --ignore-scripts: never rebuild dist/ under the other test files that use it.
  const packed = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], root).stdout);
  files = packed[0].files.map((f: { path: string }) => f.path).sort();
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
  // The dependencies come from npm's cache when `npm ci` has filled it, else from the registry.
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, packed[0].filename)], app);
}, 240_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('ships the license, the docs the README links to, the build and its types, and no source maps', () => {
  for (const f of [
    'LICENSE',
    'README.md',
    'package.json',
    'dist/node.js',
    'dist/browser.js',
    'dist/worker.browser.js',
  ]) {
    expect(files).toContain(f);
  }
  expect(files).toContain('dist/cli.js');
  expect(files).toContain('dist/index.d.ts');
  expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
  for (const f of files.filter((f) => f.endsWith('.js'))) {
    expect(readFileSync(join(installed, f), 'utf8'), f).not.toContain('sourceMappingURL');
  }
  const readme = readFileSync(join(installed, 'README.md'), 'utf8');
  const links = [...readme.matchAll(/\]\(([^)#:]+)\)/g)].map((m) => m[1]!);
  expect(links).toContain('docs/FORMAT.md');
  for (const link of links) expect(files, `README links to ${link}`).toContain(link);
  for (const doc of readdirSync(join(root, 'docs'), { recursive: true, withFileTypes: true })) {
    if (doc.isFile()) expect(files).toContain(relative(root, join(doc.parentPath, doc.name)));
  }
  expect(readFileSync(join(installed, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
});

// One encrypt -> decrypt round trip through 2 workers; `lib` is the package as imported or required.
const roundTrip = `
  const key = crypto.getRandomValues(new Uint8Array(32));
  const plain = new Uint8Array(300000).map((_, i) => (i * 31) & 255);
  const o = { frameSize: 4096, framesPerSegment: 4, workers: 2 };
  const sealed = new Blob([plain]).stream().pipeThrough(new lib.EncryptSegmentTransform(key, o));
  const back = new Uint8Array(await new Response(sealed.pipeThrough(new lib.DecryptSegmentTransform(key, { workers: 2 }))).arrayBuffer());
  const same = back.length === plain.length && back.every((b, i) => b === plain[i]);
  console.log(same ? 'round trip ok' : 'round trip BROKEN');
`;

it('imports as ESM and round-trips through the Node build and its workers', () => {
  const script = `import * as lib from 'stream-v2';\nconsole.log(import.meta.resolve('stream-v2'));\n${roundTrip}`;
  writeFileSync(join(app, 'esm.mjs'), script);
  const lines = run(process.execPath, ['esm.mjs'], app).stdout.trim().split('\n');
  expect(lines).toEqual([`file://${installed}/dist/node.js`, 'round trip ok']);
});

it('loads with require() (CommonJS) and round-trips', () => {
  const script = `const lib = require('stream-v2');\nconsole.log(require.resolve('stream-v2'));\n(async () => {${roundTrip}})();`;
  writeFileSync(join(app, 'cjs.cjs'), script);
  const lines = run(process.execPath, ['cjs.cjs'], app).stdout.trim().split('\n');
  expect(lines).toEqual([`${installed}/dist/node.js`, 'round trip ok']);
});

it('runs as `npx stream-v2`: keygen, encrypt, verify, decrypt', () => {
  const npx = (...args: string[]) => run('npx', ['--no', 'stream-v2', ...args], app);
  const plain = new Uint8Array(200_000).map((_, i) => (i * 7) & 255);
  writeFileSync(join(app, 'data.bin'), plain);
  npx('keygen', '-o', 'key.hex');
  expect(readFileSync(join(app, 'key.hex'), 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
  npx('encrypt', '--key-file', 'key.hex', '-o', 'data.sv2', 'data.bin');
  npx('verify', 'data.sv2');
  npx('decrypt', '--key-file', 'key.hex', '-o', 'back.bin', 'data.sv2');
  expect(new Uint8Array(readFileSync(join(app, 'back.bin')))).toEqual(plain);
});
