/**
 * stream-v2/service-worker/page: the page side. {@link connectServiceWorker} links the page to
 * the Service Worker that controls it (which calls `serveDecrypted`), so that a stored
 * ciphertext gets a URL of its plaintext for `<video>`, `<audio>`, `<img>` or a download;
 * {@link saveDecrypted} saves a plaintext to disk at any size. Nothing happens on import.
 *
 * @packageDocumentation
 */
export type { Secret } from '../codec/keys.js';
export type { ErrorCode, ErrorPosition } from '../errors.js';
export { StreamV2Error } from '../errors.js';
export type { WorkerPool } from '../pool/pool.js';
export {
  type ConnectOptions,
  connectServiceWorker,
  type DecryptedUrl,
  type RegisterOptions,
  type ServedEvent,
  type ServiceWorkerLink,
} from './link.js';
export type { Disposition } from './protocol.js';
export { type SaveMethod, type SaveOptions, type SaveProgress, type SaveResult, saveDecrypted } from './save.js';
