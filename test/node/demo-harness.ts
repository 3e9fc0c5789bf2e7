/**
 * The demo server under test: demo/server.ts bundled by esbuild (Node 20 cannot run .ts) and run
 * as a child process on loopback, with its storage in a fresh temporary folder, so a test sees
 * the real service: its own file descriptors (/proc/<pid>/fd), its own memory, its own defaults.
 * `DEMO_SERVER_SRC` points the tests at another copy of demo/ (e.g. the code before a fix).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** Under node_modules, so the bundle's `import '@tus/…'` finds the packages as the real build does. */
const outDir = join(root, 'node_modules/.cache/stream-v2/demo-server-test');
/** The library as `npm run build` left it (a package does not resolve itself from node_modules). */
const library = pathToFileURL(join(root, 'dist/node.js')).href;
let built: Promise<string> | undefined;

/** Bundles the server once per test file; stream-v2 and @tus stay external, as in the real build. */
export function buildServer(): Promise<string> {
  built ??= (async () => {
    const src = resolve(process.env['DEMO_SERVER_SRC'] ?? join(root, 'demo'));
    mkdirSync(outDir, { recursive: true });
    const dir = mkdtempSync(join(outDir, 'build-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const outfile = join(dir, 'server.mjs');
    await build({
      entryPoints: [join(src, 'server.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      outfile,
      logLevel: 'silent',
      plugins: [
        {
          name: 'stream-v2-from-dist',
          setup: (b) => void b.onResolve({ filter: /^stream-v2$/ }, () => ({ path: library, external: true })),
        },
      ],
    });
    return outfile;
  })();
  return built;
}

/** A running demo server. */
export interface DemoServer {
  url: string;
  pid: number;
  data: string;
  /** What the server wrote to stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const port = (s.address() as { port: number }).port;
  await new Promise((ok) => s.close(ok));
  return port;
}

/** The environment without the demo's own variables, so the defaults are the defaults. */
function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(DEMO_|PORT$|HOST$)/.test(k)) out[k] = v;
  return { ...out, ...env };
}

interface Spawned {
  child: ChildProcess;
  port: number;
  data: string;
  output(): string;
  /** Resolves once the server says it listens; rejects if it exits first. */
  listening: Promise<void>;
  exited: Promise<number | null>;
}

function spawnServer(entry: string, port: number, env: Record<string, string>): Spawned {
  const data = mkdtempSync(join(tmpdir(), 'stream-v2-demo-test-'));
  const child = spawn(process.execPath, [entry], {
    env: cleanEnv({ PORT: String(port), HOST: '127.0.0.1', DEMO_DATA: data, ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  let heard = () => {};
  const listening = new Promise<void>((ok, fail) => {
    heard = ok;
    child.once('exit', (code) => fail(new Error(`the demo server exited (${code}): ${text}`)));
  });
  listening.catch(() => {}); // runToExit waits for the exit instead
  const seen = (b: Buffer) => {
    text += b.toString();
    if (text.includes('stream-v2 demo: http://')) heard();
  };
  child.stdout?.on('data', seen);
  child.stderr?.on('data', seen);
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  return { child, port, data, output: () => text, listening, exited };
}

/** Starts the server with `env` added to a clean environment; resolves once it listens. */
export async function startServer(env: Record<string, string> = {}): Promise<DemoServer> {
  const s = spawnServer(await buildServer(), await freePort(), env);
  await s.listening;
  return {
    url: `http://127.0.0.1:${s.port}`,
    pid: s.child.pid as number,
    data: s.data,
    output: s.output,
    async stop() {
      s.child.kill('SIGTERM');
      const timer = setTimeout(() => s.child.kill('SIGKILL'), 3000);
      await s.exited;
      clearTimeout(timer);
      rmSync(s.data, { recursive: true, force: true });
    },
  };
}

/**
 * Runs the server with `env` until it exits by itself (a refusal to start): its exit code and
 * output. A server that starts is stopped, and its code is then null (killed by the signal)
 * or 0.
 */
export async function runToExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const s = spawnServer(await buildServer(), await freePort(), env);
  s.listening.then(() => s.child.kill('SIGKILL')).catch(() => {});
  const code = await s.exited;
  rmSync(s.data, { recursive: true, force: true });
  return { code, output: s.output() };
}

const TUS = { 'Tus-Resumable': '1.0.0' };

/** tus creation (`metadata`: more tus metadata, e.g. the `owner` of demo/envelopes.ts): the new upload's id. */
export async function createUpload(
  base: string,
  size: number,
  name = 'test.bin',
  metadata: Record<string, string> = {},
): Promise<Response> {
  const meta = Object.entries({ filename: name, ...metadata }).map(
    ([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`,
  );
  return fetch(`${base}/files/`, {
    method: 'POST',
    headers: { ...TUS, 'Upload-Length': String(size), 'Upload-Metadata': meta.join(',') },
  });
}

/**
 * Creates an upload and sends `bytes` of it (all of them unless `sent` says fewer): its id.
 * A finished upload is returned once the server's keyless check of it is over (the server
 * answers the last PATCH first and checks after).
 */
export async function upload(
  base: string,
  bytes: Uint8Array,
  sent = bytes.length,
  metadata: Record<string, string> = {},
): Promise<string> {
  const created = await createUpload(base, bytes.length, 'test.bin', metadata);
  if (created.status !== 201) throw new Error(`tus creation answered ${created.status}`);
  const location = created.headers.get('location') as string;
  const id = location.split('/').pop() as string;
  if (sent > 0) {
    const res = await fetch(new URL(location, base), {
      method: 'PATCH',
      headers: { ...TUS, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
      body: bytes.subarray(0, sent) as Uint8Array<ArrayBuffer>,
    });
    if (res.status !== 204) throw new Error(`tus PATCH answered ${res.status}: ${await res.text()}`);
  }
  if (sent === bytes.length) await checked(base, id);
  return id;
}

/** What the server says of one stored file (GET /api/files/<id>, demo/store.ts FileInfo). */
export async function fileInfo(base: string, id: string): Promise<{ [k: string]: unknown } & FileState> {
  const res = await fetch(`${base}/api/files/${id}`);
  if (!res.ok) throw new Error(`GET /api/files/${id} answered ${res.status}`);
  return (await res.json()) as { [k: string]: unknown } & FileState;
}

/** The fields of a stored file's state the tests look at. */
export interface FileState {
  offset: number;
  size: number;
  received: number;
  checking: boolean;
  verdict?: { ok: boolean; code?: string; segments: number };
}

/** Waits until the server's keyless check of a finished upload gave its verdict. */
export async function checked(base: string, id: string, ms = 30_000): Promise<FileState> {
  const until = Date.now() + ms;
  for (;;) {
    const info = await fileInfo(base, id);
    if (!info.checking && info.verdict) return info;
    if (Date.now() > until) throw new Error(`no verdict for ${id} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Starts a GET of `url` and destroys the connection as soon as the answer's head arrived, as a
 * browser does when a person cancels a download: resolves once the socket is closed.
 */
export function abortedGet(url: string, headers: Record<string, string> = {}): Promise<void> {
  return new Promise((ok, fail) => {
    const req = request(url, { headers, agent: false }, (res) => {
      if ((res.statusCode ?? 0) >= 300) fail(new Error(`GET answered ${res.statusCode}`));
      res.socket.once('close', () => ok());
      res.destroy();
    });
    req.once('error', () => ok()); // the reset we caused
    req.end();
  });
}

/** How many of the process's open file descriptors point at `path`. */
export function openDescriptors(pid: number, path: string): number {
  const dir = `/proc/${pid}/fd`;
  let n = 0;
  for (const fd of readdirSync(dir)) {
    try {
      if (readlinkSync(join(dir, fd)) === path) n++;
    } catch {
      // closed between the listing and the look (a descriptor of another request)
    }
  }
  return n;
}

/** Polls `probe` until it returns true or `ms` passed; the last value it saw. */
export async function eventually(probe: () => boolean, ms = 5000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (probe()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return probe();
}
