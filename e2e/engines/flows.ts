/**
 * The demo's end-to-end flows in one engine, as a person goes through them: upload a file with the
 * file input, resume an upload cut halfway after the tab reloads, save the whole file, read ranges,
 * flip a stored byte and read again, and read with a wrong key and a wrong passphrase. The same
 * checks as e2e/demo.spec.ts (Chromium, Playwright), on a 4 MiB file: every byte stored is compared
 * with the reference encoder's, every byte read with the original.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileInfo as ServerFile } from '../../demo/store.js';
import { paramsOf, referenceCiphertext } from '../../test/reference.js';
import { makeFile, sha } from '../files.js';
import { type Demo, startDemo } from './demo.js';
import { fetchedBounds, load, pick, savedFile, serverHolds, uploaded } from './flow-helpers.js';
import { type EnginePage, element, type OpenEngine, waitFor } from './page.js';
import { type CuttingProxy, startProxy } from './proxy.js';

const MiB = 1024 * 1024;
/** 5 segments of the default layout (1 MiB each), the last one 4 KiB: a short FINAL segment too. */
const SIZE = 4 * MiB + 4096;
const SEGMENTS = Math.ceil(SIZE / MiB);
const row = (name: string) => `#file-rows tr[data-name="${name}"]`;
const fromHex = (h: string) => Uint8Array.from(h.match(/../g) as string[], (x) => Number.parseInt(x, 16));

/** Registers the flows, in order, for the engine `open` starts. */
export function demoFlows(open: OpenEngine): void {
  let demo: Demo;
  let proxy: CuttingProxy;
  let page: EnginePage;
  let dir: string;
  let key: string;
  let first: ServerFile;
  let firstBytes: Buffer;
  /** The download of the whole read (the tamper test's failed save comes after it). */
  let savedName = '';
  const firstPath = () => join(dir, 'first.bin');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stream-v2-e2e-engine-files-'));
    firstBytes = makeFile(firstPath(), SIZE, 1);
    demo = await startDemo();
    proxy = await startProxy(demo.url);
    page = await open();
    await load(page, `${proxy.url}/`);
  });
  afterAll(async () => {
    await page?.close();
    await proxy?.close();
    await demo?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The stored ciphertext of upload `f` equals the reference encoder's under its header. */
  const storedAsReference = async (f: ServerFile, plain: Uint8Array) => {
    const stored = readFileSync(join(demo.data, f.id));
    const expected = await referenceCiphertext(fromHex(key), paramsOf(stored.subarray(0, 80)), plain);
    expect(stored.length).toBe(expected.length);
    expect(sha(stored)).toBe(sha(expected));
  };

  describe.sequential('the demo', () => {
    it('upload: the file input sends a 4 MiB file; the server stores exactly what the reference encoder gives; the keyless verdict is OK', async () => {
      await page.setFiles('#files', [firstPath()]);
      await uploaded(page, 'first.bin');
      // The page made its random key on this first upload and keeps it in its address.
      key = await page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get('key') ?? '');
      expect(key).toMatch(/^[0-9a-f]{64}$/);
      first = (await demo.files()).find((f) => f.name === 'first.bin') as ServerFile;
      expect(first?.verdict?.ok).toBe(true);
      await storedAsReference(first, firstBytes);
      await waitFor(page, 'the row verdict OK', (v) => v?.attrs['data-verdict'] === 'OK', element, [row('first.bin')]);
    });

    it('resume after a reload: an upload cut halfway continues from the server’s offset; only the missing bytes are sent', async () => {
      const path = join(dir, 'resume.bin');
      const bytes = makeFile(path, SIZE, 2);
      // The loopback proxy drops the PATCH halfway and every request after it (DevTools' offline in Chromium).
      const half = Math.floor(SIZE / 2);
      const cut = proxy.cutNextPatch(half);
      await page.setFiles('#files', [path]);
      await cut;
      // The server keeps every byte that reached it, no more.
      const before = await serverHolds(demo, 'resume.bin', half);
      expect(before.offset).toBeLessThan(before.size);
      // The tab leaves the page mid-upload, the network comes back, and the page loads again.
      await page.goto('about:blank');
      proxy.online();
      await load(page, `${proxy.url}/#key=${key}`);
      await page.setFiles('#files', [path]);
      await uploaded(page, 'resume.bin');
      const after = (await demo.files()).find((f) => f.id === before.id) as ServerFile;
      expect(after.offset).toBe(after.size);
      expect(after.received - before.received).toBe(after.size - before.offset);
      expect(after.received).toBe(after.size); // no byte was sent twice
      expect(after.verdict?.ok).toBe(true);
      const run = await page.evaluate(
        () => document.querySelector('.card[data-file="resume.bin"] [data-role=run]')?.getAttribute('data-bytes') ?? '',
      );
      expect(Number(run)).toBe(after.size - before.offset); // what the card says this run sent
      await storedAsReference(after, bytes);
    });

    it('whole read: Save streams the download through the Service Worker (no showSaveFilePicker here); the saved bytes equal the original', async () => {
      // The fallback this engine takes: it has no file picker (feature-detected by demo/save.ts).
      expect(await page.evaluate(() => typeof (window as { showSaveFilePicker?: unknown }).showSaveFilePicker)).toBe(
        'undefined',
      );
      await pick(page, first.id);
      await page.fill('#read-key', key);
      await page.click('#read-all');
      const card = await waitFor(
        page,
        'the save to end',
        (c) => c !== null && c.attrs['data-state'] !== 'saving',
        element,
        ['#read-out [data-role=save]'],
        120_000,
      );
      expect(card?.text).toContain('Decrypted and verified');
      expect(card?.attrs).toMatchObject({ 'data-state': 'done', 'data-method': 'service-worker' });
      const saved = await savedFile(page, 'first.bin', SIZE);
      expect(sha(saved.bytes)).toBe(sha(firstBytes));
      savedName = saved.name;
    });

    it('range reads: each range’s bytes, fetching only the header and the covering segments', async () => {
      for (const [a, b] of [
        [0, 1],
        [MiB - 10, MiB + 10],
        [SIZE - 1, SIZE],
      ] as const) {
        await page.fill('#range-start', String(a));
        await page.fill('#range-end', String(b));
        await page.click('#read-range');
        const want = sha(firstBytes.subarray(a, b));
        const box = await waitFor(
          page,
          `range [${a}, ${b})`,
          (x) => x?.attrs['data-sha256'] === want || /failed/i.test(x?.text ?? ''),
          element,
          ['#read-out [data-role=read-range]'],
        );
        expect(box?.attrs['data-sha256']).toBe(want);
        const fetched = await page.evaluate(
          () => document.querySelector('[data-role=read-range] [data-role=fetched]')?.getAttribute('data-bytes') ?? '',
        );
        const [low, high] = fetchedBounds(a, b, SIZE);
        expect(Number(fetched)).toBeGreaterThanOrEqual(low);
        expect(Number(fetched)).toBeLessThanOrEqual(high);
      }
    });

    it('tamper: after “Flip a byte”, the keyless check and the read name the segment; nothing of it is released', async () => {
      // (Firefox logs the failing download's frame as a page error: "A ServiceWorker intercepted
      // the request and encountered an unexpected error". That is this test's failure, on purpose.)
      await page.click(`${row('first.bin')} button.danger`);
      await page.click('#flip-dialog button[value=flip]');
      const k = Math.floor((SEGMENTS - 1) / 2); // the server flips a byte of the middle segment
      const flagged = await waitFor(
        page,
        'the row verdict DIGEST_MISMATCH',
        (r) => r?.attrs['data-verdict'] === 'DIGEST_MISMATCH',
        element,
        [row('first.bin')],
      );
      expect(flagged?.text).toContain(`segment ${k}`);
      await page.click('#read-all');
      const error = await waitFor(page, 'the save to fail', (e) => e !== null, element, ['#read-out .error'], 120_000);
      const code = await page.evaluate(() => document.querySelector('#read-out .error code')?.textContent ?? '');
      expect(code).toMatch(/^(AUTH_FAILED|DIGEST_MISMATCH)$/);
      expect(error?.text).toContain(`segment ${k}`);
      const out = await page.evaluate(() => document.querySelector('#read-out')?.textContent ?? '');
      expect(out).toContain(`${k} segments verified before the failure`);
      expect(await page.evaluate(() => document.querySelectorAll('#read-out a[download]').length)).toBe(0);
      // Whatever the failed download left on disk (an engine may keep a partial file) holds the
      // k verified segments at most: nothing of segment k reached the browser.
      for (const f of readdirSync(page.downloads).filter((x) => x !== savedName)) {
        expect(statSync(join(page.downloads, f)).size, f).toBeLessThanOrEqual(k * MiB);
      }
    });

    it('wrong key: a wrong key, then a wrong passphrase, show WRONG_KEY; the right passphrase reads the file', async () => {
      const codeOf = () => document.querySelector('#read-out .error code')?.textContent ?? '';
      await page.fill('#read-key', 'ab'.repeat(32));
      await page.click('#read-all');
      await waitFor(page, 'WRONG_KEY (key)', (c) => c === 'WRONG_KEY', codeOf, []);
      const path = join(dir, 'secret-notes.bin');
      const bytes = makeFile(path, 300_000, 5);
      await page.click('input[name=secret][value=passphrase]');
      await page.fill('#send-pass', 'correct horse battery staple');
      await page.setFiles('#files', [path]);
      await uploaded(page, 'secret-notes.bin');
      const id = (await demo.files()).find((f) => f.name === 'secret-notes.bin')?.id as string;
      await pick(page, id);
      await page.fill('#read-key', '');
      await page.fill('#read-pass', 'not the passphrase');
      await page.fill('#range-start', '0');
      await page.fill('#range-end', ''); // to the end: the whole file
      await page.click('#read-range');
      await waitFor(page, 'WRONG_KEY (passphrase)', (c) => c === 'WRONG_KEY', codeOf, [], 120_000);
      await page.fill('#read-pass', 'correct horse battery staple');
      await page.click('#read-range');
      const box = await waitFor(
        page,
        'the whole small file read',
        (x) => x?.attrs['data-sha256'] !== undefined || /failed/i.test(x?.text ?? ''),
        element,
        ['#read-out [data-role=read-range]'],
        120_000,
      );
      expect(box?.attrs['data-sha256']).toBe(sha(bytes));
    });
  });
}
