/**
 * The built package as a consumer gets it: package.json and dist/ copied into a temporary
 * project's node_modules/stream-v2 (as `npm pack` + install would lay them out), with the
 * package's dependencies and @types linked from this checkout.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This checkout's root. */
export const root = fileURLToPath(new URL('../..', import.meta.url));

/** A consumer project; `remove` deletes it. */
export interface Consumer {
  readonly dir: string;
  remove(): void;
}

/** Makes a temporary ESM project with the built stream-v2 installed; `files` are written into it. */
export function makeConsumer(prefix: string, files: Record<string, string>): Consumer {
  const dir = mkdtempSync(join(tmpdir(), `stream-v2-${prefix}-`));
  const modules = join(dir, 'node_modules');
  const pkg = join(modules, 'stream-v2');
  mkdirSync(pkg, { recursive: true });
  cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
  cpSync(join(root, 'dist'), join(pkg, 'dist'), { recursive: true });
  // Every runtime dependency package.json names (as an install would bring them), and @types.
  const pkgJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: object };
  for (const dep of [...Object.keys(pkgJson.dependencies), '@types']) {
    mkdirSync(join(modules, dep, '..'), { recursive: true });
    symlinkSync(join(root, 'node_modules', dep), join(modules, dep), 'dir');
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
