/**
 * What the engine runner's flows (e2e/engines/flows.ts) ask of a browser: one tab, driven the way a
 * person drives it (clicks, typing, the file input), plus a script run in the page to read what it
 * shows. Firefox implements it over WebDriver BiDi (puppeteer-core, e2e/engines/firefox.ts), WebKit
 * over WebDriver classic (WebKitWebDriver, e2e/engines/webkit.ts).
 */

/** The engines the runner drives. */
export type Engine = 'firefox' | 'webkit';

/** One browser tab. */
export interface EnginePage {
  readonly engine: Engine;
  /** The folder the browser saves downloads into. */
  readonly downloads: string;
  /** Loads `url` in the tab (a reload when it is the tab's own address) and waits for its load event. */
  goto(url: string): Promise<void>;
  /**
   * Runs `fn` in the page with `args` (JSON values) and returns its JSON result, awaited. `fn` is
   * sent as its source: it may use nothing from the test's module scope.
   */
  evaluate<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Promise<Awaited<R>>;
  /** Clicks the element that `selector` names (scrolled into view first). */
  click(selector: string): Promise<void>;
  /** Empties the text field `selector` and types `text` into it, key by key. */
  fill(selector: string, text: string): Promise<void>;
  /** Picks the option of value `value` in the <select> `selector`. */
  choose(selector: string, value: string): Promise<void>;
  /** Puts these files into the <input type=file> `selector`, as the file dialog would. */
  setFiles(selector: string, paths: string[]): Promise<void>;
  /** Ends the browser and removes its profile and downloads. */
  close(): Promise<void>;
}

/** Opens a fresh browser of one engine, on a fresh profile, with one tab. */
export type OpenEngine = () => Promise<EnginePage>;

/**
 * Polls `read` (a script run in the page) until `ok` holds for its result; returns that result.
 * Fails after `timeoutMs` with the last result, so a failure says what the page showed instead.
 */
export async function waitFor<A extends unknown[], R>(
  page: EnginePage,
  what: string,
  ok: (value: Awaited<R>) => boolean,
  read: (...args: A) => R,
  args: A,
  timeoutMs = 60_000,
): Promise<Awaited<R>> {
  const end = Date.now() + timeoutMs;
  let last: Awaited<R> | undefined;
  let error: unknown;
  for (;;) {
    try {
      last = await page.evaluate(read, ...args);
      if (ok(last)) return last;
    } catch (e) {
      error = e; // mid-navigation: the page has no document yet
    }
    if (Date.now() > end) {
      const seen = last === undefined ? `error ${String(error)}` : JSON.stringify(last);
      throw new Error(`${page.engine}: timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${seen}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The attributes and text of the first element that `selector` names, or null. */
export function element(selector: string): { text: string; attrs: Record<string, string> } | null {
  const e = document.querySelector(selector);
  if (!e) return null;
  const attrs: Record<string, string> = {};
  for (const a of Array.from(e.attributes)) attrs[a.name] = a.value;
  return { text: e.textContent ?? '', attrs };
}
