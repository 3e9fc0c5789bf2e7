// Comlink ships this adapter without a declaration file under its deep path.
declare module 'comlink/dist/esm/node-adapter.mjs' {
  import type { Endpoint } from 'comlink';
  /** Wraps a worker_threads Worker or parentPort as a Comlink endpoint. */
  export default function nodeEndpoint(
    nep: import('node:worker_threads').Worker | import('node:worker_threads').MessagePort,
  ): Endpoint;
}
