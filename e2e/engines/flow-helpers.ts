/** Waits and sums of the engine runner's flows (e2e/engines/flows.ts). */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FileInfo as ServerFile } from '../../demo/store.js';
import type { Demo } from './demo.js';
import { type EnginePage, element, waitFor } from './page.js';

/**
 * Loads the demo at `url` and waits until its script has wired the page: the load event can come
 * before demo/main.ts is done (it awaits the server's config first), and a file picked before
 * then would go unheard. The note under "Secret" is the script's last touch.
 */
export async function load(page: EnginePage, url: string): Promise<void> {
  await page.goto(url);
  await waitFor(
    page,
    'the page script',
    (t) => t !== '',
    () => document.getElementById('key-note')?.textContent ?? '',
    [],
  );
}

/** Picks the stored file `id` in the read form, once the list offers it; checks the form shows it. */
export async function pick(page: EnginePage, id: string): Promise<void> {
  const offered = (v: string) => document.querySelector(`#read-file option[value="${v}"]`) !== null;
  await waitFor(page, `file ${id} in the read form`, (x) => x, offered, [id]);
  await page.choose('#read-file', id);
  const chosen = () => (document.getElementById('read-file') as HTMLSelectElement).value;
  const now = await page.evaluate(chosen);
  if (now !== id) throw new Error(`${page.engine}: the read form shows ${now}, not the file picked (${id})`);
}

/**
 * Waits until the upload of `name` finished and the server's keyless check of it is over (the
 * server answers the last PATCH first and checks after; the card shows the verdict).
 */
export async function uploaded(page: EnginePage, name: string): Promise<void> {
  const card = `.card[data-file="${name}"]`;
  const end = await waitFor(
    page,
    `the upload of ${name}`,
    (c) => /done|failed/.test(c?.attrs['data-state'] ?? ''),
    element,
    [card],
  );
  if (end?.attrs['data-state'] !== 'done')
    throw new Error(`${page.engine}: the upload of ${name} failed: ${end?.text}`);
  await waitFor(page, `the server's check of ${name}`, (c) => c?.attrs['data-verdict'] !== undefined, element, [
    `${card} [data-role=server-check]`,
  ]);
}

/**
 * The server's view of the upload `name` once it holds exactly `offset` bytes and has counted them
 * all as received: a body cut short is written and counted in batches, after the cut.
 */
export async function serverHolds(demo: Demo, name: string, offset: number, timeoutMs = 30_000): Promise<ServerFile> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const f = (await demo.files()).find((x) => x.name === name);
    if (f && f.offset === offset && f.received === offset) return f;
    if (Date.now() > end) throw new Error(`the server never held ${offset} bytes of ${name}: ${JSON.stringify(f)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The file name and bytes of the download `name` once the browser finished it: a file of that name (or the
 * engine's `name(1)`-style variant) in the downloads folder, `size` bytes long, with no partial
 * file (`.part`, `.download`) left beside it.
 */
export async function savedFile(
  page: EnginePage,
  name: string,
  size: number,
  timeoutMs = 60_000,
): Promise<{ name: string; bytes: Buffer }> {
  const dir = page.downloads;
  const stem = name.replace(/\.[^.]*$/, '');
  const end = Date.now() + timeoutMs;
  for (;;) {
    const all = existsSync(dir) ? readdirSync(dir) : [];
    const partial = all.filter((f) => /\.(part|download|wkdownload)$/i.test(f));
    const done = all.filter((f) => f.startsWith(stem) && !partial.includes(f));
    const whole = done.find((f) => statSync(join(dir, f)).size === size);
    if (whole && partial.length === 0) return { name: whole, bytes: readFileSync(join(dir, whole)) };
    if (Date.now() > end) {
      const seen = all.map((f) => `${f} (${statSync(join(dir, f)).size} bytes)`).join(', ') || 'nothing';
      throw new Error(`${page.engine}: no finished download of ${name} in ${dir}; there: ${seen}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Plaintext bytes per frame and per segment in the default layout; a frame's and a segment's overhead (spec §5). */
const FRAME = 65536;
const SEGMENT = 16 * FRAME;
const FRAME_OVERHEAD = 18 + 16;
const SEGMENT_END = 18 + 33 + 16 + (18 + 16); // the DIGEST frame and the TERMINATOR

/** Wire bytes of a segment of `n` plaintext bytes. */
const wire = (n: number) => n + Math.ceil(n / FRAME) * FRAME_OVERHEAD + SEGMENT_END;

/**
 * What a range read of plaintext [a, b) of a `size`-byte file may fetch: at least the header and
 * the covering segments; at most that and the last segment's last DATA frame, DIGEST frame and
 * TERMINATOR, which openEncrypted reads at open to authenticate the exact plaintext size.
 */
export function fetchedBounds(a: number, b: number, size: number): [number, number] {
  let covering = 0;
  for (let k = Math.floor(a / SEGMENT); k <= Math.floor((b - 1) / SEGMENT); k++) {
    covering += wire(Math.min(SEGMENT, size - k * SEGMENT));
  }
  const lastSegment = size - Math.floor((size - 1) / SEGMENT) * SEGMENT;
  const lastFrame = lastSegment - Math.floor((lastSegment - 1) / FRAME) * FRAME;
  return [80 + covering, 80 + covering + lastFrame + FRAME_OVERHEAD + SEGMENT_END];
}
