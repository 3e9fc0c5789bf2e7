/**
 * The demo server's JSON API under /api/: the file list and one file's state (with the keyless
 * verdict), the download figures, the settings the page needs, the keyless check on demand, the
 * bytes an unfinished upload holds so far, the key envelope of a file encrypted to recipients
 * (demo/envelopes.ts), and the tamper switch (off unless DEMO_TAMPER=1).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamV2Error } from 'stream-v2';
import { fail, json } from './answers.js';
import { type Config, publicConfig } from './config.js';
import { download } from './download.js';
import { envelope } from './envelopes.js';
import type { DownloadStats } from './stats.js';
import type { Files } from './store.js';

const ONE = /^\/api\/files\/([0-9a-f]+)$/;
const ACTION = /^\/api\/files\/([0-9a-f]+)\/(verify|tamper)$/;
const RECEIVED = /^\/api\/files\/([0-9a-f]+)\/received$/;
const ENVELOPE = /^\/api\/files\/([0-9a-f]+)\/envelope$/;

/**
 * Answers `req` if `path` is one of the API's; false if it is not (the caller serves the page).
 */
export async function api(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  ctx: { files: Files; stats: DownloadStats; config: Config },
): Promise<boolean> {
  const { files, stats, config } = ctx;
  if (req.method === 'GET' && path === '/api/files') {
    // The ids are the only thing between anyone and the ciphertext: a list hands them out.
    if (!config.list) fail(res, 403, 'LIST_OFF', 'the file list is off on this server (DEMO_LIST=0)');
    else json(res, 200, await files.list());
    return true;
  }
  if (req.method === 'GET' && path === '/api/stats') {
    json(res, 200, { ...stats.toJSON(), tamper: config.tamper });
    return true;
  }
  if (req.method === 'GET' && path === '/api/config') {
    json(res, 200, publicConfig(config));
    return true;
  }
  const one = ONE.exec(path);
  if (req.method === 'GET' && one) {
    const info = await files.info(one[1] as string);
    if (info) json(res, 200, info);
    else fail(res, 404, 'NOT_FOUND', 'no such file');
    return true;
  }
  const received = RECEIVED.exec(path);
  if ((req.method === 'GET' || req.method === 'HEAD') && received) {
    // Not a download of the file (no stats): what a page that lost its resume state derives it from.
    await download(req, res, files, undefined, received[1] as string, true);
    return true;
  }
  const sealed = ENVELOPE.exec(path);
  if ((req.method === 'GET' || req.method === 'HEAD' || req.method === 'PUT') && sealed) {
    await envelope(req, res, files, sealed[1] as string);
    return true;
  }
  const action = ACTION.exec(path);
  if (req.method === 'POST' && action) {
    await check(res, files, config, action[1] as string, action[2] as 'verify' | 'tamper');
    return true;
  }
  return false;
}

/** POST /api/files/<id>/verify or /tamper: finished uploads only. */
async function check(res: ServerResponse, files: Files, config: Config, id: string, what: 'verify' | 'tamper') {
  const info = await files.info(id);
  if (!info) return fail(res, 404, 'NOT_FOUND', 'no such file');
  if (what === 'tamper' && !config.tamper) {
    return fail(res, 403, 'TAMPER_OFF', 'tampering is off on this server (DEMO_TAMPER=1 turns it on)');
  }
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
