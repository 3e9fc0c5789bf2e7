/**
 * The demo's Service Worker (stream-v2/service-worker) in Chromium against the real server:
 * Range semantics from the page, saving 2 GiB to disk within a memory bound, a media element
 * that seeks, a tampered segment, a wrong key, revoked and unknown ids, a restarted worker, and
 * the key nowhere but in memory. Stored files are seeded from Node with the library (no upload).
 * The page has no file picker here (as in browsers without one): Save goes through the worker.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, expect, type Page, type Request, test } from '@playwright/test';
import { browserRssByType, MiB, rssOnDownloadPath, seed, sha256File, wav, writeRandom } from './sw-seed.js';

let dir = ''; // made in beforeAll: the file is also loaded where no test runs
const seeded: string[] = [];
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
  seeded.push(id);
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

/**
 * How the page's last save ended, once it has: "done: …" or "failed: " and what the page shows
 * (the error's code and message). Asserted before the download itself, so that a failed save
 * says why in the test's failure, not only "canceled" (all Playwright knows of a download).
 */
async function saveOutcome(timeout = 60_000): Promise<string> {
  const card = page.locator('#read-out [data-role=save]');
  await expect(card).toHaveAttribute('data-state', /^(done|failed)$/, { timeout });
  return `${await card.getAttribute('data-state')}: ${await card.textContent()}`;
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
  dir = mkdtempSync(join(tmpdir(), 'stream-v2-e2e-sw-'));
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
  if (dir) rmSync(dir, { recursive: true, force: true });
  for (const id of seeded) {
    for (const f of [id, `${id}.json`]) rmSync(join(process.env.DEMO_DATA as string, f), { force: true });
  }
});

const RANGE_SIZE = 3 * MiB + 12_345;
const rangePlain = new Uint8Array(randomBytes(RANGE_SIZE));
let rangeId: string;
let rangeKey = '';

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

const TAMPER_SIZE = 16 * MiB;
const tamperPlain = new Uint8Array(randomBytes(TAMPER_SIZE));

test('4. a tampered segment: the download fails, the page shows the code and segment, exactly the verified segments were delivered', async () => {
  const k = newKey();
  const id = await seedBytes('tampered.bin', tamperPlain, k.key);
  const flip = await page.request.post(`/api/files/${id}/tamper`);
  expect(flip.ok()).toBe(true);
  const seg = 7; // the server flips a byte in the middle segment: 16 segments → segment 7
  await page.reload();
  await choose(id, k.hex);
  const downloading = page.waitForEvent('download');
  await page.click('#read-all');
  const download = await downloading;
  expect(await download.failure()).not.toBeNull();
  const error = page.locator('#read-out [data-role=save] .error');
  await expect(error.locator('code')).toHaveText(/^(AUTH_FAILED|DIGEST_MISMATCH)$/);
  await expect(error).toContainText(`segment ${seg}`);
  await expect(page.locator('#read-out')).toContainText(`${seg} segments verified before the failure`);
  console.log(`tampered download: Playwright reports "${await download.failure()}"`);
  // What a reader of the worker's URL gets before the body fails: the verified segments, exactly.
  const url = await openUrl(id, k.hex);
  const r = await pageFetch(url);
  expect(r.status).toBe(200);
  expect(r.error).toBeDefined();
  expect(r.length).toBe(seg * MiB);
  expect(r.sha).toBe(sha(tamperPlain.subarray(0, seg * MiB)));
  await expect(page.locator('[data-role=served] .error code')).toHaveText(/^(AUTH_FAILED|DIGEST_MISMATCH)$/);
});

test('5. wrong key: WRONG_KEY and no body; revoked and unknown ids: a clear error, no hang; a restarted worker gets its keys again', async () => {
  // Wrong key: refused when the page registers, before any request.
  let downloads = 0;
  const count = () => downloads++;
  page.on('download', count);
  await choose(rangeId, 'ab'.repeat(32));
  await page.click('#read-all');
  await expect(page.locator('#read-out [data-role=save] .error code')).toHaveText('WRONG_KEY');
  await page.waitForTimeout(500);
  page.off('download', count);
  expect(downloads).toBe(0);
  // Revoked: opening another file revokes the last URL.
  const first = await openUrl(rangeId, rangeKey);
  const k = newKey();
  const otherPlain = new Uint8Array(randomBytes(MiB + 99));
  const other = await seedBytes('other.bin', otherPlain, k.key);
  const second = await openUrl(other, k.hex);
  const revoked = await pageFetch(first);
  expect([revoked.status, revoked.headers['x-stream-v2-error']]).toEqual([404, 'NOT_REGISTERED']);
  expect(revoked.text).toContain('revoked');
  expect(revoked.ms).toBeLessThan(2000);
  // An id this worker never held and no page registers again: NOT_REGISTERED after the wait.
  const unknown = await pageFetch(first.replace(/[0-9a-f]{32}/, 'cd'.repeat(16)));
  expect([unknown.status, unknown.headers['x-stream-v2-error']]).toEqual([404, 'NOT_REGISTERED']);
  expect(unknown.ms).toBeLessThan(10_000);
  // The browser stops the worker (its memory, keys included, is gone); the next request works.
  const cdp = await context.newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  const afterStop = await pageFetch(second, { Range: 'bytes=100-199' });
  expect([afterStop.status, afterStop.sha]).toEqual([206, sha(otherPlain.subarray(100, 200))]);
  // A new worker (unregistered, registered again) takes over: the page registers its URL with it.
  await page.evaluate(async () => {
    const old = await navigator.serviceWorker.getRegistration();
    await old?.unregister();
    const changed = new Promise((ok) =>
      navigator.serviceWorker.addEventListener('controllerchange', ok, { once: true }),
    );
    // Another script URL (the same code): a new worker installs, activates and claims the page.
    await navigator.serviceWorker.register('./sw.js?again=1', { type: 'module', scope: './' });
    await changed;
  });
  const afterNew = await pageFetch(second, { Range: 'bytes=-50' });
  expect([afterNew.status, afterNew.sha]).toEqual([206, sha(otherPlain.subarray(otherPlain.length - 50))]);
});

test('3. media: a WAV plays from the worker URL, seeking to 75 % fires seeked there and plays on; the server sent only covering segments', async () => {
  const k = newKey();
  const audio = wav(200); // 200 s, 38.4 MB: 37 segments
  const id = await seedBytes('tone.wav', audio, k.key);
  await page.reload();
  await choose(id, k.hex);
  await page.click('#read-play');
  const media = page.locator('[data-role=player] audio');
  await expect(media).toHaveCount(1);
  await expect.poll(() => media.evaluate((m: HTMLMediaElement) => m.readyState)).toBeGreaterThanOrEqual(1);
  const duration = await media.evaluate((m: HTMLMediaElement) => m.duration);
  expect(duration).toBeCloseTo(200, 0);
  await page.waitForTimeout(1000); // what the element preloads at the start is not the seek's
  const served = page.locator('[data-role=served]');
  const stats = async () =>
    ((await (await page.request.get('/api/stats')).json()) as { downloads: { bytes: number } }).downloads.bytes;
  const ranges = async () =>
    new Map(
      (JSON.parse((await served.getAttribute('data-ranges')) as string) as number[][]).map(([n, a, b]) => [
        n as number,
        [a as number, b as number] as const,
      ]),
    );
  const before = { server: await stats(), ranges: await ranges() };
  const target = duration * 0.75;
  const seeked = await media.evaluate(
    (m: HTMLMediaElement, t) =>
      new Promise<number>((ok) => {
        m.addEventListener('seeked', () => ok(m.currentTime), { once: true });
        m.currentTime = t;
      }),
    target,
  );
  expect(seeked).toBeCloseTo(target, 1);
  await page.waitForTimeout(300);
  const at = { server: await stats(), ranges: await ranges() };
  // The floor no reader can beat: the segments that cover the plaintext the element pulled.
  let covering = 0;
  let n = 0;
  for (const [req, [start, sent]] of at.ranges) {
    const was = before.ranges.get(req)?.[1] ?? 0;
    if (!before.ranges.has(req)) n++;
    if (sent > was) covering += Math.floor((start + sent - 1) / MiB) - Math.floor((start + was) / MiB) + 1;
  }
  const fetched = at.server - before.server;
  console.log(
    `seek to 75 %: ${n} new range request(s) to the worker; the element pulled plaintext covered by ${covering} segment(s); ` +
      `the server sent ${fetched} bytes = ${(fetched / W).toFixed(2)} segments (issue's target: ${n} × (2 segments + TERMINATOR) = ${n * (2 * W + TERMINATOR)} bytes)`,
  );
  expect(n).toBeGreaterThanOrEqual(1);
  // The covering segments, and at most one segment read ahead per response, never more.
  const responses = [...at.ranges.keys()].filter(
    (r) => !before.ranges.has(r) || (at.ranges.get(r)?.[1] ?? 0) > (before.ranges.get(r)?.[1] ?? 0),
  ).length;
  expect(fetched).toBeLessThanOrEqual((covering + responses) * W + responses * TERMINATOR);
  // Playback goes on from there.
  await media.evaluate((m: HTMLMediaElement) => {
    m.muted = true;
    return m.play();
  });
  await expect
    .poll(() => media.evaluate((m: HTMLMediaElement) => m.currentTime), { timeout: 20_000 })
    .toBeGreaterThan(target + 0.5);
});

test('1. saving a 2 GiB stored file streams it to disk through the worker: SHA-256 equal, the RSS of the processes on its path within +256 MiB', async () => {
  test.setTimeout(900_000);
  const k = newKey();
  const plainPath = join(dir, 'big.bin');
  const size = 2048 * MiB;
  const want = await writeRandom(plainPath, size);
  const id = await seed('big.bin', plainPath, k.key);
  seeded.push(id);
  rmSync(plainPath);
  await page.reload();
  // The browser in use: one save through the worker first (64 MiB), so that "before" has the
  // worker running and its heap grown to its working size (on a fresh page the first save grew
  // the renderer by ~270 MiB once, docs/BENCHMARKS.md).
  const warm = new Uint8Array(randomBytes(64 * MiB));
  const warmId = await seedBytes('warm-up.bin', warm, k.key);
  await choose(warmId, k.hex);
  const warming = page.waitForEvent('download');
  await page.click('#read-all');
  const warmDownload = await warming;
  expect(await saveOutcome()).toMatch(/^done: /);
  await warmDownload.delete();
  await choose(id, k.hex);
  await page.waitForTimeout(2000);
  const typesBefore = browserRssByType();
  const before = rssOnDownloadPath(typesBefore);
  let peak = before;
  let typesPeak = typesBefore;
  const sampler = setInterval(() => {
    const t = browserRssByType();
    const now = rssOnDownloadPath(t);
    if (now > peak) [peak, typesPeak] = [now, t];
  }, 200);
  const t0 = Date.now();
  try {
    const downloading = page.waitForEvent('download');
    await page.click('#read-all');
    const download = await downloading;
    expect(await saveOutcome(600_000)).toMatch(/^done: /);
    const path = await download.path();
    const seconds = (Date.now() - t0) / 1000;
    expect(await download.failure()).toBeNull();
    clearInterval(sampler);
    console.log(
      `save 2 GiB through the worker: ${seconds.toFixed(1)} s (${(size / 1e6 / seconds).toFixed(0)} MB/s); RSS of the browser, renderers and network service ${(before / MiB).toFixed(0)} MiB before, peak ${(peak / MiB).toFixed(0)} MiB (+${((peak - before) / MiB).toFixed(0)} MiB)`,
    );
    const mib = (r: Record<string, number>) =>
      Object.entries(r)
        .map(([k, v]) => `${k} ${(v / MiB).toFixed(0)}`)
        .join(', ');
    console.log(`  by process type, before: ${mib(typesBefore)}\n  at the peak: ${mib(typesPeak)}`);
    expect(await sha256File(path)).toBe(want);
    expect(peak - before).toBeLessThanOrEqual(256 * MiB);
    await download.delete();
  } finally {
    clearInterval(sampler);
    rmSync(join(process.env.DEMO_DATA as string, id), { force: true });
  }
});

test('6. the key is in no URL, no request the server saw, and no Cache Storage or IndexedDB entry', async () => {
  expect(keys.length).toBeGreaterThan(3);
  const fromWorker = requests.filter((r) => r.serviceWorker() !== null || /\/files\/[0-9a-f]+$/.test(r.url()));
  console.log(`${requests.length} requests seen, ${fromWorker.length} of them the worker's reads of ciphertext`);
  expect(fromWorker.length).toBeGreaterThan(0); // the worker's ciphertext reads were seen
  for (const r of requests) {
    const text = [r.url(), JSON.stringify(await r.allHeaders().catch(() => r.headers())), r.postData() ?? '']
      .join('\n')
      .toLowerCase();
    for (const key of keys) expect(text, r.url()).not.toContain(key);
  }
  const stored = await page.evaluate(async () => ({
    caches: await caches.keys(),
    databases: (await indexedDB.databases()).map((d) => d.name),
    local: JSON.stringify({ ...localStorage }),
    session: JSON.stringify({ ...sessionStorage }),
    address: location.href,
  }));
  expect(stored.caches).toEqual([]);
  expect(stored.databases).toEqual([]);
  for (const key of keys) {
    expect(stored.local).not.toContain(key);
    expect(stored.session).not.toContain(key);
    expect(stored.address).not.toContain(key);
  }
});

test('7. with a file picker, Save decrypts in the page into the picked file; a damaged segment leaves the picked file unwritten', async ({
  browser,
}) => {
  const ctx = await browser.newContext();
  // A picker that picks a file of the origin's private file system (the native dialog cannot be driven here).
  await ctx.addInitScript(() =>
    Object.defineProperty(window, 'showSaveFilePicker', {
      value: async ({ suggestedName }: { suggestedName: string }) =>
        (await navigator.storage.getDirectory()).getFileHandle(suggestedName, { create: true }),
    }),
  );
  const p = await ctx.newPage();
  const sameAsBefore = page;
  page = p; // choose() drives `page`
  try {
    await p.goto('/');
    const k = newKey();
    const plain = new Uint8Array(randomBytes(3 * MiB + 5));
    const id = await seedBytes('picked.bin', plain, k.key);
    await choose(id, k.hex);
    await p.click('#read-all');
    const card = p.locator('#read-out [data-role=save]');
    await expect(card).toHaveAttribute('data-state', 'done');
    await expect(card).toHaveAttribute('data-method', 'picker');
    const digest = (name: string) =>
      p.evaluate(async (n) => {
        const f = await (await (await navigator.storage.getDirectory()).getFileHandle(n)).getFile();
        const d = new Uint8Array(await crypto.subtle.digest('SHA-256', await f.arrayBuffer()));
        return { size: f.size, sha: Array.from(d, (x) => x.toString(16).padStart(2, '0')).join('') };
      }, name);
    expect(await digest('picked.bin')).toEqual({ size: plain.length, sha: sha(plain) });
    const bad = await seedBytes('picked-bad.bin', new Uint8Array(randomBytes(4 * MiB)), k.key);
    expect((await p.request.post(`/api/files/${bad}/tamper`)).ok()).toBe(true);
    await choose(bad, k.hex);
    await p.click('#read-all');
    await expect(card.locator('.error code')).toHaveText(/^(AUTH_FAILED|DIGEST_MISMATCH)$/);
    expect((await digest('picked-bad.bin')).size).toBe(0); // the writable was aborted: nothing committed
  } finally {
    page = sameAsBefore;
    await ctx.close();
  }
});
