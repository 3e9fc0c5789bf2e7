/** worker_threads entry: exposes the worker API over Comlink's node adapter. */
import { parentPort } from 'node:worker_threads';
import { expose } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { nodePlatform } from '../platform/node.js';
import { allocator } from '../platform/types.js';
import { Recycler } from '../pool/recycler.js';
import { createWorkerApi } from '../pool/worker-api.js';
import { readFile } from './node-file.js';

if (!parentPort) throw new Error('stream-v2 worker must run in a worker thread');
const allocate = nodePlatform.allocUninitialized;
// Files by path (openFile): the worker reads them itself, since their Blobs cannot cross.
// Plaintext to seal goes straight into its new wire buffer, a segment to open into the buffer
// its plaintext leaves in; segments only checked (keyless) into buffers recycled here.
const spare = new Recycler(2, allocator(nodePlatform));
const api = createWorkerApi(nodePlatform.backends, allocate, {
  read: readFile,
  take: spare.take,
  give: (buffer) => spare.give(buffer),
});
expose(api, nodeEndpoint(parentPort));
