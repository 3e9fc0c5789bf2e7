/**
 * The demo server: serves the built page, the tus 1.0.0 endpoint at /files/ (creation, HEAD for
 * the offset, PATCH), GET of each stored file at its upload URL with HTTP Range (206,
 * Content-Range, Accept-Ranges), and a small JSON API (file list with the keyless verdict,
 * byte counters, and the demo-only tamper switch). It stores ciphertext only; it never sees a key.
 *
 * Environment: PORT (default 8080), HOST (default 127.0.0.1), DEMO_DATA (storage folder),
 * DEMO_TAMPER=0 to turn the tamper switch off.
 */
import { createReadStream } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { Server } from '@tus/server';
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
    if (!res.headersSent) json(res, 500, { error: String(e) });
    else res.destroy();
  });
});

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  if (path.startsWith('/files/') && (req.method === 'GET' || req.method === 'HEAD') && isDownload(req)) {
    return download(req, res, path.slice('/files/'.length));
  }
  if (path === '/files' || path.startsWith('/files/')) return tus.handle(req, res);
  if (path === '/api/files' && req.method === 'GET') return json(res, 200, await files.list());
  if (path === '/api/stats' && req.method === 'GET') return json(res, 200, { ...stats.toJSON(), tamper: TAMPER });
  const m = /^\/api\/files\/([0-9a-f]+)\/(verify|tamper)$/.exec(path);
  if (m && req.method === 'POST') {
    const id = m[1] as string;
    if (!(await files.info(id))) return json(res, 404, { error: 'no such file' });
    if (m[2] === 'verify') return json(res, 200, await files.verify(id));
    if (!TAMPER) return json(res, 403, { error: 'tampering is off (DEMO_TAMPER=0)' });
    const at = await files.tamper(id);
    return json(res, 200, { flipped: at, verdict: await files.verify(id) });
  }
  return staticFile(res, path);
}

/** tus HEAD requests carry Tus-Resumable; a plain GET/HEAD is a download. */
function isDownload(req: IncomingMessage): boolean {
  return req.method === 'GET' || req.headers['tus-resumable'] === undefined;
}

/** GET of a stored file with a single HTTP Range (RFC 9110 §14). */
async function download(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
  const info = await files.info(id);
  const path = files.path(id);
  if (!info || !path) return json(res, 404, { error: 'no such file' });
  const size = info.offset;
  const headers: Record<string, string | number> = {
    'Accept-Ranges': 'bytes',
    'Content-Type': 'application/octet-stream',
    'Cache-Control': 'no-store',
  };
  let start = 0;
  let end = size; // exclusive
  let status = 200;
  const range = req.headers.range;
  if (range) {
    const r = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
    const a = r?.[1] ?? '';
    const b = r?.[2] ?? '';
    if (!r || (a === '' && b === '')) return unsatisfiable(res, size);
    if (a === '') {
      start = Math.max(0, size - Number(b)); // suffix: the last b bytes
    } else {
      start = Number(a);
      if (b !== '') end = Math.min(size, Number(b) + 1);
    }
    if (start >= size || start >= end) return unsatisfiable(res, size);
    status = 206;
    headers['Content-Range'] = `bytes ${start}-${end - 1}/${size}`;
  }
  headers['Content-Length'] = end - start;
  res.writeHead(status, headers);
  if (req.method === 'HEAD' || end === start) return void res.end();
  stats.record(id, range, end - start);
  // pipeline, not pipe: when the client goes away mid-answer, pipe leaves the file open (one
  // descriptor per cut download); pipeline destroys the read stream, which closes it.
  await pipeline(createReadStream(path, { start, end: end - 1 }), res).catch((e: unknown) => {
    if ((e as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') console.error(`download ${id}:`, e);
  });
}

function unsatisfiable(res: ServerResponse, size: number): void {
  res.writeHead(416, { 'Content-Range': `bytes */${size}` });
  res.end();
}

async function staticFile(res: ServerResponse, path: string): Promise<void> {
  const rel = normalize(path === '/' ? '/index.html' : path).replace(/^(\.\.[/\\])+/, '');
  const file = join(PAGE, rel);
  if (!file.startsWith(PAGE)) return json(res, 404, { error: 'not found' });
  try {
    if (!(await stat(file)).isFile()) throw new Error('not a file');
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(await readFile(file));
  } catch {
    json(res, 404, { error: 'not found' });
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';
server.listen(port, host, () => {
  console.log(`stream-v2 demo: http://${host}:${port}/  (storage: ${DATA})`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => server.close(() => process.exit(0)));
