/**
 * Every `ts` code sample of the README is compiled against the built declarations and run
 * against the built package (issue 21), so the README cannot drift from the API. The names a
 * sample uses without making them (`key`, `url`, `fileFromInput`, …) get real values: a
 * ciphertext served on loopback, a Blob, files in a temporary folder.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { transformSync } from 'esbuild';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encryptBlob } from '#lib';
import { seededBytes } from '../helpers.js';
import { answerRange, startServer, type TestServer } from '../node/http-servers.js';
import { root } from './packed.js';

const run = promisify(execFile);
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const samples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
const dir = join(root, 'node_modules/.cache/stream-v2/readme-samples');

/** What a sample may use without making it: its type (to compile) and its value (to run). */
const GIVEN: Record<string, { type: string; value: string }> = {
  key: { type: 'Uint8Array', value: 'new Uint8Array(32).fill(7)' },
  file: { type: 'Blob', value: 'new Blob([plainBytes])' },
  upload: { type: 'WritableStream<Uint8Array>', value: 'new WritableStream()' },
  plaintextStream: { type: 'ReadableStream<Uint8Array>', value: 'new Blob([plainBytes]).stream()' },
  sink: { type: 'WritableStream<Uint8Array>', value: 'new WritableStream()' },
  url: { type: 'string', value: 'given.url' },
  uploadUrl: { type: 'string', value: 'given.uploadUrl' },
  fileFromInput: { type: 'Blob', value: 'new Blob([plainBytes])' },
  a: { type: 'number', value: '100' },
  b: { type: 'number', value: '5000' },
  uploaded: { type: 'number', value: '80' },
  localStorage: { type: 'Record<string, string>', value: '{}' },
  blobOrStream: { type: 'Blob', value: 'new Blob([cipherBytes])' },
};

/** The names a sample uses but does not declare itself. */
function givenTo(sample: string): string[] {
  const code = sample.replace(/\/\/.*$/gm, '');
  // Declared by the sample: `const name`, `let name`, `function name`, or inside a
  // destructuring or import list (`const { a, name } =`, `import { name } from`).
  const declares = (name: string) =>
    new RegExp(`\\b(const|let|var|function)\\s+${name}\\b`).test(code) ||
    new RegExp(`\\b(const|let|var|import)\\s*\\{[^}]*\\b${name}\\b[^}]*\\}`).test(code);
  return Object.keys(GIVEN).filter((name) => new RegExp(`\\b${name}\\b`).test(code) && !declares(name));
}

let server: TestServer;
const plain = seededBytes(3 * 1024 * 1024 + 123, 11);
let cipher: Uint8Array;

beforeAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const enc = await encryptBlob(new Blob([plain as Uint8Array<ArrayBuffer>]), new Uint8Array(32).fill(7), {
    workers: 0,
  });
  cipher = await enc.read(0, enc.ciphertextSize);
  enc.close();
  writeFileSync(join(dir, 'plain.bin'), plain);
  writeFileSync(join(dir, 'cipher.sv2'), cipher);
  // The files the Node sample opens by name.
  writeFileSync(join(dir, 'movie.mkv'), plain);
  writeFileSync(join(dir, 'movie.sv2'), cipher);
  server = await startServer();
  const partial = cipher.subarray(0, 80 + 2 * 1049221 + 1000); // two complete segments, and a bit
  server.routes.set('/c.sv2', (req, res) => answerRange(req, res, cipher));
  server.routes.set('/partial.sv2', (req, res) => answerRange(req, res, partial));
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('the README has its samples', () => {
  expect(samples.length).toBeGreaterThanOrEqual(4);
});

it('every sample compiles against the built declarations (the Node entry)', async () => {
  const files: string[] = [];
  for (const [i, sample] of samples.entries()) {
    const prelude = givenTo(sample).map((n) => `declare const ${n}: ${GIVEN[n]?.type};`);
    const f = `sample-${i}.ts`;
    writeFileSync(join(dir, f), `${prelude.join('\n')}\n${sample}\nexport {};\n`);
    files.push(f);
  }
  const compilerOptions = {
    target: 'es2022',
    module: 'esnext',
    moduleResolution: 'bundler',
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    lib: ['es2022', 'dom'],
    types: ['node'],
    typeRoots: [join(root, 'node_modules/@types')],
    paths: { 'stream-v2': [join(root, 'dist/node.d.ts')] },
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files }));
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  const out = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: dir }).then(
    () => '',
    (e: { stdout?: string; message: string }) => e.stdout || e.message,
  );
  expect(out).toBe('');
}, 120_000);

it.each(samples.map((s, i) => [i, s] as const))(
  'sample %i runs against the built package',
  async (i, sample) => {
    const given = givenTo(sample);
    const prelude = [
      "import { readFileSync } from 'node:fs';",
      "const plainBytes = readFileSync('plain.bin');",
      "const cipherBytes = readFileSync('cipher.sv2');",
      `const given = ${JSON.stringify({ url: `${server.base}/c.sv2`, uploadUrl: `${server.base}/partial.sv2` })};`,
      ...given.map((n) => `const ${n} = ${GIVEN[n]?.value};`),
    ];
    const js = transformSync(sample, { loader: 'ts', format: 'esm', target: 'es2022' }).code.replace(
      /from\s*(['"])stream-v2\1/g,
      `from ${JSON.stringify(join(root, 'dist/node.js'))}`,
    );
    const f = join(dir, `sample-${i}.mjs`);
    writeFileSync(f, `${prelude.join('\n')}\n${js}\nprocess.exit(0);\n`);
    const r = await run(process.execPath, [f], { cwd: dir }).then(
      (x) => ({ code: 0, err: x.stderr }),
      (e: { code?: number; stderr?: string }) => ({ code: e.code ?? 1, err: e.stderr ?? '' }),
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  },
  60_000,
);
