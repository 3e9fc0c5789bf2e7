/**
 * WebKit for the engine runner: WebKitGTK's MiniBrowser (scripts/find-browsers.mjs) on an Xvfb
 * display of its own, driven by WebKitWebDriver (Debian's webkit2gtk-driver) over WebDriver classic
 * (W3C WebDriver: https://www.w3.org/TR/webdriver2/), with the few commands the flows need spoken
 * over fetch. Clicks and typing are the driver's Element Click and Element Send Keys; the file
 * input gets its files by Element Send Keys with their paths, the way WebDriver sets a file input.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enginePath, xvfb } from '../../scripts/engines.mjs';
import type { EnginePage } from './page.js';

/** W3C WebDriver's key of an element reference. */
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

/** A free loopback port for the driver (WebKitWebDriver takes no port 0). */
function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

export async function openWebKit(): Promise<EnginePage> {
  const profile = mkdtempSync(join(tmpdir(), 'stream-v2-webkit-e2e-'));
  const downloads = join(profile, 'Downloads');
  const config = join(profile, 'config');
  mkdirSync(downloads);
  mkdirSync(config);
  // WebKitGTK saves a download into the XDG download folder (GLib reads it from user-dirs.dirs).
  writeFileSync(join(config, 'user-dirs.dirs'), `XDG_DOWNLOAD_DIR="${downloads}"\n`);
  const children: ChildProcess[] = [];
  const stop = () => {
    for (const c of children.reverse()) {
      try {
        process.kill(-(c.pid as number), 'SIGKILL');
      } catch {} // already gone
    }
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    const display = await xvfb(children);
    const port = await freePort();
    // A fresh HOME: the MiniBrowser's caches, storage and Service Worker registrations start empty.
    const env = { ...process.env, DISPLAY: display, HOME: profile, XDG_CONFIG_HOME: config };
    Object.assign(env, { XDG_CACHE_HOME: join(profile, 'cache'), XDG_DATA_HOME: join(profile, 'data') });
    const driver = spawn(enginePath('webkitdriver'), [`--port=${port}`], {
      detached: true,
      stdio: ['ignore', 'ignore', 'inherit'],
      env,
    });
    children.push(driver);
    const wd = client(`http://127.0.0.1:${port}`);
    for (let i = 0; ; i++) {
      const up = await wd('GET', '/status').then(
        () => true,
        () => false,
      );
      if (up) break;
      if (i > 100) throw new Error('webkit: WebKitWebDriver did not answer /status in 10 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    const options = { binary: enginePath('webkit'), args: ['--automation'] };
    const session = (await wd('POST', '/session', {
      capabilities: { alwaysMatch: { 'webkitgtk:browserOptions': options } },
    })) as { sessionId: string };
    return page(wd, `/session/${session.sessionId}`, downloads, stop);
  } catch (e) {
    stop();
    throw e;
  }
}

type Call = (method: string, path: string, body?: unknown) => Promise<unknown>;

/** WebDriver's HTTP: JSON in, `{ value }` out; an error answer becomes an Error with its code. */
function client(base: string): Call {
  return async (method, path, body) => {
    const res = await fetch(base + path, {
      method,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const { value } = (await res.json()) as { value: unknown };
    if (!res.ok) {
      const v = value as { error?: string; message?: string };
      throw new Error(`webkit: ${method} ${path.replace(/^\/session\/[^/]+/, '')}: ${v.error}: ${v.message}`);
    }
    return value;
  };
}

/**
 * Runs `fn` with its arguments as an async script; its result, or the page's exception text, comes
 * back in an envelope, since a rejected promise has no WebDriver answer of its own.
 */
const asyncScript = (fn: string) => `const done = arguments[arguments.length - 1];
const args = Array.prototype.slice.call(arguments, 0, -1);
Promise.resolve().then(() => (${fn})(...args)).then(
  (value) => done({ value: value === undefined ? null : value }),
  (e) => done({ error: String((e && e.stack) || e) }),
);`;

async function page(wd: Call, s: string, downloads: string, stop: () => void): Promise<EnginePage> {
  await wd('POST', `${s}/timeouts`, { script: 120_000, pageLoad: 60_000, implicit: 0 });
  const find = async (selector: string) => {
    const found = (await wd('POST', `${s}/element`, { using: 'css selector', value: selector })) as Record<
      string,
      string
    >;
    return found[ELEMENT] as string;
  };
  /**
   * `path` (after /element/<id>) on the element `selector` names, found again where the page
   * replaced it meanwhile (the demo redraws its file list and options every 3 s), as a person's
   * click lands on what is there now.
   */
  const act = async (selector: string, path: string, body: unknown) => {
    for (let i = 0; ; i++) {
      try {
        return void (await wd('POST', `${s}/element/${await find(selector)}${path}`, body));
      } catch (e) {
        if (i >= 4 || !String(e).includes('stale element reference')) throw e;
      }
    }
  };
  const keys = (selector: string, text: string) => act(selector, '/value', { text });
  return {
    engine: 'webkit',
    downloads,
    async goto(url) {
      await wd('POST', `${s}/url`, { url });
    },
    async evaluate(fn, ...args) {
      const r = (await wd('POST', `${s}/execute/async`, { script: asyncScript(String(fn)), args })) as {
        value?: unknown;
        error?: string;
      };
      if (r.error !== undefined) throw new Error(`webkit: in the page: ${r.error}`);
      return r.value as never;
    },
    async click(selector) {
      await act(selector, '/click', {});
    },
    async fill(selector, text) {
      await act(selector, '/clear', {});
      if (text) await keys(selector, text);
    },
    async choose(selector, value) {
      // WebDriver selects an option by clicking it (Element Click, "option element" steps).
      await act(`${selector} option[value="${value}"]`, '/click', {});
    },
    async setFiles(selector, paths) {
      await keys(selector, paths.join('\n'));
    },
    async close() {
      await wd('DELETE', s).catch(() => {}); // the browser may be gone already
      stop();
    },
  };
}
