/** worker_threads entry: exposes the worker API over Comlink's node adapter. */
import { parentPort } from 'node:worker_threads';
import { expose } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { nodePlatform } from '../platform/node.js';
import { guardAllocator } from '../platform/types.js';
import { createWorkerApi } from '../pool/worker-api.js';
import { fileReader } from './node-file.js';

if (!parentPort) throw new Error('stream-v2 worker must run in a worker thread');
const allocate = nodePlatform.allocUninitialized;
// Files by path (openFile): the worker reads them itself, since their Blobs cannot cross.
const readFile = fileReader(guardAllocator(allocate ?? ((size) => new Uint8Array(size))));
expose(createWorkerApi(nodePlatform.backends, allocate, readFile), nodeEndpoint(parentPort));
