/** Package entry for Node: worker_threads and node:crypto. */
import { nodePlatform } from './platform/node.js';
import { setPlatform } from './platform/types.js';

setPlatform(nodePlatform);

export * from './index.js';
