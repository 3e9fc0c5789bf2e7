/**
 * Starts Firefox or WebKit on a URL, headless, for the firefox and webkit Vitest projects
 * (scripts/open-engine.js) and the browser bench (bench/browser/run.mjs). Paths come from what
 * scripts/find-browsers.mjs found ($FIREFOX_PATH, $WEBKIT_PATH, $XVFB_PATH first).
 *
 * Neither engine needs a driver: Firefox has `--headless`; WebKitGTK's MiniBrowser has no headless
 * mode, so it draws into an Xvfb display of its own. (Playwright cannot drive Debian's Firefox, and
 * geckodriver is not packaged here; the pages report over HTTP or Vitest's own socket instead.)
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cache = fileURLToPath(new URL('../node_modules/.cache/stream-v2/', import.meta.url));

/** The binary of `name` (firefox, webkit, xvfb): its env variable, else find-browsers' cache file. */
export function enginePath(name) {
  const env = process.env[`${name.toUpperCase()}_PATH`];
  if (env) return env;
  const file = join(cache, `${name}-path`);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  throw new Error(`no ${name} found: run 'node scripts/find-browsers.mjs ${name}' first`);
}

/**
 * Firefox's profile: no first-run pages, updates, telemetry or other calls home (tests never reach
 * the network), and no slow-script dialog over a long synchronous test.
 */
const FIREFOX_PREFS = Object.entries({
  'browser.shell.checkDefaultBrowser': false,
  'browser.startup.homepage_override.mstone': 'ignore',
  'browser.aboutwelcome.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'datareporting.healthreport.uploadEnabled': false,
  'toolkit.telemetry.reportingpolicy.firstRun': false,
  'app.update.disabledForTesting': true,
  'app.normandy.enabled': false,
  'browser.safebrowsing.update.enabled': false,
  'extensions.update.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'browser.region.network.url': '',
  'dom.max_script_run_time': 0,
  'dom.max_chrome_script_run_time': 0,
  'dom.disable_open_during_load': false,
})
  .map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});\n`)
  .join('');

/**
 * Xvfb on the first free display it picks itself (-displayfd), so parallel runs never collide;
 * resolves to its DISPLAY. Pushes the process to `children` (the caller kills its group).
 */
export function xvfb(children) {
  return new Promise((ok, fail) => {
    const args = ['-displayfd', '1', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'];
    const x = spawn(enginePath('xvfb'), args, { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(x);
    x.stdout.once('data', (d) => ok(`:${String(d).trim()}`));
    x.once('exit', (code) => fail(new Error(`Xvfb exited (${code})`)));
  });
}

/**
 * Opens `url` in `engine` on a throwaway profile. Returns the browser's pid (its process group
 * holds the content processes) and `stop`, which kills every group and deletes the profile.
 */
export async function launchEngine(engine, url) {
  const profile = mkdtempSync(join(tmpdir(), `stream-v2-${engine}-`));
  const children = [];
  let stopping = false;
  const start = (cmd, args, env) => {
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'ignore', 'inherit'], env });
    children.push(child);
    child.on('exit', (code, signal) => {
      if (!stopping) process.stderr.write(`${engine}: ${cmd} exited (${code ?? signal})\n`);
    });
    return child;
  };
  let browser;
  if (engine === 'firefox') {
    writeFileSync(join(profile, 'user.js'), FIREFOX_PREFS);
    browser = start(enginePath('firefox'), ['--headless', '--no-remote', '--profile', profile, url], process.env);
  } else if (engine === 'webkit') {
    const display = await xvfb(children);
    // A fresh HOME: the MiniBrowser's caches, storage and Service Worker registrations start empty.
    const env = { ...process.env, DISPLAY: display, HOME: profile, XDG_CACHE_HOME: join(profile, 'cache') };
    Object.assign(env, { XDG_DATA_HOME: join(profile, 'data'), XDG_CONFIG_HOME: join(profile, 'config') });
    browser = start(enginePath('webkit'), [url], env);
  } else {
    throw new Error(`unknown engine '${engine}' (firefox or webkit)`);
  }
  const stop = () => {
    stopping = true;
    for (const c of children.reverse()) {
      try {
        process.kill(-c.pid, 'SIGKILL');
      } catch {} // already gone
    }
    rmSync(profile, { recursive: true, force: true });
  };
  return { pid: browser.pid, stop };
}
