/**
 * The header fields of the Service Worker's answers: the plaintext's representation (type,
 * length, disposition with a file name, ranges) and the answers that carry an error code.
 */
import type { Disposition, ErrorData } from './protocol.js';

/** What a registration says of the plaintext it serves. */
export interface Representation {
  readonly size: number;
  readonly contentType: string;
  readonly disposition: Disposition;
  readonly filename: string | undefined;
  /** A strong validator for If-Range (the registration's id: one id, one plaintext). */
  readonly etag: string;
}

/** The header field that names an error's code on the worker's error answers. */
export const ERROR_HEADER = 'X-Stream-V2-Error';

/**
 * `Content-Disposition` (RFC 6266) with the file name as an ASCII fallback (`filename`, other
 * characters as `_`) and in full as UTF-8 (`filename*`, RFC 8187).
 */
export function contentDisposition(disposition: Disposition, filename: string | undefined): string {
  if (filename === undefined || filename === '') return disposition;
  const ascii = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const utf8 = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}

/** The fields of a 200 (whole) or 206 (`[start, end)`) answer. */
export function representationHeaders(r: Representation, part?: { start: number; end: number }): Headers {
  const h = new Headers({
    'Accept-Ranges': 'bytes',
    'Content-Type': r.contentType,
    'Content-Disposition': contentDisposition(r.disposition, r.filename),
    'Content-Length': String(part ? part.end - part.start : r.size),
    'Cache-Control': 'no-store',
    ETag: r.etag,
    'X-Content-Type-Options': 'nosniff',
  });
  if (part) h.set('Content-Range', `bytes ${part.start}-${part.end - 1}/${r.size}`);
  return h;
}

/** 416: the range selects nothing of a representation of `size` bytes. */
export function unsatisfiable(size: number): Response {
  return new Response(null, {
    status: 416,
    headers: { 'Content-Range': `bytes */${size}`, 'Accept-Ranges': 'bytes', 'Cache-Control': 'no-store' },
  });
}

/** The HTTP status that best names a code the worker could not serve a request with. */
export function statusOf(code: ErrorData['code']): number {
  switch (code) {
    case 'NOT_REGISTERED':
      return 404;
    case 'WRONG_KEY':
      return 403;
    case 'BAD_ARGUMENT':
      return 400;
    case 'ABORTED':
      return 503;
    case 'SOURCE_FAILED':
    case 'SOURCE_CHANGED':
      return 502;
    default:
      return 422; // the ciphertext itself: a spec §7 code
  }
}

/**
 * An error answer: the code in {@link ERROR_HEADER} and a JSON body `{ code, message,
 * segmentIndex }` that a page's `fetch` can read (a media element only sees that it failed).
 */
export function errorResponse(error: ErrorData, status = statusOf(error.code)): Response {
  const body = JSON.stringify({ code: error.code, message: error.detail, segmentIndex: error.segmentIndex });
  return new Response(body, {
    status,
    headers: {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-store',
      [ERROR_HEADER]: error.code,
    },
  });
}
