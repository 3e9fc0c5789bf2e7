/**
 * The package works when an app bundles it: a Node app bundled with its dependencies (esbuild,
 * Vite SSR with `ssr.noExternal: true`) and a browser app built by Vite, run in Chromium, each
 * round-trip 5 MiB through 2 workers. They import the built package as a consumer would.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { promisify } from 'node:util';
import { build as esbuild } from 'esbuild';
import { chromium } from 'playwright';
import { build as vite } from 'vite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import webpack from 'webpack';
import { type Consumer, makeConsumer } from './packed.js';

const run = promisify(execFile);

/** Encrypts and decrypts 5 MiB with a pool of 2 workers; resolves to a one-line verdict. */
const ROUND_TRIP = `
import { DecryptSegmentTransform, EncryptSegmentTransform, WorkerPool } from 'stream-v2';

export async function roundTrip() {
  const size = 5 * 1024 * 1024;
  const plaintext = new Uint8Array(size);
  for (let i = 0; i < size; i++) plaintext[i] = (i * 31 + (i >>> 13)) & 255;
  const key = crypto.getRandomValues(new Uint8Array(32));
  const pool = new WorkerPool({ size: 2 });
  const source = new ReadableStream({
    start(c) {
      for (let at = 0; at < size; at += 300_000) c.enqueue(plaintext.slice(at, at + 300_000));
      c.close();
    },
  });
  const out = new Uint8Array(size + 1);
  let length = 0;
  try {
    await source
      .pipeThrough(new EncryptSegmentTransform(key, { workers: pool }))
      .pipeThrough(new DecryptSegmentTransform(key, { workers: pool }))
      .pipeTo(new WritableStream({ write(chunk) { out.set(chunk.subarray(0, size + 1 - length), length); length += chunk.length; } }));
  } catch (e) {
    return 'failed: ' + String(e);
  } finally {
    await pool.terminate();
  }
  if (length !== size) return 'length ' + length;
  for (let i = 0; i < size; i++) if (out[i] !== plaintext[i]) return 'differs at ' + i;
  return 'ok ' + length;
}
`;

const NODE_APP = `import { roundTrip } from './round-trip.js';\nconsole.log(await roundTrip());\n`;
const WEB_HTML = `<!doctype html><html><body><script type="module" src="./main.js"></script></body></html>`;
const WEB_APP = `import { roundTrip } from '../round-trip.js';\nroundTrip().then((r) => { window.verdict = r; });\n`;

let consumer: Consumer;
let built: Promise<void>;

beforeAll(() => {
  consumer = makeConsumer('bundlers', {
    'round-trip.js': ROUND_TRIP,
    'app.js': NODE_APP,
    'web/index.html': WEB_HTML,
    'web/main.js': WEB_APP,
  });
  const dir = consumer.dir;
  const quiet = { configFile: false, logLevel: 'silent' } as const;
  built = Promise.all([
    esbuild({
      entryPoints: [join(dir, 'app.js')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: join(dir, 'out-esbuild/app.mjs'),
      logLevel: 'silent',
    }),
    vite({
      ...quiet,
      root: dir,
      ssr: { noExternal: true },
      build: {
        ssr: join(dir, 'app.js'),
        outDir: join(dir, 'out-vite-ssr'),
        rollupOptions: { output: { entryFileNames: 'app.mjs' } },
      },
    }),
    vite({ ...quiet, root: join(dir, 'web'), base: './', build: { outDir: join(dir, 'out-vite-web') } }),
    esbuild({
      entryPoints: [join(dir, 'web/main.js')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      outfile: join(dir, 'out-esbuild-web/main.js'),
      logLevel: 'silent',
    }),
    new Promise<void>((resolve, reject) =>
      webpack(
        {
          mode: 'production',
          context: dir,
          entry: './web/main.js',
          output: { path: join(dir, 'out-webpack-web'), filename: 'main.js' },
          target: 'web',
          infrastructureLogging: { level: 'none' },
        },
        (err, stats) => (err || stats?.hasErrors() ? reject(err ?? new Error(stats?.toString())) : resolve()),
      ),
    ),
  ]).then(() => {
    writeFileSync(join(dir, 'out-webpack-web/index.html'), WEB_HTML);
    // esbuild leaves `new URL('worker.browser.js', import.meta.url)` alone: the README's recipe
    // copies the worker beside the bundle.
    copyFileSync(
      join(dir, 'node_modules/stream-v2/dist/worker.browser.js'),
      join(dir, 'out-esbuild-web/worker.browser.js'),
    );
    writeFileSync(join(dir, 'out-esbuild-web/index.html'), WEB_HTML);
    // Whatever the bundles need must be inside them: the package is gone once they are built.
    renameSync(join(dir, 'node_modules'), join(dir, 'gone'));
  });
});

afterAll(async () => {
  await built.catch(() => {});
  consumer?.remove();
});

it.each([
  ['esbuild', 'out-esbuild'],
  ['Vite SSR (ssr.noExternal: true)', 'out-vite-ssr'],
])(
  'a Node app bundled by %s round-trips 5 MiB through 2 workers',
  async (_name, out) => {
    await built;
    const { stdout, stderr } = await run(process.execPath, [join(consumer.dir, out, 'app.mjs')], { timeout: 60_000 });
    expect(stderr).toBe('');
    expect(stdout.trim()).toBe(`ok ${5 * 1024 * 1024}`);
  },
  120_000,
);

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json' };

/** Serves `root` on loopback. */
function serve(root: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    try {
      const body = readFileSync(join(root, path === '/' ? 'index.html' : path));
      res.writeHead(200, { 'content-type': TYPES[extname(path) || '.html'] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

it.each([
  ['Vite', 'out-vite-web'],
  ['webpack 5', 'out-webpack-web'],
  ['esbuild', 'out-esbuild-web'],
])(
  'a browser app built by %s round-trips 5 MiB through 2 Web Workers in Chromium',
  async (_name, out) => {
    await built;
    const server = await serve(join(consumer.dir, out));
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const verdict = await page.waitForFunction(() => (window as { verdict?: string }).verdict, null, {
        timeout: 90_000,
      });
      expect(errors).toEqual([]);
      expect(await verdict.jsonValue()).toBe(`ok ${5 * 1024 * 1024}`);
    } finally {
      await browser.close();
      server.close();
    }
  },
  120_000,
);
