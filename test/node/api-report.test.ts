/**
 * The API report (scripts/api-report.mjs, part of npm test): the built declarations match the
 * committed report in etc/, and a change of the public surface that the report does not have
 * fails the check, naming the changed line.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const check = (dist: string) =>
  spawnSync(process.execPath, ['scripts/api-report.mjs', '--dist', dist], { cwd: root, encoding: 'utf8' });

it('the built declarations match the committed API report', () => {
  const r = check(join(root, 'dist'));
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});

it('an unreviewed change of the public API fails the check, and says what changed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sv2-api-'));
  try {
    for (const f of ['index.d.ts', 'node.d.ts', 'service-worker.d.ts', 'service-worker-page.d.ts'])
      copyFileSync(join(root, 'dist', f), join(dir, f));
    expect(check(dir).status).toBe(0);
    // A deliberate change, as an edit of src/ would emit it: an option added to the transforms.
    const dts = readFileSync(join(dir, 'index.d.ts'), 'utf8');
    const changed = dts.replace(
      /export interface StreamOptions \{/,
      'export interface StreamOptions {\n\tsalt?: Uint8Array;',
    );
    expect(changed).not.toBe(dts);
    writeFileSync(join(dir, 'index.d.ts'), changed);
    const r = check(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('+ \tsalt?: Uint8Array;');
    expect(r.stderr).toContain('--update');
    // A change in a doc comment only is no change of the surface.
    writeFileSync(join(dir, 'index.d.ts'), dts.replace('/**', '/** Reworded. '));
    expect(check(dir).status).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
