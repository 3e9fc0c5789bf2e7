/// <reference types="vitest/config" />
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * The browser for the chromium project: $CHROMIUM_PATH, else what scripts/find-chromium.mjs (the
 * first step of `npm test`) found or installed. A plain `vitest` run before any `npm test` asks
 * the script to look (not install). Nothing found: Playwright's own browser, whose launch error
 * names `npx playwright install chromium`.
 */
function chromiumPath(): string | undefined {
  if (process.env['CHROMIUM_PATH']) return process.env['CHROMIUM_PATH'];
  const found = here('node_modules/.cache/stream-v2/chromium-path');
  if (!existsSync(found)) {
    spawnSync(process.execPath, [here('scripts/find-chromium.mjs'), '--no-install'], { stdio: 'ignore' });
  }
  return existsSync(found) ? readFileSync(found, 'utf8').trim() || undefined : undefined;
}

// Flags for a closed network and a root user (see README).
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export default defineConfig({
  // Relative URLs, or the bundled worker chunk 404s outside the site root.
  base: './',
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    // No source maps: the published JS is unminified ES2022 (README, "The npm package").
    sourcemap: false,
    minify: false,
    lib: {
      entry: {
        node: here('src/node.ts'),
        browser: here('src/browser.ts'),
        'worker.node': here('src/worker/node.ts'),
        cli: here('src/cli/main.ts'),
      },
      formats: ['es'],
    },
    rollupOptions: {
      external: [/^node:/, 'comlink', /^comlink\//, /^@noble\//],
      output: { entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
    },
  },
  worker: { format: 'es' },
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        resolve: { alias: { '#lib': here('dist/node.js') } },
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/browser/**'],
        },
      },
      {
        extends: true,
        resolve: { alias: { '#lib': here('src/browser.ts') } },
        test: {
          name: 'chromium',
          include: ['test/shared/**/*.test.ts', 'test/browser/**/*.test.ts'],
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({
              launchOptions: { executablePath: chromiumPath(), args: chromiumArgs },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
