/**
 * The messages between a page (`stream-v2/service-worker/page`) and the Service Worker
 * (`stream-v2/service-worker`). The page posts `register`, `revoke` and `ping` to the worker; a
 * `register` transfers one port of a fresh MessageChannel, on which the worker then answers and
 * reports every response it serves for that id. The worker posts `unknown` to its window clients
 * when it is asked for an id it does not hold (it was restarted and lost it): the page that
 * registered it registers it again. Secrets travel only inside `register`, never in a URL.
 */
import type { Secret } from '../codec/keys.js';
import { type ErrorCode, StreamV2Error } from '../errors.js';

/** Marks a message of this protocol (other messages are left to the worker's own code). */
export const TAG = 'stream-v2/service-worker@1';

/** An id: 128 random bits in hex (the page draws it; unguessable, never the key). */
export const ID = /^[0-9a-f]{32}$/;

/** How a response offers the plaintext: a download, or inline (media elements, images). */
export type Disposition = 'attachment' | 'inline';

/** Page → worker: hold `secret` for `id` until `expiresAt`; ports[0] is the registration's port. */
export interface RegisterMessage {
  readonly tag: typeof TAG;
  readonly type: 'register';
  readonly id: string;
  /** The ciphertext's absolute URL (read with Range requests by the worker). */
  readonly url: string;
  /** Extra request headers for the ciphertext (Authorization...), never the key. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly credentials: RequestCredentials | undefined;
  readonly secret: Secret;
  /** Epoch ms after which new requests are refused. */
  readonly expiresAt: number;
  readonly contentType: string;
  readonly disposition: Disposition;
  readonly filename: string | undefined;
}

/** Page → worker: forget `id` now (responses still going fail with ABORTED). */
export interface RevokeMessage {
  readonly tag: typeof TAG;
  readonly type: 'revoke';
  readonly id: string;
}

/** Page → worker: keeps a worker with responses under way from being stopped as idle. */
export interface PingMessage {
  readonly tag: typeof TAG;
  readonly type: 'ping';
}

export type PageMessage = RegisterMessage | RevokeMessage | PingMessage;

/** Worker → window clients: a request came for `id`, which this worker does not hold. */
export interface UnknownMessage {
  readonly tag: typeof TAG;
  readonly type: 'unknown';
  readonly id: string;
}

/** A StreamV2Error as it crosses a port. */
export interface ErrorData {
  readonly code: ErrorCode;
  /** The message without its code prefix and position suffix. */
  readonly detail: string;
  readonly segmentIndex?: number | undefined;
  readonly frameIndex?: number | undefined;
}

/** Worker → page, on a registration's port. `request` numbers the responses of one id. */
export type PortEvent =
  | { readonly type: 'registered'; readonly plaintextSize: number }
  | { readonly type: 'refused'; readonly error: ErrorData }
  | { readonly type: 'revoked' }
  | {
      readonly type: 'start';
      readonly request: number;
      readonly status: number;
      readonly start: number;
      readonly end: number;
    }
  | { readonly type: 'progress'; readonly request: number; readonly sent: number }
  | { readonly type: 'done'; readonly request: number; readonly sent: number }
  | { readonly type: 'failed'; readonly request: number; readonly sent: number; readonly error: ErrorData }
  | { readonly type: 'cancelled'; readonly request: number; readonly sent: number };

/** Whether `data` is a message of this protocol. */
export function isProtocolMessage(data: unknown): data is { tag: typeof TAG; type: string } {
  return typeof data === 'object' && data !== null && (data as { tag?: unknown }).tag === TAG;
}

/** A StreamV2Error (or anything thrown) as it crosses a port; the key never is in a message. */
export function errorData(e: unknown): ErrorData {
  const err = StreamV2Error.is(e)
    ? e
    : new StreamV2Error('SOURCE_FAILED', e instanceof Error ? e.message : String(e), {}, { cause: e });
  let detail = err.message;
  if (detail.startsWith(`${err.code}: `)) detail = detail.slice(err.code.length + 2);
  const where = positionText(err.segmentIndex, err.frameIndex);
  if (where && detail.endsWith(where)) detail = detail.slice(0, -where.length);
  return { code: err.code, detail, segmentIndex: err.segmentIndex, frameIndex: err.frameIndex };
}

/** The StreamV2Error an {@link ErrorData} stands for. */
export function errorFrom(data: ErrorData): StreamV2Error {
  return new StreamV2Error(data.code, data.detail, { segmentIndex: data.segmentIndex, frameIndex: data.frameIndex });
}

function positionText(segment: number | undefined, frame: number | undefined): string {
  if (segment === undefined) return '';
  return frame === undefined ? ` (segment ${segment})` : ` (segment ${segment}, frame ${frame})`;
}
