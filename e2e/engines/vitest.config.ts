/**
 * The demo's end-to-end tests in Firefox and WebKit (e2e/engines): Vitest in Node, each file
 * driving one browser against its own demo server. `npm run test:e2e:engines` builds the page and
 * the server first. Vitest's summary line ("Tests  12 passed (12)") is what .ci/run counts.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['e2e/engines/*.e2e.ts'],
    environment: 'node',
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
