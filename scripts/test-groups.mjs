/**
 * Which test files run where. vite.config.ts and scripts/test-node-versions.mjs read these lists,
 * so the two cannot drift apart.
 */

/**
 * Tests of tools rather than of the library on a given Node (the bench scripts, Chromium, Deno
 * and Bun, TypeScript's view of the declarations): the machine's Node runs them; Node 22, 24 and
 * 26 leave them out (STREAM_V2_SKIP_TOOL_TESTS).
 */
export const TOOL_TESTS = [
  'test/node/bench.test.ts',
  'test/node/bench-browser.test.ts',
  'test/node/runtimes.test.ts',
  'test/node/find-chromium.test.ts',
  'test/package/types.test.ts',
  'test/package/docs.test.ts',
  'test/node/api-report.test.ts',
  'test/package/surface.test.ts',
  'test/package/sw-types.test.ts',
  'test/package/readme.test.ts',
];

/**
 * The files that meet Node itself rather than our own JavaScript: worker_threads and transfers,
 * node:crypto, files and descriptors, HTTP clients and servers, child processes and signals, the
 * packed package run by that Node, and every vector through every API. Every Node version runs
 * all of them. The other files of the Node project (the seeded property, fuzz and random-range
 * tests, argument checks, the demo's protocol, the bundlers' builds) test logic that no Node
 * version changes: the machine's Node runs them (Node 22, 24 and 26 too with STREAM_V2_NODE_ALL=1).
 */
export const EVERY_NODE_TESTS = [
  'test/shared/vectors.test.ts',
  'test/shared/envelope-crosscheck.test.ts', // the KEMs against hpke-js
  'test/shared/kem-backends.test.ts', // X25519 of node:crypto's WebCrypto
  'test/node/kem-backends.test.ts', // node:crypto's X25519, and its ML-KEM-768 where it has one

  'test/node/backends.test.ts',
  'test/node/backpressure.test.ts',
  'test/node/exit.test.ts',
  'test/node/platform.test.ts',
  'test/node/pool-budget.test.ts',
  'test/node/pool-recovery.test.ts',
  'test/node/pool-start.test.ts',
  'test/node/random-file.test.ts',
  'test/node/random-http-checks.test.ts',
  'test/node/random-http-hostile.test.ts',
  'test/node/reliability.test.ts',
  'test/node/worker-options.test.ts',
  'test/cli/concurrent.test.ts',
  'test/cli/inputs.test.ts',
  'test/cli/outfile.test.ts',
  'test/cli/resume.test.ts',
  'test/cli/roundtrip.test.ts',
  'test/cli/stdout.test.ts',
  'test/package/tarball.test.ts',
];
