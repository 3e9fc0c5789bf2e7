/** Package entry for browsers, Deno and Bun: Web Workers and WebCrypto. */
import { setPlatform } from './platform/types.js';
import { webPlatform } from './platform/web.js';

setPlatform(webPlatform);

export * from './index.js';
