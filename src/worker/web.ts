/** Web Worker entry (browsers, Deno, Bun): exposes the worker API over Comlink. */
import { expose } from 'comlink';
import { webPlatform } from '../platform/web.js';
import { createWorkerApi } from '../pool/worker-api.js';

expose(createWorkerApi(webPlatform.backends));
