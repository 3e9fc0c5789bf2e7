/**
 * End-to-end tests of the demo: the real page in Chromium against the real server (started by
 * `webServer`, loopback only, its storage in a fresh temporary folder). `npm run test:e2e`
 * builds the library, the page and the server first.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS } from '../scripts/chromium-args.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const port = Number(process.env.E2E_PORT ?? 8391);
if (!process.env.DEMO_DATA) {
  process.env.DEMO_DATA = mkdtempSync(join(tmpdir(), 'stream-v2-e2e-'));
  process.env.E2E_REMOVE_DATA = '1'; // ours: e2e/teardown.ts removes it (a run stores ~250 MB)
}
const data = process.env.DEMO_DATA; // the tests read the stored files from here

/** The same browser as the Vitest Chromium project (scripts/find-chromium.mjs writes its path). */
function chromium(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  const found = join(root, 'node_modules/.cache/stream-v2/chromium-path');
  if (existsSync(found)) return readFileSync(found, 'utf8').trim() || undefined;
  return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
}

export default defineConfig({
  testDir: '.',
  outputDir: join(root, 'e2e/results'),
  timeout: 180_000,
  expect: { timeout: 60_000 },
  workers: 1,
  fullyParallel: false,
  reporter: [['list']],
  globalTeardown: './teardown.ts',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: {
      executablePath: chromium(),
      args: [...CHROMIUM_ARGS],
    },
    viewport: { width: 1100, height: 900 },
  },
  webServer: {
    command: 'node demo/dist-server/server.js',
    cwd: root,
    url: `http://127.0.0.1:${port}/api/stats`,
    // Test 6 flips a byte: tampering is opt-in (DEMO_TAMPER=1); the other defaults stay.
    env: { PORT: String(port), HOST: '127.0.0.1', DEMO_DATA: data, DEMO_TAMPER: '1' },
    reuseExistingServer: false,
    stdout: 'pipe',
    timeout: 30_000,
  },
});
