/**
 * The demo server of the engine runner, started as e2e/playwright.config.ts starts it: the built
 * server on loopback, a fresh storage folder (DEMO_DATA) and tampering on (DEMO_TAMPER=1); its own
 * port (PORT=0: the server says which), so the two engines' files can run side by side.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FileInfo as ServerFile } from '../../demo/store.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A running demo server. */
export interface Demo {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Its storage folder (the stored ciphertexts are named by upload id). */
  data: string;
  /** What GET /api/files lists now, asked from Node (never through the page's network). */
  files(): Promise<ServerFile[]>;
  stop(): Promise<void>;
}

export async function startDemo(): Promise<Demo> {
  const data = mkdtempSync(join(tmpdir(), 'stream-v2-e2e-engine-'));
  const child = spawn(process.execPath, ['demo/dist-server/server.js'], {
    cwd: root,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DEMO_DATA: data, DEMO_TAMPER: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const url = await new Promise<string>((ok, fail) => {
    const seen = (b: Buffer) => {
      text += b.toString();
      const m = /stream-v2 demo: (http:\/\/127\.0\.0\.1:\d+)\//.exec(text);
      if (m) ok(m[1] as string);
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.once('exit', (code) => fail(new Error(`the demo server exited (${code}): ${text}`)));
  });
  // Its log stays readable in a failing run: errors on stderr.
  child.stderr.on('data', (b: Buffer) => process.stderr.write(`demo server: ${b}`));
  return {
    url,
    data,
    files: async () => (await (await fetch(`${url}/api/files`)).json()) as ServerFile[],
    async stop() {
      const exited = new Promise((ok) => child.once('exit', ok));
      child.kill('SIGTERM');
      await exited;
      rmSync(data, { recursive: true, force: true });
    },
  };
}
