/**
 * The demo's Service Worker (stream-v2/service-worker) in Chromium against the real server:
 * Range semantics from the page, saving 2 GiB to disk within a memory bound, a media element
 * that seeks, a tampered segment, a wrong key, revoked and unknown ids, a restarted worker, and
 * the key nowhere but in memory. Stored files are seeded from Node with the library (no upload).
 * The page has no file picker here (as in browsers without one): Save goes through the worker.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, expect, type Page, type Request, test } from '@playwright/test';
import { browserRss, MiB, seed, sha256File, wav, writeRandom } from './sw-seed.js';

const dir = mkdtempSync(join(tmpdir(), 'stream-v2-e2e-sw-'));
const keys: string[] = [];
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
/** A full segment's wire bytes (default layout) and the FINAL TERMINATOR's. */
const W = 16 * (18 + 65536 + 16) + (18 + 33 + 16) + (18 + 16);
const TERMINATOR = 18 + 16;

let context: BrowserContext;
let page: Page;
const requests: Request[] = [];

function newKey(): { key: Uint8Array; hex: string } {
  const key = new Uint8Array(randomBytes(32));
  const hex = Buffer.from(key).toString('hex');
  keys.push(hex);
  return { key, hex };
}

/** Seeds a stored file of these bytes; returns its id. */
async function seedBytes(name: string, bytes: Uint8Array, key: Uint8Array): Promise<string> {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const id = await seed(name, path, key);
  rmSync(path);
  return id;
}

async function choose(id: string, keyHex: string): Promise<void> {
  await expect(page.locator(`#read-file option[value="${id}"]`)).toHaveCount(1, { timeout: 10_000 });
  await page.selectOption('#read-file', id);
  await page.fill('#read-pass', '');
  await page.fill('#read-key', keyHex);
}

/** The Service Worker URL of the stored file `id` (the demo's "Open / play"). */
async function openUrl(id: string, keyHex: string): Promise<string> {
  await choose(id, keyHex);
  await page.click('#read-play');
  const a = page.locator('[data-role=player] a[data-role=decrypted-url]');
  await expect(a).toHaveCount(1);
  return (await a.getAttribute('href')) as string;
}

/** fetch(url) from the page: status, headers, body length and SHA-256, or how the body failed. */
function pageFetch(url: string, headers: Record<string, string> = {}, method = 'GET') {
  return page.evaluate(
    async ({ url, headers, method }) => {
      const t0 = performance.now();
      const res = await fetch(url, { headers, method });
      const h = Object.fromEntries(res.headers.entries());
      const parts: Uint8Array[] = [];
      let error: string | undefined;
      const reader = res.body?.getReader();
      try {
        for (;;) {
          if (!reader) break;
          const { done, value } = await reader.read();
          if (done) break;
          parts.push(value);
        }
      } catch (e) {
        error = String(e);
      }
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        all.set(p, at);
        at += p.length;
      }
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', all));
      const hash = Array.from(digest, (x) => x.toString(16).padStart(2, '0')).join('');
      const text = all.length < 4096 ? new TextDecoder().decode(all) : '';
      return { status: res.status, headers: h, length: all.length, sha: hash, text, error, ms: performance.now() - t0 };
    },
    { url, headers, method },
  );
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser }) => {
  context = await browser.newContext({ acceptDownloads: true });
  // As in a browser without the File System Access API: Save goes through the Service Worker.
  await context.addInitScript(() => Object.defineProperty(window, 'showSaveFilePicker', { value: undefined }));
  context.on('request', (r) => requests.push(r));
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await page.goto('/');
});

test.afterAll(async () => {
  await context?.close();
  rmSync(dir, { recursive: true, force: true });
});

const RANGE_SIZE = 3 * MiB + 12_345;
const rangePlain = new Uint8Array(randomBytes(RANGE_SIZE));
let rangeId: string;
let rangeKey: string;

test('2. Range from the page: every form byte-equal to the plaintext slice, 416 outside, multi-range 200', async () => {
  const k = newKey();
  rangeKey = k.hex;
  rangeId = await seedBytes('ranges.bin', rangePlain, k.key);
  await page.reload();
  const url = await openUrl(rangeId, k.hex);
  expect(url).toMatch(/\/stream-v2\/[0-9a-f]{32}\/ranges\.bin$/);
  const S = RANGE_SIZE;
  const cases: Array<[string | undefined, number, string | undefined, number, number]> = [
    [undefined, 200, undefined, 0, S],
    ['bytes=0-0', 206, `bytes 0-0/${S}`, 0, 1],
    [`bytes=${MiB - 5}-${MiB + 4}`, 206, `bytes ${MiB - 5}-${MiB + 4}/${S}`, MiB - 5, MiB + 5],
    [`bytes=${2 * MiB + 7}-`, 206, `bytes ${2 * MiB + 7}-${S - 1}/${S}`, 2 * MiB + 7, S],
    ['bytes=-1000', 206, `bytes ${S - 1000}-${S - 1}/${S}`, S - 1000, S],
    [`bytes=${S - 10}-${S + 1000}`, 206, `bytes ${S - 10}-${S - 1}/${S}`, S - 10, S],
    ['bytes=0-1,5-9', 200, undefined, 0, S],
  ];
  for (const [range, status, contentRange, a, b] of cases) {
    const r = await pageFetch(url, range ? { Range: range } : {});
    expect([range, r.status, r.headers['content-range']]).toEqual([range, status, contentRange]);
    expect(r.headers['content-length']).toBe(String(b - a));
    expect(r.headers['accept-ranges']).toBe('bytes');
    expect(r.headers['content-type']).toBe('application/octet-stream');
    expect(r.headers['content-disposition']).toBe(`inline; filename="ranges.bin"; filename*=UTF-8''ranges.bin`);
    expect(r.sha).toBe(sha(rangePlain.subarray(a, b)));
  }
  const out = await pageFetch(url, { Range: `bytes=${S}-` });
  expect([out.status, out.headers['content-range'], out.length]).toEqual([416, `bytes */${S}`, 0]);
  const head = await pageFetch(url, { Range: 'bytes=10-19' }, 'HEAD');
  expect([head.status, head.headers['content-length'], head.length]).toEqual([206, '10', 0]);
});
