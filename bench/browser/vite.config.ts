/**
 * Builds the browser benchmark page (bench/browser/run.mjs drives it). The page imports the
 * library from its sources, so Vite bundles the Web Worker as an app would. `stream-v2-before`
 * is another copy of the library's sources for before/after rows in the same page (run.mjs
 * `--before REV`), else a module that exports nothing.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/** Where the page is built (ignored by git); run.mjs serves it from there. */
const OUT_DIR = here('../../node_modules/.cache/stream-v2/bench-browser');

export default defineConfig({
  root: here('.'),
  base: './',
  logLevel: 'warn',
  resolve: {
    alias: { 'stream-v2-before': process.env.BENCH_BEFORE_SRC || here('no-before.ts') },
  },
  build: { target: 'es2022', outDir: OUT_DIR, emptyOutDir: true, minify: false, sourcemap: false },
  worker: { format: 'es' },
});
