import { mkdirSync, mkdtempSync, openAsBlob, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import {
  closeContexts,
  expectedCiphertext,
  fileRow,
  pageKey,
  serverFiles,
  startPage,
  throttleUploads,
  waitUploaded,
} from './helpers.js';
import { makeFile, sha } from './ux-helpers.js';

const MiB = 1024 * 1024;
const SIZE = 64 * MiB;
const shots = join(import.meta.dirname, 'screenshots');
mkdirSync(shots, { recursive: true });

/** Save (#read-all) as in a browser without a file picker: the Service Worker's download, read back. */
async function saveThroughWorker(p: Page): Promise<Buffer> {
  await p.evaluate(() => Object.defineProperty(window, 'showSaveFilePicker', { value: undefined, configurable: true }));
  const downloading = p.waitForEvent('download');
  await p.click('#read-all');
  const download = await downloading;
  const bytes = readFileSync((await download.path()) as string);
  await download.delete();
  return bytes;
}

test.describe.configure({ mode: 'serial' });

let page: Page;
let key: string;
let firstId: string;
/** The test files: made in the worker only (the runner loads this module too, to list the tests). */
let dir: string;
let first: string;
let firstBytes: Buffer;
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stream-v2-e2e-files-'));
  first = join(dir, 'first.bin');
  firstBytes = makeFile(first, SIZE, 1);
});
test.afterAll(async ({ browser }) => {
  rmSync(dir, { recursive: true, force: true });
  await closeContexts(browser);
});

test('1. a 64 MiB upload stores exactly what encryptBlob gives in Node; the keyless verdict is OK', async ({
  browser,
}) => {
  page = await startPage(browser);
  key = await pageKey(page);
  const t0 = Date.now();
  await page.setInputFiles('#files', first);
  await waitUploaded(page, 'first.bin');
  const seconds = (Date.now() - t0) / 1000;
  console.log(`upload+encrypt of 64 MiB: ${seconds.toFixed(1)} s, ${(SIZE / 1e6 / seconds).toFixed(1)} MB/s`);
  const info = (await serverFiles(page)).find((f) => f.name === 'first.bin');
  expect(info?.verdict?.ok).toBe(true);
  firstId = info?.id as string;
  const stored = readFileSync(join(process.env.DEMO_DATA as string, firstId));
  const expected = await expectedCiphertext(await openAsBlob(first), key, stored.subarray(0, 80));
  expect(stored.length).toBe(expected.length);
  expect(sha(stored)).toBe(sha(expected));
  await expect(fileRow(page, 'first.bin')).toHaveAttribute('data-verdict', 'OK');
  await page.screenshot({ path: join(shots, 'after-upload.png'), fullPage: true });
});

test('2. an upload interrupted halfway resumes after a reload: the server receives only the missing bytes', async ({
  browser,
}) => {
  const path = join(dir, 'resume.bin');
  makeFile(path, SIZE, 2);
  const net = await throttleUploads(page, 40e6); // else it is over before the test can cut it
  await page.setInputFiles('#files', path);
  const card = page.locator('.card[data-file="resume.bin"]');
  await expect
    .poll(async () => Number(await card.locator('progress[aria-label=uploaded]').getAttribute('value')), {
      timeout: 120_000,
      intervals: [50],
    })
    .toBeGreaterThan(0.4);
  await net.offline(true);
  await page.close(); // the tab is gone mid-upload
  const before = (await serverFiles(await startPage(browser, key))).find((f) => f.name === 'resume.bin');
  expect(before).toBeDefined();
  const offset = before?.offset as number;
  expect(offset).toBeGreaterThan(0);
  expect(offset).toBeLessThan(before?.size as number);
  page = await startPage(browser, key);
  await page.setInputFiles('#files', path);
  await waitUploaded(page, 'resume.bin');
  const after = (await serverFiles(page)).find((f) => f.id === before?.id);
  console.log(
    `resume: ${offset} bytes were on the server, ${(after?.received ?? 0) - before!.received} bytes sent after the reload, of ${after?.size}`,
  );
  expect(after?.offset).toBe(after?.size);
  expect((after?.received as number) - (before?.received as number)).toBe((after?.size as number) - offset);
  expect(after?.received).toBe(after?.size); // no byte was sent twice
  expect(after?.verdict?.ok).toBe(true);
  const stored = readFileSync(join(process.env.DEMO_DATA as string, after?.id as string));
  const expected = await expectedCiphertext(await openAsBlob(path), key, stored.subarray(0, 80));
  expect(sha(stored)).toBe(sha(expected));
});

test('3. resuming with a different file of the same name and size is refused with SOURCE_CHANGED', async ({
  browser,
}) => {
  const a = join(dir, 'same.bin');
  makeFile(a, 16 * MiB, 3);
  const net = await throttleUploads(page, 40e6);
  await page.setInputFiles('#files', a);
  const card = page.locator('.card[data-file="same.bin"]');
  await expect
    .poll(async () => Number(await card.locator('progress[aria-label=uploaded]').getAttribute('value')), {
      timeout: 60_000,
      intervals: [50],
    })
    .toBeGreaterThan(0.2);
  await net.offline(true);
  await page.close();
  const otherDir = join(dir, 'other');
  mkdirSync(otherDir, { recursive: true });
  const b = join(otherDir, 'same.bin');
  makeFile(b, 16 * MiB, 4);
  page = await startPage(browser, key);
  const before = (await serverFiles(page)).find((f) => f.name === 'same.bin');
  await page.setInputFiles('#files', b);
  const newCard = page.locator('.card[data-file="same.bin"]');
  await expect(newCard.locator('code[data-code]')).toHaveText('SOURCE_CHANGED');
  await expect(newCard).toContainText('not the file the interrupted upload was made from');
  await expect(newCard.getByRole('button', { name: /start over/i })).toBeVisible();
  await page.waitForTimeout(500);
  const after = (await serverFiles(page)).find((f) => f.id === before?.id);
  expect(after?.received).toBe(before?.received); // nothing uploaded
  expect((await serverFiles(page)).filter((f) => f.name === 'same.bin')).toHaveLength(1);
});

test('4. download and decrypt: the bytes equal the original', async () => {
  await page.selectOption('#read-file', firstId);
  await page.fill('#read-key', key);
  expect(sha(await saveThroughWorker(page))).toBe(sha(firstBytes));
  await expect(page.locator('#read-out')).toContainText('Decrypted and verified');
});

test('5. range reads fetch only the header and the covering segments', async () => {
  const S = MiB; // default segment plaintext
  const W = 16 * (18 + 65536 + 16) + (18 + 33 + 16) + (18 + 16);
  const ranges: Array<[number, number]> = [
    [0, 1],
    [S - 10, S + 10],
    [SIZE - 1, SIZE],
  ];
  for (const [a, b] of ranges) {
    await page.fill('#range-start', String(a));
    await page.fill('#range-end', String(b));
    await page.click('#read-range');
    const box = page.locator('[data-role=read-range]');
    await expect(box).toHaveAttribute('data-sha256', sha(firstBytes.subarray(a, b)));
    const fetched = Number(await box.locator('[data-role=fetched]').getAttribute('data-bytes'));
    const segments = Math.floor((b - 1) / S) - Math.floor(a / S) + 1;
    console.log(`range [${a}, ${b}): ${segments} segment(s), fetched ${fetched} bytes`);
    expect(fetched).toBeGreaterThanOrEqual(80 + segments * W);
    // The header, the covering segments, and at most the last segment's last DATA frame,
    // DIGEST frame and TERMINATOR: openEncrypted opens them at open, which authenticates the
    // exact plaintext size (the last frame's length is in its AAD).
    expect(fetched).toBeLessThanOrEqual(80 + segments * W + (18 + 65536 + 16) + (18 + 33 + 16) + (18 + 16));
  }
});

test('6. a flipped byte: the read fails with the code and segment, the keyless check flags it', async () => {
  await fileRow(page, 'first.bin').getByRole('button', { name: 'Flip a byte' }).click();
  await page.locator('#flip-dialog button[value=flip]').click();
  const row = fileRow(page, 'first.bin');
  await expect(row).toHaveAttribute('data-verdict', 'DIGEST_MISMATCH');
  const k = 31; // the server flips a byte of the middle segment: 64 segments → segment 31
  await expect(row.locator('[data-role=verdict]')).toContainText(`segment ${k}`);
  await page.evaluate(() =>
    Object.defineProperty(window, 'showSaveFilePicker', { value: undefined, configurable: true }),
  );
  await page.click('#read-all');
  const error = page.locator('#read-out .error');
  await expect(error).toBeVisible({ timeout: 120_000 });
  await expect(error.locator('code')).toHaveText(/^(AUTH_FAILED|DIGEST_MISMATCH)$/);
  await expect(error).toContainText(`segment ${k}`);
  // Released before the failure: segments 0..k-1 only, nothing of segment k.
  await expect(page.locator('#read-out')).toContainText(`${k} segments verified before the failure`);
  await expect(page.locator('#read-out a[download]')).toHaveCount(0);
  await page.screenshot({ path: join(shots, 'after-tamper.png'), fullPage: true });
});

test('7. a wrong key or passphrase shows WRONG_KEY', async () => {
  await page.fill('#read-key', 'ab'.repeat(32));
  await page.click('#read-all');
  await expect(page.locator('#read-out .error code')).toHaveText('WRONG_KEY');
  // A file uploaded with a passphrase, read back with another one.
  const small = join(dir, 'secret-notes.bin');
  const bytes = makeFile(small, 300_000, 5);
  await page.check('input[name=secret][value=passphrase]');
  await page.fill('#send-pass', 'correct horse battery staple');
  await page.setInputFiles('#files', small);
  await waitUploaded(page, 'secret-notes.bin');
  const id = (await serverFiles(page)).find((f) => f.name === 'secret-notes.bin')?.id as string;
  await page.selectOption('#read-file', id);
  await page.fill('#read-key', '');
  await page.fill('#read-pass', 'not the passphrase');
  await page.click('#read-range');
  await expect(page.locator('#read-out .error code')).toHaveText('WRONG_KEY');
  await page.fill('#read-pass', 'correct horse battery staple');
  expect(sha(await saveThroughWorker(page))).toBe(sha(bytes));
});
