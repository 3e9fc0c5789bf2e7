/**
 * scripts/find-chromium.mjs (find-browsers.mjs for Chromium), then find-browsers.mjs for Firefox,
 * WebKit and WebKitWebDriver: the order each looks in, the install plan, and the one-line stop.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { afterAll, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../scripts/find-chromium.mjs', import.meta.url));
const BROWSERS = fileURLToPath(new URL('../../scripts/find-browsers.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'find-chromium-'));
const out = join(dir, 'chromium-path');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fake(name: string): string {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  const path = join(dir, 'bin', name);
  writeFileSync(path, '#!/bin/sh\n', { mode: 0o755 });
  return path;
}

/** Runs `script` with `args` in an environment without the browser variables `hide`; what it found. */
function spawnFind(script: string, hide: readonly string[], env: Record<string, string | undefined>, args: string[]) {
  rmSync(out, { force: true });
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !hide.includes(k)));
  const r = spawnSync(process.execPath, [script, ...args], { env: { ...base, ...env } });
  return {
    status: r.status,
    stderr: r.stderr.toString().trimEnd().split('\n'),
    found: existsSync(out) ? readFileSync(out, 'utf8').trim() : undefined,
  };
}

const find = (env: Record<string, string | undefined>, ...flags: string[]) =>
  spawnFind(SCRIPT, ['CHROMIUM_PATH', 'STREAM_V2_CHROMIUM_CANDIDATES'], env, ['--out', out, ...flags]);

it('takes $CHROMIUM_PATH before any candidate, and refuses one that is not executable', () => {
  const a = fake('a');
  const b = fake('b');
  expect(find({ CHROMIUM_PATH: a, STREAM_V2_CHROMIUM_CANDIDATES: b })).toMatchObject({ status: 0, found: a });
  const r = find({ CHROMIUM_PATH: join(dir, 'missing'), STREAM_V2_CHROMIUM_CANDIDATES: b });
  expect(r).toMatchObject({ status: 1, found: undefined });
  expect(r.stderr).toEqual([`chromium: CHROMIUM_PATH=${join(dir, 'missing')} is not an executable file`]);
});

it('takes the first candidate that exists: paths, then names on PATH', () => {
  const b = fake('b');
  fake('my-chrome');
  const candidates = `${join(dir, 'missing')}:no-such-browser:my-chrome:${b}`;
  const PATH = `${join(dir, 'bin')}:${process.env['PATH']}`;
  expect(find({ STREAM_V2_CHROMIUM_CANDIDATES: candidates, PATH })).toMatchObject({
    status: 0,
    found: join(dir, 'bin', 'my-chrome'),
  });
  expect(find({ STREAM_V2_CHROMIUM_CANDIDATES: `${join(dir, 'missing')}:${b}` }).found).toBe(b);
});

it('asks Playwright for its own browser, and skips it when that file is not there', () => {
  const b = fake('b');
  const own = chromium.executablePath();
  expect(find({ STREAM_V2_CHROMIUM_CANDIDATES: `playwright:${b}` }).found).toBe(existsSync(own) ? own : b);
});

it('with none found, plans apt-get (root on Debian) then Playwright, and stops with one line', () => {
  const dry = find({ STREAM_V2_CHROMIUM_CANDIDATES: '' }, '--dry-run');
  const apt = process.getuid?.() === 0 && existsSync('/etc/debian_version');
  expect(dry.status).toBe(1);
  expect(dry.stderr.slice(0, -1)).toEqual([
    ...(apt
      ? ['chromium: would run: apt-get update -qq && apt-get install -y -qq -o DPkg::Lock::Timeout=600 chromium']
      : []),
    'chromium: would run: npx playwright install chromium',
  ]);
  const none = find({ STREAM_V2_CHROMIUM_CANDIDATES: '' }, '--no-install');
  expect(none).toMatchObject({ status: 1, found: undefined });
  expect(none.stderr).toHaveLength(1);
  expect(none.stderr[0]).toMatch(
    /^chromium: none found; install one with '.*npx playwright install chromium'.*CHROMIUM_PATH/,
  );
});

const VARS = ['FIREFOX', 'WEBKIT', 'XVFB', 'WEBKITDRIVER'].flatMap((n) => [`${n}_PATH`, `STREAM_V2_${n}_CANDIDATES`]);

const browsers = (env: Record<string, string | undefined>, ...args: string[]) => spawnFind(BROWSERS, VARS, env, args);

it('takes $FIREFOX_PATH first, then the first candidate that exists, and refuses a non-executable one', () => {
  const a = fake('ff-a');
  const b = fake('ff-b');
  expect(browsers({ FIREFOX_PATH: a, STREAM_V2_FIREFOX_CANDIDATES: b }, 'firefox', '--out', out).found).toBe(a);
  const PATH = `${join(dir, 'bin')}:${process.env['PATH']}`;
  const list = `${join(dir, 'missing')}:no-such-firefox:ff-b`;
  expect(browsers({ STREAM_V2_FIREFOX_CANDIDATES: list, PATH }, 'firefox', '--out', out).found).toBe(b);
  const r = browsers({ FIREFOX_PATH: join(dir, 'missing') }, 'firefox', '--out', out);
  expect(r).toMatchObject({ status: 1, found: undefined });
  expect(r.stderr).toEqual([`firefox: FIREFOX_PATH=${join(dir, 'missing')} is not an executable file`]);
});

it('finds the MiniBrowser under any multiarch directory, and Xvfb with it', () => {
  const x = fake('Xvfb');
  const r = browsers(
    { STREAM_V2_XVFB_CANDIDATES: x, STREAM_V2_WEBKIT_CANDIDATES: `multiarch:no/such/MiniBrowser:${x}` },
    'webkit',
    '--out',
    out,
  );
  expect(r).toEqual({ status: 0, found: x, stderr: [`webkit: ${x}`, `xvfb: ${x}`] });
  expect(readFileSync(`${out}-xvfb`, 'utf8').trim()).toBe(x);
  const lib = ['x86_64', 'aarch64'].map((a) => `/usr/lib/${a}-linux-gnu/webkit2gtk-4.1/MiniBrowser`).find(existsSync);
  if (lib) expect(browsers({}, 'webkit', '--out', out).found).toBe(lib);
});

it('finds WebKitWebDriver: $WEBKITDRIVER_PATH first, then a path or a name on PATH, else the machine’s', () => {
  const a = fake('wd-a');
  const b = fake('WebKitWebDriver');
  const driver = (env: Record<string, string | undefined>) => browsers(env, 'webkitdriver', '--out', out);
  expect(driver({ WEBKITDRIVER_PATH: a, STREAM_V2_WEBKITDRIVER_CANDIDATES: b })).toEqual({
    status: 0,
    found: a,
    stderr: [`webkitdriver: ${a}`],
  });
  const PATH = `${join(dir, 'bin')}:${process.env['PATH']}`;
  const list = `${join(dir, 'missing')}:no-such-driver:WebKitWebDriver`;
  expect(driver({ STREAM_V2_WEBKITDRIVER_CANDIDATES: list, PATH }).found).toBe(b);
  const r = driver({ WEBKITDRIVER_PATH: join(dir, 'missing') });
  expect(r.stderr).toEqual([`webkitdriver: WEBKITDRIVER_PATH=${join(dir, 'missing')} is not an executable file`]);
  if (existsSync('/usr/bin/WebKitWebDriver')) expect(driver({}).found).toBe('/usr/bin/WebKitWebDriver');
});

it('with none found, plans Debian packages (root on Debian) and stops with one line naming the command', () => {
  const apt = process.getuid?.() === 0 && existsSync('/etc/debian_version');
  for (const [name, pkg] of [
    ['firefox', 'firefox-esr'],
    ['webkit', 'libwebkit2gtk-4.1-0'],
    ['webkitdriver', 'webkit2gtk-driver'],
  ] as const) {
    const env = { [`STREAM_V2_${name.toUpperCase()}_CANDIDATES`]: '' };
    const dry = browsers(env, name, '--dry-run', '--out', out);
    expect(dry.status).toBe(1);
    const plan = `${name}: would run: apt-get update -qq && apt-get install -y -qq -o DPkg::Lock::Timeout=600 ${pkg}`;
    expect(dry.stderr).toEqual([
      ...(apt ? [plan] : []),
      `${name}: none found; install it with 'sudo apt-get install -y ${pkg}' (Debian/Ubuntu), or set ${name.toUpperCase()}_PATH to its binary`,
    ]);
  }
  expect(browsers({}, 'opera').stderr).toEqual(["browsers: unknown engine 'opera'"]);
});
