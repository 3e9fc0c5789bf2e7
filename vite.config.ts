/// <reference types="vitest/config" />
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { playwright } from '@vitest/browser-playwright';
import { preview } from '@vitest/browser-preview';
import { build as esbuild } from 'esbuild';
import { defineConfig, type Plugin } from 'vite';
import { CHROMIUM_ARGS } from './scripts/chromium-args.mjs';
import { TOOL_TESTS } from './scripts/test-groups.mjs';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

const NODE_WORKER_CODE = 'virtual:node-worker-code';

/**
 * `virtual:node-worker-code`: the Node worker (src/worker/node.ts) bundled with its
 * dependencies into one ES module, as a string. The Node platform starts its workers from it
 * (a data: URL), so no worker file has to sit beside the entry: apps that bundle stream-v2
 * (esbuild, Vite SSR) keep working. The worker itself never starts workers, so inside its own
 * bundle the module is an empty string.
 */
function nodeWorkerCode(): Plugin {
  const id = `\0${NODE_WORKER_CODE}`;
  return {
    name: 'stream-v2:node-worker-code',
    resolveId: (source) => (source === NODE_WORKER_CODE ? id : undefined),
    async load(loaded) {
      if (loaded !== id) return undefined;
      const out = await esbuild({
        entryPoints: [here('src/worker/node.ts')],
        bundle: true,
        platform: 'node',
        format: 'esm',
        mainFields: ['module', 'main'], // Comlink's ES build, not its UMD one
        target: 'node20',
        write: false,
        logLevel: 'silent',
        plugins: [
          {
            name: 'no-nested-worker',
            setup(b) {
              b.onResolve({ filter: /^virtual:node-worker-code$/ }, () => ({ path: 'empty', namespace: 'empty' }));
              b.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'export default ""' }));
            },
          },
        ],
      });
      return `export default ${JSON.stringify(out.outputFiles[0]?.text ?? '')};`;
    },
  };
}

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

/** CDP sessions of the virtual authenticators (kept: a session that goes removes its authenticator). */
const cdpSessions: unknown[] = [];

/**
 * A browser command: a CDP virtual authenticator (WebAuthn passkeys without a person), with the
 * PRF extension unless `prf` is false, in the page under test. Returns its id.
 */
async function addVirtualAuthenticator(ctx: { page: import('playwright').Page }, prf = true): Promise<string> {
  const cdp = await ctx.page.context().newCDPSession(ctx.page);
  cdpSessions.push(cdp);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      hasPrf: prf,
      automaticPresenceSimulation: true,
    },
  });
  return authenticatorId;
}

/** A browser command: removes every virtual authenticator made so far (their sessions detach). */
async function removeVirtualAuthenticators(): Promise<void> {
  for (const cdp of cdpSessions.splice(0)) await (cdp as { detach(): Promise<void> }).detach();
}

/**
 * Firefox or WebKit, when STREAM_V2_ENGINE names one (scripts/test-engines.mjs runs Vitest once
 * per engine): the browser tests in that engine, opened by Vite's BROWSER launcher
 * (scripts/open-engine.js) since neither engine has a Vitest provider that works here (see
 * scripts/engines.mjs). The preview provider serves the same tests and reads their results from
 * Vitest's own socket; it cannot be headless by its own account, so the launcher is.
 */
const ENGINE = process.env['STREAM_V2_ENGINE'] as 'firefox' | 'webkit' | undefined;
if (ENGINE) process.env['BROWSER'] = here('scripts/open-engine.js');

export default defineConfig({
  // Relative URLs, or the bundled worker chunk 404s outside the site root.
  base: './',
  plugins: [nodeWorkerCode()],
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
        cli: here('src/cli/main.ts'),
        'service-worker': here('src/service-worker/index.ts'),
        'service-worker-page': here('src/service-worker/page.ts'),
      },
      formats: ['es'],
    },
    rollupOptions: {
      external: [/^node:/, 'comlink', /^comlink\//, /^@noble\//, 'hpke', '@panva/hpke-noble', /^@scure\//],
      output: { entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
    },
  },
  // One stable name (dist/worker.browser.js): apps bundled by esbuild, which leaves
  // `new URL(…, import.meta.url)` alone, copy it beside their bundle (README, Bundlers).
  worker: { format: 'es', rolldownOptions: { output: { entryFileNames: 'worker.browser.js' } } },
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
          exclude: ['test/browser/**', ...(process.env['STREAM_V2_SKIP_TOOL_TESTS'] ? TOOL_TESTS : [])],
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
              launchOptions: { executablePath: chromiumPath(), args: [...CHROMIUM_ARGS] },
            }),
            instances: [{ browser: 'chromium' }],
            commands: { addVirtualAuthenticator, removeVirtualAuthenticators },
          },
        },
      },
      ...(ENGINE === 'firefox' || ENGINE === 'webkit'
        ? [
            {
              extends: true as const,
              resolve: { alias: { '#lib': here('src/browser.ts') } },
              test: {
                name: ENGINE,
                include: ['test/shared/**/*.test.ts', 'test/browser/**/*.test.ts'],
                // Passkeys need CDP virtual authenticators (the commands above): Chromium's only.
                exclude: ['test/browser/passkey.test.ts'],
                // A share of the heaviest randomized tests' cases (test/helpers.ts, `cases`): a
                // quarter in Firefox, an eighth in WebKit, whose every Blob read is a round trip
                // to its network process (a small random read takes ~5 ms there).
                provide: { caseShare: ENGINE === 'webkit' ? 0.125 : 0.25 },
                browser: {
                  enabled: true,
                  headless: false,
                  screenshotFailures: false,
                  api: { host: '127.0.0.1' },
                  provider: preview(),
                  instances: [{ browser: ENGINE }],
                },
              },
            },
          ]
        : []),
    ],
  },
});
