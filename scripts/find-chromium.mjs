#!/usr/bin/env node
/**
 * `node scripts/find-browsers.mjs chromium`, under the name `npm test` and the docs have long used:
 * finds or installs a Chromium and writes its path to node_modules/.cache/stream-v2/chromium-path.
 * The flags (--out FILE, --no-install, --dry-run) and the environment (CHROMIUM_PATH,
 * STREAM_V2_CHROMIUM_CANDIDATES) are find-browsers.mjs's.
 */
process.argv.splice(2, 0, 'chromium');
await import('./find-browsers.mjs');
