/**
 * stream-v2/service-worker: the Service Worker side. A worker script calls
 * {@link serveDecrypted} with its `self` and then answers requests for the URLs that pages
 * registered (`stream-v2/service-worker/page`) with decrypted, verified plaintext, with HTTP
 * Range. Nothing happens on import.
 *
 * @packageDocumentation
 */
export type { ErrorCode, ErrorPosition } from '../errors.js';
export { StreamV2Error } from '../errors.js';
export type { DecoderLimits } from '../format/header.js';
export type { RangeSource } from '../source/source.js';
export {
  type DecryptingServiceWorker,
  type FetchEventLike,
  type MessageEventLike,
  type ServeDecryptedOptions,
  type ServiceWorkerScopeLike,
  serveDecrypted,
} from './server.js';
