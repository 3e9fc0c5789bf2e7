/**
 * The demo server: serves the built page, the tus 1.0.0 endpoint at /files/ (creation, HEAD for
 * the offset, PATCH), GET of each stored file at its upload URL with HTTP Range (206,
 * Content-Range, Accept-Ranges), and a small JSON API (file list with the keyless verdict,
 * byte counters, and the demo-only tamper switch). It stores ciphertext only; it never sees a key.
 *
 * Environment: PORT (default 8080), HOST (default 127.0.0.1), DEMO_DATA (storage folder),
 * DEMO_TAMPER=0 to turn the tamper switch off.
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Server } from '@tus/server';
import { StreamV2Error } from 'stream-v2';
import { fail, json } from './answers.js';
import { download } from './download.js';
import { DownloadStats } from './stats.js';
import { Files } from './store.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const PAGE = join(here, '..', 'dist'); // demo/dist, built by `npm run demo:build`
const DATA = process.env.DEMO_DATA ?? join(here, '..', '.data');
const TAMPER = process.env.DEMO_TAMPER !== '0';
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

await mkdir(DATA, { recursive: true });
const files = new Files(DATA);
/** Bytes sent by GET of stored files: counters and the last downloads (for the range-read figures). */
const stats = new DownloadStats();

const tus = new Server({
  path: '/files',
  datastore: files.store,
  relativeLocation: true,
  // The keyless check runs before the last PATCH is answered, so the verdict is there when the
  // page sees the upload finish.
  onUploadFinish: async (_req, upload) => {
    await files.verify(upload.id).catch((e: unknown) => console.error(`verify ${upload.id}:`, e));
    return {};
  },
});

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
  if (path === '/files' || path.startsWith('/files/')) return tus.handle(req, res);
  if (path === '/api/files' && req.method === 'GET') return json(res, 200, await files.list());
  if (path === '/api/stats' && req.method === 'GET') return json(res, 200, { ...stats.toJSON(), tamper: TAMPER });
  const m = /^\/api\/files\/([0-9a-f]+)\/(verify|tamper)$/.exec(path);
  if (m && req.method === 'POST') return check(res, m[1] as string, m[2] as 'verify' | 'tamper');
  return staticFile(res, path);
}

/** POST /api/files/<id>/verify or /tamper: finished uploads only. */
async function check(res: ServerResponse, id: string, what: 'verify' | 'tamper'): Promise<void> {
  const info = await files.info(id);
  if (!info) return fail(res, 404, 'NOT_FOUND', 'no such file');
  if (what === 'tamper' && !TAMPER) return fail(res, 403, 'TAMPER_OFF', 'tampering is off (DEMO_TAMPER=0)');
  // An unfinished upload has no verdict yet (it would read TRUNCATED) and no segment to flip.
  if (!info.finished) {
    return fail(res, 409, 'UPLOAD_UNFINISHED', `the upload is not finished (${info.offset} of ${info.size} bytes)`);
  }
  if (what === 'verify') return json(res, 200, await files.verify(id));
  let at: number;
  try {
    at = await files.tamper(id);
  } catch (e) {
    // The header says where the segments are; a file that is no stream-v2 file has none.
    if (!StreamV2Error.is(e)) throw e;
    const code = e.code === 'UNSUPPORTED' || e.code === 'LIMIT_EXCEEDED' ? e.code : 'BAD_HEADER';
    return fail(res, 422, code, `not a stream-v2 file this server can tamper with: ${e.message}`);
  }
  return json(res, 200, { flipped: at, verdict: await files.verify(id) });
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

const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';
server.listen(port, host, () => {
  console.log(`stream-v2 demo: http://${host}:${port}/  (storage: ${DATA})`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => server.close(() => process.exit(0)));
