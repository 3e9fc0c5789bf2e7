/** Helpers of the e2e tests of the demo as a person meets it (e2e/demo-ux.spec.ts). */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, expect, type Page } from '@playwright/test';
import type { ServerFile } from './helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));

export { makeFile, sha } from './files.js';

/** A page with what went wrong in it: uncaught errors, failed requests, console errors. */
export interface Watched {
  page: Page;
  pageErrors: string[];
  /** Answers of 400 or more, as `status url`. */
  failed: string[];
}

/** Opens `url` in a new tab of `context` and records its errors. */
export async function openPage(context: BrowserContext, url: string): Promise<Watched> {
  const page = await context.newPage();
  const w: Watched = { page, pageErrors: [], failed: [] };
  page.on('pageerror', (e) => w.pageErrors.push(String(e)));
  page.on('response', (r) => {
    if (r.status() >= 400) w.failed.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(url);
  return w;
}

/** What the server says of the stored files (the list, or one id where the list is off). */
export async function stored(page: Page, base: string, id?: string): Promise<ServerFile[]> {
  if (id) return [(await (await page.request.get(`${base}/api/files/${id}`)).json()) as ServerFile];
  return (await (await page.request.get(`${base}/api/files`)).json()) as ServerFile[];
}

/** Waits until the card of `name` shows more than `share` of its ciphertext uploaded. */
export async function uploadedPast(page: Page, name: string, share: number): Promise<void> {
  const bar = page.locator(`.card[data-file="${name}"] progress[aria-label=uploaded]`).first();
  await expect
    .poll(async () => Number(await bar.getAttribute('value')), { timeout: 120_000, intervals: [50] })
    .toBeGreaterThan(share);
}

/** A second demo server, on its own port and storage, with `env` (e.g. DEMO_LIST=0). */
export interface OwnServer {
  url: string;
  data: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts the built server of the checkout at `cwd` (this one by default). */
export async function startOwnServer(port: number, env: Record<string, string>, cwd = root): Promise<OwnServer> {
  const data = mkdtempSync(join(tmpdir(), 'stream-v2-e2e-own-'));
  const child: ChildProcess = spawn(process.execPath, ['demo/dist-server/server.js'], {
    cwd,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DEMO_DATA: data, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  await new Promise<void>((ok, fail) => {
    const seen = (b: Buffer) => {
      text += b.toString();
      if (text.includes('stream-v2 demo: http://')) ok();
    };
    child.stdout?.on('data', seen);
    child.stderr?.on('data', seen);
    child.once('exit', (code) => fail(new Error(`the demo server exited (${code}): ${text}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    data,
    pid: child.pid as number,
    async stop() {
      const exited = new Promise((ok) => child.once('exit', ok));
      child.kill('SIGTERM');
      await exited;
      rmSync(data, { recursive: true, force: true });
    },
  };
}
