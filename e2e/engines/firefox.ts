/**
 * Firefox for the engine runner: the machine's Firefox (scripts/find-browsers.mjs), headless, driven
 * over WebDriver BiDi by puppeteer-core (no geckodriver; Playwright's own protocol does not drive
 * Debian's Firefox: `emulation.setMediaFeaturesOverride: unknown command`). Clicks and typing are
 * BiDi input actions; the file input gets its files by BiDi `input.setFiles`, as a file dialog would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { enginePath } from '../../scripts/engines.mjs';
import type { EnginePage } from './page.js';

/** Downloads go to `dir` without a dialog; nothing calls home (tests never reach the network). */
function prefs(dir: string): Record<string, unknown> {
  return {
    'browser.download.folderList': 2,
    'browser.download.dir': dir,
    'browser.download.useDownloadDir': true,
    'browser.download.always_ask_before_handling_new_types': false,
    'browser.download.start_downloads_in_tmp_dir': false,
    'browser.helperApps.neverAsk.saveToDisk': 'application/octet-stream',
    'browser.download.panel.shown': true,
    'app.update.disabledForTesting': true,
    'app.normandy.enabled': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'toolkit.telemetry.reportingpolicy.firstRun': false,
    'browser.safebrowsing.update.enabled': false,
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
  };
}

export async function openFirefox(): Promise<EnginePage> {
  const downloads = mkdtempSync(join(tmpdir(), 'stream-v2-firefox-downloads-'));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: enginePath('firefox'),
    headless: true,
    extraPrefsFirefox: prefs(downloads),
    defaultViewport: { width: 1100, height: 900 },
  });
  const page = (await browser.pages())[0] ?? (await browser.newPage());
  page.on('pageerror', (e) => console.error('firefox page error:', e));
  return {
    engine: 'firefox',
    downloads,
    async goto(url) {
      await page.goto(url, { waitUntil: 'load' });
    },
    evaluate: (fn, ...args) => page.evaluate(fn as never, ...(args as unknown as never[])) as never,
    async click(selector) {
      await page.locator(selector).click();
    },
    async fill(selector, text) {
      await page.locator(selector).click();
      await page.keyboard.down('Control');
      await page.keyboard.press('KeyA');
      await page.keyboard.up('Control');
      await page.keyboard.press('Backspace');
      await page.keyboard.type(text);
    },
    async choose(selector, value) {
      await page.select(selector, value);
    },
    async setFiles(selector, paths) {
      const input = await page.$(selector);
      if (!input) throw new Error(`firefox: no ${selector} on the page`);
      await (input as import('puppeteer-core').ElementHandle<HTMLInputElement>).uploadFile(...paths);
    },
    async close() {
      await browser.close();
      rmSync(downloads, { recursive: true, force: true });
    },
  };
}
