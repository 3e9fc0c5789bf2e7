/** Helpers of the demo's end-to-end tests. */
import { type Browser, expect, type Page } from '@playwright/test';
import type { FileInfo as ServerFile } from '../demo/store.js';
import { paramsOf, referenceCiphertext } from '../test/reference.js';

/** What the server's /api/files lists (demo/store.ts). */
export type { FileInfo as ServerFile } from '../demo/store.js';

/** Opens the demo in a new tab (with `key` in its address, as after a reload). */
export async function startPage(browser: Browser, key?: string): Promise<Page> {
  const context = browser.contexts()[0] ?? (await browser.newContext());
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await page.goto(key ? `/#key=${key}` : '/');
  return page;
}

/**
 * Closes every context of the browser: Playwright's worker shares it with the spec files that
 * run after this one, and a page left open goes on polling the server every 3 s and holding its
 * memory there: by the Service Worker spec's 2 GiB save the renderers held 3.1 GiB while
 * demo.spec and demo-ux.spec left their pages open, 0.56 GiB once they close them.
 */
export async function closeContexts(browser: Browser): Promise<void> {
  await Promise.all(browser.contexts().map((c) => c.close()));
}

/** The page's network, as DevTools emulates it. */
export interface Network {
  /** Takes the page off the network (navigator.onLine false, requests fail) or back on. */
  offline(off: boolean): Promise<void>;
}

/**
 * Slows the page's uploads to `bytesPerSecond` (DevTools network emulation), so a test can
 * catch an upload halfway: unthrottled on loopback a 64 MiB upload is over in about a second.
 * Offline goes through the same emulation: the context's setOffline would be overridden by it.
 */
export async function throttleUploads(page: Page, bytesPerSecond: number): Promise<Network> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const set = (offline: boolean) =>
    cdp.send('Network.emulateNetworkConditions', {
      offline,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: bytesPerSecond,
    });
  await set(false);
  return { offline: async (off) => void (await set(off)) };
}

/** The random key the page keeps in its address fragment. */
export async function pageKey(page: Page): Promise<string> {
  await page.check('input[name=secret][value=key]');
  return page.evaluate(() => {
    // The page makes its key on first use; ask for it the same way.
    const params = new URLSearchParams(location.hash.slice(1));
    if (!params.get('key')) {
      const k = crypto.getRandomValues(new Uint8Array(32));
      params.set('key', Array.from(k, (x) => x.toString(16).padStart(2, '0')).join(''));
      history.replaceState(null, '', `#${params}`);
    }
    return params.get('key') as string;
  });
}

/**
 * Waits until the upload of `name` finished and the server's keyless check of it is over (the
 * server answers the last PATCH first and checks after; the card shows the verdict).
 */
export async function waitUploaded(page: Page, name: string): Promise<void> {
  const card = page.locator(`.card[data-file="${name}"]`).first();
  await expect(card).toHaveAttribute('data-state', /done|failed/, { timeout: 170_000 });
  await expect(card).toHaveAttribute('data-state', 'done');
  await expect(card.locator('[data-role=server-check]')).toHaveAttribute('data-verdict', /./, { timeout: 60_000 });
}

export async function serverFiles(page: Page): Promise<ServerFile[]> {
  const res = await page.request.get('/api/files');
  return (await res.json()) as ServerFile[];
}

export function fileRow(page: Page, name: string) {
  return page.locator(`#file-rows tr[data-name="${name}"]`);
}

/** The ciphertext of the plaintext under that header (the tests' reference encoder: no API chooses a salt). */
export async function expectedCiphertext(blob: Blob, keyHex: string, header: Uint8Array): Promise<Uint8Array> {
  const key = Uint8Array.from(keyHex.match(/../g) as string[], (x) => Number.parseInt(x, 16));
  const plain = new Uint8Array(await blob.arrayBuffer());
  return referenceCiphertext(key, paramsOf(header), plain);
}
