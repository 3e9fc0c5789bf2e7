/**
 * Flags for every headless Chromium the project starts (Vitest's browser project, the demo's
 * Playwright tests, the browser bench): a closed network and a root user.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
