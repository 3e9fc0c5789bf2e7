/** The demo server's JSON answers, and its error answers: a code and a sentence, never a stack. */
import type { ServerResponse } from 'node:http';

/** The codes of the demo server's error answers (the README's demo section lists them). */
export type ErrorCode =
  | 'NOT_FOUND'
  | 'UPLOAD_UNFINISHED'
  | 'BAD_HEADER'
  | 'UNSUPPORTED'
  | 'LIMIT_EXCEEDED'
  | 'TAMPER_OFF'
  | 'DELETE_OFF'
  | 'LIST_OFF'
  | 'OWNER_ONLY'
  | 'ENVELOPE_TOO_LARGE'
  | 'BAD_ENVELOPE'
  | 'ENVELOPE_MISMATCH'
  | 'INTERNAL';

/** The body of every error answer of the demo's own endpoints (tus answers in tus's words). */
export interface ErrorAnswer {
  code: ErrorCode;
  message: string;
}

/** Answers `body` as JSON, never cached (the file list and verdicts change under the page). */
export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

/** Answers an error with its code and sentence. */
export function fail(
  res: ServerResponse,
  status: number,
  code: ErrorCode,
  message: string,
  headers: Record<string, string> = {},
): void {
  json(res, status, { code, message } satisfies ErrorAnswer, headers);
}
