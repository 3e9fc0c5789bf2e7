/** Deno and Bun run the package's Web build (Web Workers + WebCrypto) and exit on their own. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = (name: string) => `${root}node_modules/.bin/${name}`;

it.each([
  ['deno', [bin('deno'), 'run', '--allow-read', '--allow-env', 'test/runtimes/smoke.mjs']],
  ['bun', [bin('bun'), 'test/runtimes/smoke.mjs']],
])(
  '%s: every keyed vector, inline and with 2 Web Workers, a tamper, and both recipient types',
  (_name, [cmd, ...args]) => {
    const r = spawnSync(cmd as string, args, { cwd: root, timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
    expect(r.stderr.toString()).toBe('');
    expect(r.stdout.toString().trim()).toBe(
      'entry browser.js; 116 round trips; tamper AUTH_FAILED; recipients x25519,x-wing',
    );
    expect(r.status).toBe(0);
  },
);
