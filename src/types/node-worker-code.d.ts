// Made by the build (vite.config.ts, nodeWorkerCode): the bundled Node worker's source.
declare module 'virtual:node-worker-code' {
  /** The Node worker (src/worker/node.ts) with its dependencies, as one ES module's source. */
  const code: string;
  export default code;
}
