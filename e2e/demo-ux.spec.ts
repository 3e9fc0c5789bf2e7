/**
 * The demo as a person meets it (issue 23): labelled figures, the read form filled after an
 * upload, pasted share links, offline and stalled uploads said in sentences and resumed, the
 * library's messages beside its codes, a confirmed tamper, and a resume from another device
 * (no saved state: derived from the server's bytes, issue 21). The exact texts come from
 * demo/format.ts, as the page writes them. Each test has its own browser context.
 */
import { mkdtempSync, openAsBlob, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, expect, test } from '@playwright/test';
import { bytes } from '../demo/format.js';
import {
  closeContexts,
  expectedCiphertext,
  fileRow,
  type ServerFile,
  throttleUploads,
  waitUploaded,
} from './helpers.js';
import { makeFile, openPage, sha, startOwnServer, stored, uploadedPast, type Watched } from './ux-helpers.js';

const MiB = 1024 * 1024;
const BIG = 64 * MiB;
const SMALL = 8 * MiB;
const OFFLINE = 'Offline: the upload will resume when the connection is back.';
const RAW = /tus:|ProgressEvent|response code|Failed to fetch/;
const keyOf = (w: Watched) => w.page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get('key') as string);

test.describe.configure({ mode: 'serial' });

let dir: string;
let one: { path: string; bytes: Buffer; key: string; id: string };
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stream-v2-e2e-ux-'));
});
test.afterAll(async ({ browser }) => {
  rmSync(dir, { recursive: true, force: true });
  await closeContexts(browser);
});

/** The stored ciphertext equals what the library gives in Node for that file, key and header. */
async function expectLibraryBytes(data: string, id: string, path: string, key: string): Promise<void> {
  const bytesOnDisk = readFileSync(join(data, id));
  const expected = await expectedCiphertext(await openAsBlob(path), key, bytesOnDisk.subarray(0, 80));
  expect(sha(bytesOnDisk)).toBe(sha(expected));
}

test('1, 7, 9: a clean load; labelled sizes; the read form filled after an upload; a pasted share link picks the file', async ({
  browser,
  baseURL,
}) => {
  const other = join(dir, 'ux-0-other.bin');
  makeFile(other, MiB, 10);
  const path = join(dir, 'ux-one.bin');
  const data = makeFile(path, SMALL, 11);
  const context = await browser.newContext();
  const w = await openPage(context, '/');
  const { page } = w;
  await page.waitForLoadState('networkidle');
  expect(w.failed).toEqual([]); // no favicon 404
  await page.fill('#gen-mib', '0');
  await page.click('#generate');
  await expect(page.locator('#gen-note')).toHaveText('Type a whole number of MiB from 1 to 4096.');
  await expect(page.locator('#uploads .card')).toHaveCount(0);
  await page.check('input[name=secret][value=passphrase]');
  const keyNote = (await page.locator('#key-note').textContent()) as string;
  await page.setInputFiles('#files', other);
  await expect(page.locator('#pass-note .error')).toContainText('Type a passphrase first.');
  await expect(page.locator('#key-note')).toHaveText(keyNote); // its own spot
  await page.check('input[name=secret][value=key]');
  await page.setInputFiles('#files', other);
  await waitUploaded(page, 'ux-0-other.bin');
  await page.setInputFiles('#files', path);
  await waitUploaded(page, 'ux-one.bin');
  const key = await keyOf(w);
  const info = (await stored(page, baseURL as string)).find((f) => f.name === 'ux-one.bin') as ServerFile;
  one = { path, bytes: data, key, id: info.id };
  await expect(page.locator('#read-key')).toHaveValue(key);
  await expect(page.locator('#read-file')).toHaveValue(info.id);
  const card = page.locator('.card[data-file="ux-one.bin"]');
  await expect(card.locator('[data-role=plaintext-size]')).toHaveText(`plaintext file: ${bytes(SMALL)}`);
  const stats = card.locator('[data-role=stats]');
  await expect(stats).toContainText(`ciphertext uploaded: ${bytes(info.size)} of ${bytes(info.size)} · `);
  await expect(stats).toContainText(' · 8 segments encrypted');
  await expect(card.locator('[data-role=server-check]')).toHaveText(
    'Server check (keyless): OK, 8 segments match their digests',
  );
  const link = `${baseURL}/#file=${info.id}&key=${key}`;
  await expect(card.locator('a[data-role=share-link]')).toHaveAttribute('href', link);
  await expect(card.getByRole('button', { name: 'Copy' })).toBeVisible();

  const fresh = await openPage(await browser.newContext(), '/');
  await expect(fresh.page.locator('#read-file option')).not.toHaveCount(0);
  await expect(fresh.page.locator('#read-file')).not.toHaveValue(info.id);
  await fresh.page.fill('#read-key', link);
  await expect(fresh.page.locator('#read-key')).toHaveValue(key);
  await expect(fresh.page.locator('#read-file')).toHaveValue(info.id);
  // Save, as in a browser without a file picker: the Service Worker's download, read back.
  await fresh.page.evaluate(() => Object.defineProperty(window, 'showSaveFilePicker', { value: undefined }));
  const downloading = fresh.page.waitForEvent('download');
  await fresh.page.click('#read-all');
  const download = await downloading;
  expect(sha(readFileSync((await download.path()) as string))).toBe(sha(data));
  await download.delete();
  expect([...w.pageErrors, ...fresh.pageErrors]).toEqual([]);
});

test('2, 9: offline mid-upload says so in a sentence and resumes when back; no byte is sent twice', async ({
  browser,
  baseURL,
}) => {
  const path = join(dir, 'ux-offline.bin');
  makeFile(path, BIG, 12);
  const context = await browser.newContext();
  const w = await openPage(context, '/');
  const { page } = w;
  const net = await throttleUploads(page, 40e6);
  await page.setInputFiles('#files', path);
  const card = page.locator('.card[data-file="ux-offline.bin"]');
  await uploadedPast(page, 'ux-offline.bin', 0.15);
  await card.getByRole('button', { name: 'Pause' }).click();
  await expect(card.locator('[data-role=status]')).toHaveText('Paused.');
  await card.getByRole('button', { name: 'Resume' }).click();
  await expect(card.locator('[data-role=pause]')).toHaveText('Pause');
  await uploadedPast(page, 'ux-offline.bin', 0.3);
  await net.offline(true);
  await expect(card.locator('[data-role=status]')).toHaveText(OFFLINE);
  await expect(card.locator('[data-role=pause]')).toHaveText('Resume now');
  await expect(page.locator('#list-note')).toContainText('The file list could not be refreshed', { timeout: 10_000 });
  expect(await page.locator('body').textContent()).not.toMatch(RAW);
  await net.offline(false);
  await waitUploaded(page, 'ux-offline.bin');
  await expect(page.locator('#list-note')).toHaveText('', { timeout: 10_000 });
  const info = (await stored(page, baseURL as string)).find((f) => f.name === 'ux-offline.bin') as ServerFile;
  expect(info.received).toBe(info.size); // no byte sent twice
  expect(info.verdict?.ok).toBe(true);
  await expectLibraryBytes(process.env.DEMO_DATA as string, info.id, path, await keyOf(w));
  expect(await page.locator('body').textContent()).not.toMatch(RAW);
  expect(w.pageErrors).toEqual([]);
});

/**
 * Stalls an upload halfway (offline, tab closed), reopens the page: the row says unfinished and
 * how to resume, without buttons; picking the file resumes it, and the card says what this run
 * sent, which is what the server received.
 */
async function stalledThenResumed(browser: Browser, base: string, data: string, name: string, seed: number) {
  const path = join(dir, name);
  makeFile(path, BIG, seed);
  const context = await browser.newContext();
  const w = await openPage(context, `${base}/`);
  const net = await throttleUploads(w.page, 40e6);
  await w.page.setInputFiles('#files', path);
  await uploadedPast(w.page, name, 0.4);
  const key = await keyOf(w);
  await net.offline(true);
  await w.page.close(); // the tab is gone mid-upload
  const again = await openPage(context, `${base}/#key=${key}`);
  const id = readdirSync(data)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .find((f) => JSON.parse(readFileSync(join(data, `${f}.json`), 'utf8')).metadata?.filename === name) as string;
  const before = (await stored(again.page, base, id))[0] as ServerFile;
  expect(before.offset).toBeGreaterThan(0);
  expect(before.offset).toBeLessThan(before.size);
  const row = fileRow(again.page, name);
  await expect(row.locator('[data-role=verdict]')).toHaveText(
    `unfinished (${bytes(before.offset)} of ${bytes(before.size)}): pick the same file again, with the same key or passphrase, to resume it`,
    { timeout: 15_000 },
  );
  await expect(row.getByRole('button')).toHaveCount(0); // no Check, no Flip on a partial upload
  await again.page.setInputFiles('#files', path);
  await waitUploaded(again.page, name);
  const after = (await stored(again.page, base, id))[0] as ServerFile;
  const run = after.received - before.received;
  expect(run).toBe(after.size - before.offset);
  const said = again.page.locator(`.card[data-file="${name}"] [data-role=run]`);
  await expect(said).toHaveAttribute('data-bytes', String(run));
  await expect(said).toContainText(`This run sent ${bytes(run)} of ciphertext in `);
  await expect(said).toContainText(`; ${bytes(before.offset)} were already on the server.`);
  await expectLibraryBytes(data, id, path, key);
  expect(again.pageErrors).toEqual([]);
  await context.close();
}

test('3, 4: a stalled upload is listed unfinished with how to resume; the resumed run says what it sent', async ({
  browser,
  baseURL,
}) => {
  await stalledThenResumed(browser, baseURL as string, process.env.DEMO_DATA as string, 'ux-stall.bin', 13);
});

test('3, 4 with DEMO_LIST=0: the unfinished upload is remembered from its creation', async ({ browser }) => {
  const own = await startOwnServer(Number(process.env.E2E_PORT ?? 8391) + 1, { DEMO_LIST: '0' });
  try {
    await stalledThenResumed(browser, own.url, own.data, 'ux-stall-nolist.bin', 14);
  } finally {
    await own.stop();
  }
});

test('5: a reversed or past-the-end range shows the sentence, BAD_ARGUMENT and the library’s message', async ({
  browser,
}) => {
  const w = await openPage(await browser.newContext(), `/#key=${one.key}`);
  const { page } = w;
  await page.selectOption('#read-file', one.id);
  for (const [a, b] of [
    [10, 5],
    [0, SMALL + 1],
  ]) {
    await page.fill('#range-start', String(a));
    await page.fill('#range-end', String(b));
    await page.click('#read-range');
    const error = page.locator('[data-role=read-range] .error');
    await expect(error).toContainText('Range read failed: A value given to the library is not valid.');
    await expect(error.locator('code')).toHaveText('BAD_ARGUMENT');
    await expect(error.locator('[data-role=message]')).toHaveText(
      `the range must satisfy 0 <= start <= end <= ${SMALL}`,
    );
  }
  expect(w.pageErrors).toEqual([]);
});

test('8, 6: Flip asks first (Cancel flips nothing); the keyless and keyed failures say which check; a wrong key adds no segment count', async ({
  browser,
}) => {
  const w = await openPage(await browser.newContext(), `/#key=${one.key}`);
  const { page } = w;
  const row = fileRow(page, 'ux-one.bin');
  await expect(row.locator('[data-role=meta]')).toContainText(`id ${one.id.slice(0, 8)}`);
  await expect(row.locator('[data-role=meta]')).toContainText(/uploaded \d\d:\d\d:\d\d/);
  const file = join(process.env.DEMO_DATA as string, one.id);
  const untouched = sha(readFileSync(file));
  await row.getByRole('button', { name: 'Flip a byte…' }).click();
  await expect(page.locator('#flip-dialog')).toBeVisible();
  await expect(page.locator('#flip-name')).toHaveText(`ux-one.bin (id ${one.id.slice(0, 8)})`);
  await page.locator('#flip-dialog button[value=cancel]').click();
  await page.waitForTimeout(500);
  expect(sha(readFileSync(file))).toBe(untouched);
  await expect(row).toHaveAttribute('data-verdict', 'OK');
  await row.getByRole('button', { name: 'Flip a byte…' }).click();
  await page.locator('#flip-dialog button[value=flip]').click();
  await expect(row).toHaveAttribute('data-verdict', 'DIGEST_MISMATCH');
  await expect(row.locator('[data-role=meaning]')).toHaveText(
    'A segment does not match its digest: the stored bytes were changed after encryption (this is the keyless check, which the server runs without the key).',
  );
  await page.selectOption('#read-file', one.id);
  await page.evaluate(() => Object.defineProperty(window, 'showSaveFilePicker', { value: undefined }));
  await page.click('#read-all');
  const error = page.locator('#read-out .error');
  await expect(error.locator('code')).toHaveText('AUTH_FAILED');
  await expect(error).toContainText(
    'Decrypting with the key found a frame that fails its authentication: the stored bytes were changed after encryption (this is the keyed check, which only a holder of the key can run).',
  );
  await page.fill('#read-key', 'ab'.repeat(32));
  await page.click('#read-all');
  await expect(page.locator('#read-out .error code')).toHaveText('WRONG_KEY');
  await expect(page.locator('#read-out')).not.toContainText('segments verified');
  expect(w.pageErrors).toEqual([]);
});

test('issue 21: on another device (no saved state) the same file and key resume from the server’s bytes', async ({
  browser,
  baseURL,
}) => {
  const name = 'ux-device.bin';
  const path = join(dir, name);
  makeFile(path, BIG, 15);
  const first = await browser.newContext();
  const w = await openPage(first, '/');
  const net = await throttleUploads(w.page, 40e6);
  await w.page.setInputFiles('#files', path);
  await uploadedPast(w.page, name, 0.4);
  const key = await keyOf(w);
  await net.offline(true);
  await first.close(); // the first device is gone, and its localStorage with it
  const base = baseURL as string;
  const other = await openPage(await browser.newContext(), `/#key=${key}`);
  expect(await other.page.evaluate(() => localStorage.length)).toBe(0);
  // The first device's last PATCH is over (the server got its last bytes 5 s ago).
  let before = (await stored(other.page, base)).find((f) => f.name === name) as ServerFile;
  await expect
    .poll(async () => {
      before = (await stored(other.page, base)).find((f) => f.name === name) as ServerFile;
      return before.receiving;
    })
    .toBe(0);
  expect(before.offset).toBeGreaterThan(0);
  await other.page.setInputFiles('#files', path);
  await waitUploaded(other.page, name);
  const after = (await stored(other.page, base)).find((f) => f.id === before.id) as ServerFile;
  expect(after.received - before.received).toBe(after.size - before.offset); // no byte sent twice
  expect((await stored(other.page, base)).filter((f) => f.name === name)).toHaveLength(1);
  await expectLibraryBytes(process.env.DEMO_DATA as string, before.id, path, key);
  expect(other.pageErrors).toEqual([]);
});
