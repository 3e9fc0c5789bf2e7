/**
 * The published declarations stand alone: a consumer that uses the public API type-checks
 * against the built package with `skipLibCheck: false`, under every module resolution, with
 * and without the DOM lib, on the oldest TypeScript the README states and on the current one.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Consumer, makeConsumer, root } from './packed.js';

const run = promisify(execFile);

/** Uses every public export; `run` (internal, Comlink-typed) must not be visible. */
const consumerOf = (node: boolean) => `
import {
  DEFAULTS, DecryptSegmentTransform, EncryptSegmentTransform, HEADER_SIZE, IMPLEMENTATION_ERROR_CODES, LIMITS,
  SPEC_ERROR_CODES, SUITES, StreamV2Error, WorkerPool, ciphertextSize, getDefaultPool, parseHeader,
  type DecoderLimits, type DecryptOptions, type EncoderOptions, type EncryptOptions, type ErrorCode,
  type ErrorPosition, type LayoutParams, type Progress, type Secret, type StreamHeader, type StreamOptions,
  type SuiteName, type WorkerPoolOptions,
} from 'stream-v2';
import {
  encryptBlob, httpRangeSource, openEncrypted, plaintextSize, resumeStateFrom, verifyDigests,
  type BlobEncryption, type EncryptBlobOptions, type EncryptedFile, type HttpRangeSourceOptions,
  type PlaintextRange, type RandomAccessOptions, type RandomAccessSource, type RangeSource,
  type ResumeState, type ResumeStateFromOptions, type VerifyOptions, type VerifyProgress, type VerifyResult,
} from 'stream-v2';
${node ? "import { openFile } from 'stream-v2';" : ''}

const poolOptions: WorkerPoolOptions = { size: 2, idleTimeoutMs: 100, budgetBytes: 1 << 24 };
const pool: WorkerPool = new WorkerPool(poolOptions);
void [pool.budgetBytes, pool.heldBytes, pool.peakHeldBytes];
const suite: SuiteName = SUITES[0] ?? DEFAULTS.suite;
const common: StreamOptions = { workers: pool, onProgress: (p: Progress) => void [p.segments, p.heldBytes] };
const layoutOptions: EncoderOptions = { suite, frameSize: DEFAULTS.frameSize, logN: LIMITS.logN - 10 };
const encrypt: EncryptOptions = { ...common, ...layoutOptions };
// @ts-expect-error no option chooses the salt (spec §8: a reused salt reuses nonces)
const salted: EncryptOptions = { salt: new Uint8Array(32) };
void salted;
const limits: DecoderLimits = { maxLogN: DEFAULTS.maxLogN };
const decrypt: DecryptOptions = { workers: 0, limits };
const key: Secret = new Uint8Array(32);

export function roundTrip(input: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const d = new DecryptSegmentTransform({ passphrase: 'p' }, decrypt);
  const h: StreamHeader | undefined = d.header;
  const p: Progress = d.progress;
  void [h, p];
  return input.pipeThrough(new EncryptSegmentTransform(key, encrypt)).pipeThrough(d);
}

const layout: LayoutParams = { frameSize: 1024, framesPerSegment: 4 };
const size: number = ciphertextSize(HEADER_SIZE, layout);
const header: StreamHeader = parseHeader(new Uint8Array(HEADER_SIZE));
const codes: readonly ErrorCode[] = [...SPEC_ERROR_CODES, ...IMPLEMENTATION_ERROR_CODES];
const at: ErrorPosition = { segmentIndex: 0 };
const error = new StreamV2Error('BAD_ARGUMENT', 'x', at, { cause: size });
if (StreamV2Error.is(error) && error instanceof Error) void [error.code, error.segmentIndex, header.suite, codes];
// @ts-expect-error the pool's Comlink-typed run is internal (stripInternal)
void pool.run;
void getDefaultPool().terminate();

export async function randomAccess(blob: Blob): Promise<void> {
  const httpOptions: HttpRangeSourceOptions = { idleTimeoutMs: 1000 };
  const http: RangeSource = await httpRangeSource('http://127.0.0.1/x', { headers: { a: 'b' } }, httpOptions);
  const onDisk: Blob = ${node ? "await openFile('/tmp/x.sv2')" : 'blob'};
  const source: RandomAccessSource = http.size > 0 ? http : onDisk.size > 0 ? onDisk : blob;
  const signal = new AbortController().signal;
  const options: RandomAccessOptions = { workers: 0, limits, signal };
  const file: EncryptedFile = await openEncrypted(source, key, options);
  const range: PlaintextRange = { start: 0, end: file.plaintextSize, signal };
  const plain: ReadableStream<Uint8Array> = file.stream(range);
  const bytes: Uint8Array = await file.read(0, 1, { signal });
  const blobOptions: EncryptBlobOptions = { suite, workers: pool };
  const enc: BlobEncryption = await encryptBlob(blob, key, blobOptions);
  const state: ResumeState = JSON.parse(JSON.stringify(enc.resumeState()));
  const derived: ResumeState = await resumeStateFrom(source, blob, { workers: 0, limits } as ResumeStateFromOptions);
  const again: BlobEncryption = await encryptBlob(blob, key, { workers: 0, resume: derived.version ? derived : state });
  const onProgress = (p: VerifyProgress) => void p.ciphertextBytes;
  const verify: VerifyOptions = { workers: 0, limits, onProgress };
  const result: VerifyResult = await verifyDigests(again.stream({ start: 0 }), verify);
  const found: StreamHeader | undefined = result.header;
  void [plain, bytes, result.ok, result.failure?.code, found, plaintextSize(size, layout), enc.header.salt];
  void [enc.ciphertextSize, await enc.read(0, 1)];
  file.close();
}
`;

/** Each TypeScript the README states, by package directory. */
const compilers = { minimum: 'typescript-min', current: 'typescript' };
const resolutions = {
  bundler: { module: 'esnext', moduleResolution: 'bundler' },
  node16: { module: 'node16', moduleResolution: 'node16' },
  nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
};
const libs = { node: { lib: ['es2022'], types: ['node'] }, dom: { lib: ['es2022', 'dom'], types: [] } };

/**
 * Six of the twelve combinations (each tsc takes seconds without skipLibCheck): every
 * resolution and both libs on each compiler; node16 and nodenext differ little for an ESM
 * consumer, so the DOM lib is checked once per compiler, under node16.
 */
const combos = [
  ['bundler', 'node'],
  ['node16', 'dom'],
  ['nodenext', 'node'],
] as const;
const cases = Object.entries(compilers).flatMap(([ts, pkg]) =>
  combos.map(([res, lib]) => ({ name: `${ts}-${res}-${lib}`, pkg, options: { ...resolutions[res], ...libs[lib] } })),
);

let consumer: Consumer;
const results = new Map<string, Promise<string>>();

beforeAll(() => {
  // Node resolutions get the Node entry's declarations (openFile among them); a bundler the
  // Web entry's, which has no openFile (it only works in Node).
  const files: Record<string, string> = { 'consumer-node.ts': consumerOf(true), 'consumer-web.ts': consumerOf(false) };
  for (const c of cases) {
    const compilerOptions = { target: 'es2022', strict: true, skipLibCheck: false, noEmit: true, ...c.options };
    const file = c.options.moduleResolution === 'bundler' ? 'consumer-web.ts' : 'consumer-node.ts';
    files[`tsconfig.${c.name}.json`] = JSON.stringify({ compilerOptions, files: [file] });
  }
  consumer = makeConsumer('types', files);
  // Start every compiler at once (each takes a few seconds); the tests await their own.
  for (const c of cases) {
    const tsc = join(root, 'node_modules', c.pkg, 'bin', 'tsc');
    const out = run(process.execPath, [tsc, '-p', `tsconfig.${c.name}.json`], { cwd: consumer.dir }).then(
      () => '',
      (e: { stdout?: string; message: string }) => e.stdout || e.message,
    );
    results.set(c.name, out);
  }
});

afterAll(async () => {
  await Promise.all(results.values());
  consumer?.remove();
});

// A loaded machine runs the compilers slowly: generous timeouts, no timing assertions.
it.each(cases.map((c) => c.name))(
  '%s: the consumer type-checks with skipLibCheck false',
  async (name) => {
    expect(await results.get(name)).toBe('');
  },
  240_000,
);
