/** scripts/find-chromium.mjs: the order it looks in, the install plan, and its one-line stop. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { afterAll, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../scripts/find-chromium.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'find-chromium-'));
const out = join(dir, 'chromium-path');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fake(name: string): string {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  const path = join(dir, 'bin', name);
  writeFileSync(path, '#!/bin/sh\n', { mode: 0o755 });
  return path;
}

function find(env: Record<string, string | undefined>, ...flags: string[]) {
  rmSync(out, { force: true });
  const { CHROMIUM_PATH: _, STREAM_V2_CHROMIUM_CANDIDATES: __, ...base } = process.env;
  const r = spawnSync(process.execPath, [SCRIPT, '--out', out, ...flags], { env: { ...base, ...env } });
  return {
    status: r.status,
    stderr: r.stderr.toString().trimEnd().split('\n'),
    found: existsSync(out) ? readFileSync(out, 'utf8').trim() : undefined,
  };
}

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
