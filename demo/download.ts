/**
 * GET and HEAD of a stored file at its upload URL: finished uploads only, one HTTP Range at a
 * time (demo/range.ts), streamed from the file with backpressure. The bytes an unfinished
 * upload holds so far are served apart, at /api/files/<id>/received, for a page that lost its
 * resume state to derive it from them (resumeStateFrom, keyless).
 */
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { fail } from './answers.js';
import { parseRange } from './range.js';
import type { DownloadStats } from './stats.js';
import type { Files } from './store.js';

/**
 * Answers a download of upload `id`; counts what it sends in `stats`.
 *
 * @param received - serve the bytes stored so far, finished or not (their size is the offset)
 */
export async function download(
  req: IncomingMessage,
  res: ServerResponse,
  files: Files,
  stats: DownloadStats | undefined,
  id: string,
  received = false,
): Promise<void> {
  const info = await files.info(id);
  const path = files.path(id);
  if (!info || !path) return fail(res, 404, 'NOT_FOUND', 'no such file');
  // Bytes of an upload still under way are not the file: a 200 of them would pass for all of it.
  if (!info.finished && !received) {
    return fail(res, 409, 'UPLOAD_UNFINISHED', `the upload is not finished (${info.offset} of ${info.size} bytes)`);
  }
  // tus only appends, so the first `offset` bytes stay as they are while the upload goes on.
  const size = received ? info.offset : info.size;
  const headers: Record<string, string | number> = {
    'Accept-Ranges': 'bytes',
    'Content-Type': 'application/octet-stream',
    'Cache-Control': 'no-store',
  };
  const range = req.headers.range;
  const answer = parseRange(range, size);
  if (answer.kind === 'unsatisfiable') {
    res.writeHead(416, { 'Content-Range': `bytes */${size}`, 'Cache-Control': 'no-store' });
    return void res.end();
  }
  const { start, end } = answer.kind === 'part' ? answer : { start: 0, end: size };
  if (answer.kind === 'part') headers['Content-Range'] = `bytes ${start}-${end - 1}/${size}`;
  headers['Content-Length'] = end - start;
  res.writeHead(answer.kind === 'part' ? 206 : 200, headers);
  if (req.method === 'HEAD' || end === start) return void res.end();
  stats?.record(id, range, end - start);
  // pipeline, not pipe: when the client goes away mid-answer, pipe leaves the file open (one
  // descriptor per cut download); pipeline destroys the read stream, which closes it.
  await pipeline(createReadStream(path, { start, end: end - 1 }), res).catch((e: unknown) => {
    if ((e as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') console.error(`download ${id}:`, e);
  });
}
