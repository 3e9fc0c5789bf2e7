/**
 * The demo server: serves the built page, the tus 1.0.0 endpoint at /files/ (creation, HEAD for
 * the offset, PATCH; DELETE only with DEMO_DELETE=1), GET of each finished upload at its upload
 * URL with HTTP Range (demo/download.ts), and a small JSON API (demo/api.ts). It stores
 * ciphertext only; it never sees a key.
 *
 * Environment (demo/config.ts, README "The demo"): PORT (8080), HOST (127.0.0.1), DEMO_DATA
 * (the storage folder, demo/.data), DEMO_MAX_SIZE (1 GiB), DEMO_TAMPER=1, DEMO_DELETE=1,
 * DEMO_LIST=0.
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemoryLocker, Server } from '@tus/server';
import { fail } from './answers.js';
import { api } from './api.js';
import { type Config, ConfigError, readConfig } from './config.js';
import { download } from './download.js';
import { directPatch } from './patch.js';
import { DownloadStats } from './stats.js';
import { Files } from './store.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const PAGE = join(here, '..', 'dist'); // demo/dist, built by `npm run demo:build`
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

let config: Config;
try {
  config = readConfig(process.env, join(here, '..', '.data'));
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  console.error(`stream-v2 demo: ${e.message}`);
  process.exit(2);
}

await mkdir(config.data, { recursive: true });
const files = new Files(config.data, config.delete);
/** Bytes sent by GET of stored files: counters and the last downloads (for the range-read figures). */
const stats = new DownloadStats();

/** tus's upload locks, shared with the direct PATCH path (demo/patch.ts). */
const locker = new MemoryLocker();
const LOCK_DRAIN_MS = 3000; // tus's default lockDrainTimeout, said once for both paths

/**
 * The keyless check of a finished upload runs after the last PATCH is answered (the file list
 * says `checking` until its verdict): answering first saves the client the whole file's check,
 * about 2 s per GiB, on the critical path.
 */
function finished(id: string): void {
  files.verify(id).catch((e: unknown) => console.error(`verify ${id}:`, e));
}

const tus = new Server({
  path: '/files',
  datastore: files.store,
  locker,
  lockDrainTimeout: LOCK_DRAIN_MS,
  relativeLocation: true,
  // Checked at creation against Upload-Length (413); an upload's PATCH bodies then fit its length.
  maxSize: config.maxSize,
  onUploadFinish: async (_req, upload) => {
    setImmediate(() => finished(upload.id)); // after tus sent the answer
    return {};
  },
  onResponseError: (req, err) => {
    const status = 'status_code' in err ? err.status_code : 500;
    if (status >= 500) {
      // tus puts the error's own message in the body: the log gets it, the client does not.
      console.error(`tus ${req.method} ${new URL(req.url).pathname}:`, err);
      return { status_code: 500, body: 'Internal server error\n' };
    }
    if (status === 413 && Number(req.headers.get('upload-length')) > config.maxSize) {
      return { status_code: 413, body: `Maximum size exceeded: this server takes at most ${config.maxSize} bytes\n` };
    }
    return undefined;
  },
});

const patching = { files, locker, lockDrainMs: LOCK_DRAIN_MS, finished };

const server = createServer((req, res) => {
  route(req, res).catch((e: unknown) => {
    console.error(e);
    // The cause goes to the log; the client gets a code, not the server's insides.
    if (!res.headersSent) fail(res, 500, 'INTERNAL', 'the server failed to answer this request');
    else res.destroy();
  });
});

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  if (path.startsWith('/files/') && (req.method === 'GET' || req.method === 'HEAD') && isDownload(req)) {
    return download(req, res, files, stats, path.slice('/files/'.length));
  }
  if (path === '/files' || path.startsWith('/files/')) {
    if (req.method === 'PATCH' && (await directPatch(req, res, path.slice('/files/'.length), patching))) return;
    if (req.method === 'DELETE' && !config.delete) {
      const message = 'removing uploads is off on this server (DEMO_DELETE=1 turns it on)';
      return fail(res, 405, 'DELETE_OFF', message, { Allow: 'GET, HEAD, PATCH, OPTIONS' });
    }
    return tus.handle(req, res);
  }
  if (path.startsWith('/api/') && (await api(req, res, path, { files, stats, config }))) return;
  return staticFile(res, path);
}

/** tus HEAD requests carry Tus-Resumable; a plain GET/HEAD is a download. */
function isDownload(req: IncomingMessage): boolean {
  return req.method === 'GET' || req.headers['tus-resumable'] === undefined;
}

async function staticFile(res: ServerResponse, path: string): Promise<void> {
  const rel = normalize(path === '/' ? '/index.html' : path).replace(/^(\.\.[/\\])+/, '');
  const file = join(PAGE, rel);
  if (!file.startsWith(PAGE)) return fail(res, 404, 'NOT_FOUND', 'not found');
  try {
    if (!(await stat(file)).isFile()) throw new Error('not a file');
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(await readFile(file));
  } catch {
    fail(res, 404, 'NOT_FOUND', 'not found');
  }
}

server.listen(config.port, config.host, () => {
  const { port } = server.address() as { port: number };
  const on = [config.tamper && 'tamper', config.delete && 'DELETE', config.list && 'file list'].filter(Boolean);
  console.log(
    `stream-v2 demo: http://${config.host}:${port}/  (storage: ${config.data}; uploads up to ${config.maxSize} bytes; on: ${on.join(', ') || 'nothing optional'})`,
  );
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => server.close(() => process.exit(0)));
