#!/usr/bin/env node
/**
 * Finds the browser engines of the browser tests, or installs them, and writes each one's path to
 * node_modules/.cache/stream-v2/<name>-path, which vite.config.ts and scripts/open-engine.js read.
 *   node scripts/find-browsers.mjs [chromium] [firefox] [webkit] [webkitdriver] [--out FILE] [--no-install] [--dry-run]
 * (no names: all four; `webkit` also finds Xvfb, since WebKitGTK's MiniBrowser needs a display;
 * `webkitdriver` is WebKitWebDriver, which the demo's e2e in WebKit drives it with: e2e/engines).
 *
 * For each: $<NAME>_PATH (CHROMIUM_PATH, FIREFOX_PATH, WEBKIT_PATH, XVFB_PATH, WEBKITDRIVER_PATH); else the first of its
 * candidates that exists (a path, a name looked up on PATH, `playwright` for Playwright's own
 * Chromium, `multiarch:P` for /usr/lib/<triplet>/P); none: as root on Debian or Ubuntu, its Debian
 * package with apt-get (then, for Chromium only, `npx playwright install chromium`); else it stops
 * with one line naming the command to run. STREAM_V2_<NAME>_CANDIDATES (colon-separated) replaces
 * the default list, so tests can hide the machine's browsers. --out FILE (one name only) writes
 * its path there instead of the cache (and Xvfb's to FILE-xvfb); --dry-run prints the install
 * commands instead of running them.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const PLAYWRIGHT = 'npx playwright install chromium';
const MINIBROWSER = 'webkit2gtk-4.1/MiniBrowser';

/** name → [Debian package, default candidates, the path apt-get gives]. */
const ENGINES = {
  chromium: ['chromium', 'playwright:/usr/bin/chromium:chromium:chromium-browser:google-chrome', '/usr/bin/chromium'],
  firefox: ['firefox-esr', '/usr/bin/firefox-esr:firefox-esr:firefox', '/usr/bin/firefox-esr'],
  // The library package ships the MiniBrowser (webkit2gtk-driver only adds WebKitWebDriver).
  webkit: ['libwebkit2gtk-4.1-0', `multiarch:${MINIBROWSER}:MiniBrowser`, `multiarch:${MINIBROWSER}`],
  xvfb: ['xvfb', '/usr/bin/Xvfb:Xvfb', '/usr/bin/Xvfb'],
  webkitdriver: ['webkit2gtk-driver', '/usr/bin/WebKitWebDriver:WebKitWebDriver', '/usr/bin/WebKitWebDriver'],
};
// The lock timeout: other apt-get runs on the same machine wait for each other instead of failing.
const apt = (pkg) => `apt-get update -qq && apt-get install -y -qq -o DPkg::Lock::Timeout=600 ${pkg}`;

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const outIndex = args.indexOf('--out');
const named = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--out');
for (const n of named) if (!(n in ENGINES) || n === 'xvfb') fail('browsers', `unknown engine '${n}'`);
const wanted = named.length ? [...named] : ['chromium', 'firefox', 'webkit', 'webkitdriver'];
if (wanted.includes('webkit') && !wanted.includes('xvfb')) wanted.push('xvfb');
if (outIndex >= 0 && named.length !== 1) fail('browsers', '--out takes exactly one engine name');

function fail(name, line) {
  process.stderr.write(`${name}: ${line}\n`);
  process.exit(1);
}

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** /usr/lib/<triplet>/<rest>, for whichever multiarch triplet has it. */
function multiarch(rest) {
  let dirs = [];
  try {
    dirs = readdirSync('/usr/lib').filter((d) => d.includes('-linux-'));
  } catch {}
  return dirs.map((d) => join('/usr/lib', d, rest)).find(executable);
}

async function playwrightBrowser() {
  try {
    const { chromium } = await import('playwright');
    const path = chromium.executablePath();
    return path && executable(path) ? path : undefined;
  } catch {
    return undefined; // playwright not installed: not a candidate
  }
}

async function candidate(c) {
  if (c === 'playwright') return playwrightBrowser();
  if (c.startsWith('multiarch:')) return multiarch(c.slice('multiarch:'.length));
  return c.includes('/') ? (executable(c) ? c : undefined) : onPath(c);
}

async function find(name) {
  const list = process.env[`STREAM_V2_${name.toUpperCase()}_CANDIDATES`] ?? ENGINES[name][1];
  // `multiarch:` candidates hold a colon of their own: split on colons not right after it.
  for (const c of list.split(/(?<!multiarch):/).filter(Boolean)) {
    const path = await candidate(c);
    if (path) return path;
  }
  return undefined;
}

/** The ways this platform allows, in order: [command, how to tell it worked]. */
function installWays(name) {
  const [pkg, , installed] = ENGINES[name];
  const ways = [];
  if (process.getuid?.() === 0 && existsSync('/etc/debian_version') && onPath('apt-get')) {
    ways.push([apt(pkg), () => candidate(installed)]);
  }
  if (name === 'chromium') ways.push([PLAYWRIGHT, playwrightBrowser]);
  return ways;
}

function stop(name) {
  const sudo = `'sudo apt-get install -y ${ENGINES[name][0]}'`;
  const env = `${name.toUpperCase()}_PATH`;
  if (name === 'chromium') {
    const how = existsSync('/etc/debian_version') ? `${sudo} or '${PLAYWRIGHT}'` : `'${PLAYWRIGHT}'`;
    fail(name, `none found; install one with ${how}, or set ${env} to a Chromium or Chrome binary`);
  }
  fail(name, `none found; install it with ${sudo} (Debian/Ubuntu), or set ${env} to its binary`);
}

async function locate(name) {
  const say = (line) => process.stderr.write(`${name}: ${line}\n`);
  const env = `${name.toUpperCase()}_PATH`;
  const explicit = process.env[env];
  if (explicit && !executable(explicit)) fail(name, `${env}=${explicit} is not an executable file`);
  let path = explicit || (await find(name));
  if (!path && !flag('--no-install')) {
    for (const [cmd, check] of installWays(name)) {
      if (flag('--dry-run')) {
        say(`would run: ${cmd}`);
        continue;
      }
      say(`none found; running: ${cmd}`);
      const r = spawnSync('sh', ['-c', cmd], {
        cwd: root,
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
      path = r.status === 0 ? await check() : undefined;
      if (path) break;
      say(`'${cmd}' did not give a browser (exit ${r.status ?? r.signal})`);
    }
  }
  if (!path) stop(name);
  const given = outIndex >= 0 ? args[outIndex + 1] : undefined;
  const out = given
    ? name === named[0]
      ? given
      : `${given}-${name}`
    : join(root, `node_modules/.cache/stream-v2/${name}-path`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${path}\n`);
  say(path);
}

for (const name of wanted) await locate(name);
