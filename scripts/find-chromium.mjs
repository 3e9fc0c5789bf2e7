#!/usr/bin/env node
/**
 * Finds a Chromium for the browser tests, or installs one, and writes its path to
 * node_modules/.cache/stream-v2/chromium-path, which vite.config.ts reads. `npm test` runs it first.
 *
 * Order: $CHROMIUM_PATH; Playwright's own browser (chromium.executablePath(), if that file exists);
 * /usr/bin/chromium; chromium, chromium-browser, google-chrome on PATH. None: as root on Debian or
 * Ubuntu, Debian's `chromium` package with apt-get; else `npx playwright install chromium`; else it
 * stops with one line naming the command to run.
 *
 * STREAM_V2_CHROMIUM_CANDIDATES (colon-separated; `playwright` is Playwright's browser, a name without
 * a slash is looked up on PATH) replaces the default list, so tests can hide the machine's browsers.
 * Flags: --out FILE (instead of the cache file), --no-install, --dry-run (print the install commands
 * instead of running them).
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const DEFAULT_CANDIDATES = 'playwright:/usr/bin/chromium:chromium:chromium-browser:google-chrome';
// The lock timeout: other apt-get runs on the same machine wait for each other instead of failing.
const APT = 'apt-get update -qq && apt-get install -y -qq -o DPkg::Lock::Timeout=600 chromium';
const PLAYWRIGHT = 'npx playwright install chromium';

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const outIndex = args.indexOf('--out');
const out = outIndex >= 0 ? args[outIndex + 1] : join(root, 'node_modules/.cache/stream-v2/chromium-path');
const say = (line) => process.stderr.write(`chromium: ${line}\n`);

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

async function playwrightBrowser() {
  try {
    const { chromium } = await import('playwright');
    const path = chromium.executablePath();
    return path && executable(path) ? path : undefined;
  } catch {
    return undefined; // playwright not installed: not a candidate
  }
}

async function find() {
  const list = process.env.STREAM_V2_CHROMIUM_CANDIDATES ?? DEFAULT_CANDIDATES;
  for (const c of list.split(':').filter(Boolean)) {
    const path = c === 'playwright' ? await playwrightBrowser() : c.includes('/') ? executable(c) && c : onPath(c);
    if (path) return path;
  }
  return undefined;
}

/** The ways this platform allows, in order: [command, how to tell it worked]. */
function installWays() {
  const ways = [];
  const asRoot = process.getuid?.() === 0;
  if (asRoot && existsSync('/etc/debian_version') && onPath('apt-get')) {
    ways.push([APT, () => (executable('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined)]);
  }
  ways.push([PLAYWRIGHT, playwrightBrowser]);
  return ways;
}

function stop() {
  const how = existsSync('/etc/debian_version')
    ? `'sudo apt-get install -y chromium' or '${PLAYWRIGHT}'`
    : `'${PLAYWRIGHT}'`;
  say(`none found; install one with ${how}, or set CHROMIUM_PATH to a Chromium or Chrome binary`);
  process.exit(1);
}

async function main() {
  const explicit = process.env.CHROMIUM_PATH;
  let path;
  if (explicit) {
    if (!executable(explicit)) {
      say(`CHROMIUM_PATH=${explicit} is not an executable file`);
      process.exit(1);
    }
    path = explicit;
  } else {
    path = await find();
  }
  if (!path && !flag('--no-install')) {
    for (const [cmd, check] of installWays()) {
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
  if (!path) stop();
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${path}\n`);
  say(path);
}

await main();
