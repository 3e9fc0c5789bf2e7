/** scripts/find-browsers.mjs for Firefox and WebKit (Chromium: find-chromium.test.ts): order, plan, stop. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../scripts/find-browsers.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'find-browsers-'));
const out = join(dir, 'path');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fake(name: string): string {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  const path = join(dir, 'bin', name);
  writeFileSync(path, '#!/bin/sh\n', { mode: 0o755 });
  return path;
}

const VARS = ['FIREFOX', 'WEBKIT', 'XVFB'].flatMap((n) => [`${n}_PATH`, `STREAM_V2_${n}_CANDIDATES`]);

function find(env: Record<string, string | undefined>, ...args: string[]) {
  rmSync(out, { force: true });
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !VARS.includes(k)));
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { env: { ...base, ...env } });
  return {
    status: r.status,
    stderr: r.stderr.toString().trimEnd().split('\n'),
    found: existsSync(out) ? readFileSync(out, 'utf8').trim() : undefined,
  };
}

it('takes $FIREFOX_PATH first, then the first candidate that exists, and refuses a non-executable one', () => {
  const a = fake('ff-a');
  const b = fake('ff-b');
  expect(find({ FIREFOX_PATH: a, STREAM_V2_FIREFOX_CANDIDATES: b }, 'firefox', '--out', out).found).toBe(a);
  const PATH = `${join(dir, 'bin')}:${process.env['PATH']}`;
  const list = `${join(dir, 'missing')}:no-such-firefox:ff-b`;
  expect(find({ STREAM_V2_FIREFOX_CANDIDATES: list, PATH }, 'firefox', '--out', out).found).toBe(b);
  const r = find({ FIREFOX_PATH: join(dir, 'missing') }, 'firefox', '--out', out);
  expect(r).toMatchObject({ status: 1, found: undefined });
  expect(r.stderr).toEqual([`firefox: FIREFOX_PATH=${join(dir, 'missing')} is not an executable file`]);
});

it('finds the MiniBrowser under any multiarch directory, and Xvfb with it', () => {
  const x = fake('Xvfb');
  const r = find(
    { STREAM_V2_XVFB_CANDIDATES: x, STREAM_V2_WEBKIT_CANDIDATES: `multiarch:no/such/MiniBrowser:${x}` },
    'webkit',
    '--out',
    out,
  );
  expect(r).toEqual({ status: 0, found: x, stderr: [`webkit: ${x}`, `xvfb: ${x}`] });
  expect(readFileSync(`${out}-xvfb`, 'utf8').trim()).toBe(x);
  const lib = ['x86_64', 'aarch64'].map((a) => `/usr/lib/${a}-linux-gnu/webkit2gtk-4.1/MiniBrowser`).find(existsSync);
  if (lib) expect(find({}, 'webkit', '--out', out).found).toBe(lib);
});

it('with none found, plans Debian packages (root on Debian) and stops with one line naming the command', () => {
  const apt = process.getuid?.() === 0 && existsSync('/etc/debian_version');
  for (const [name, pkg] of [
    ['firefox', 'firefox-esr'],
    ['webkit', 'libwebkit2gtk-4.1-0'],
  ] as const) {
    const env = { [`STREAM_V2_${name.toUpperCase()}_CANDIDATES`]: '' };
    const dry = find(env, name, '--dry-run', '--out', out);
    expect(dry.status).toBe(1);
    const plan = `${name}: would run: apt-get update -qq && apt-get install -y -qq -o DPkg::Lock::Timeout=600 ${pkg}`;
    expect(dry.stderr).toEqual([
      ...(apt ? [plan] : []),
      `${name}: none found; install it with 'sudo apt-get install -y ${pkg}' (Debian/Ubuntu), or set ${name.toUpperCase()}_PATH to its binary`,
    ]);
  }
  expect(find({}, 'opera').stderr).toEqual(["browsers: unknown engine 'opera'"]);
});
