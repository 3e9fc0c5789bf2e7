/** worker_threads entry: exposes the worker API over Comlink's node adapter. */
import { parentPort } from 'node:worker_threads';
import { expose } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { nodePlatform } from '../platform/node.js';
import { createWorkerApi } from '../pool/worker-api.js';

if (!parentPort) throw new Error('stream-v2 worker must run in a worker thread');
expose(createWorkerApi(nodePlatform.backends, nodePlatform.allocUninitialized), nodeEndpoint(parentPort));
