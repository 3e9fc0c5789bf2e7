/**
 * The declarations of stream-v2/service-worker and stream-v2/service-worker/page stand alone:
 * a Service Worker script typed with TypeScript's WebWorker lib passes its own `self` and
 * events, and a page typed with the DOM lib uses the page side, with `skipLibCheck: false`,
 * under bundler and node16 resolution.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Consumer, makeConsumer, root } from './packed.js';

const run = promisify(execFile);

const worker = `
import { serveDecrypted, StreamV2Error, type DecryptingServiceWorker, type ServeDecryptedOptions } from 'stream-v2/service-worker';
declare const self: ServiceWorkerGlobalScope;
const options: ServeDecryptedOptions = { prefix: '/x/', reregisterTimeoutMs: 1000, limits: { maxLogN: 17 } };
const server: DecryptingServiceWorker = serveDecrypted(self, options);
self.addEventListener('fetch', (e: FetchEvent) => void server.handleFetch(e));
self.addEventListener('message', (e: ExtendableMessageEvent) => void server.handleMessage(e));
server.listen();
void [server.prefix, new StreamV2Error('NOT_REGISTERED', 'x').code];
`;

const page = `
import {
  connectServiceWorker, saveDecrypted, StreamV2Error, type DecryptedUrl, type RegisterOptions, type SaveResult,
  type ServedEvent, type ServiceWorkerLink,
} from 'stream-v2/service-worker/page';
export async function use(video: HTMLVideoElement): Promise<void> {
  const link: ServiceWorkerLink = await connectServiceWorker({ timeoutMs: 1000 });
  const onEvent = (e: ServedEvent) => void (e.type === 'failed' ? e.error.segmentIndex : e.request);
  const options: RegisterOptions = { type: 'video/webm', disposition: 'inline', expiresInMs: 1000, onEvent };
  const url: DecryptedUrl = await link.register('/f', new Uint8Array(32), options);
  video.src = url.url;
  const saved: SaveResult = await saveDecrypted('/f', { passphrase: 'p' }, { filename: 'a', link, maxBlobBytes: 1 });
  void [saved.method, url.plaintextSize, StreamV2Error.is(saved)];
  url.revoke();
  link.close();
}
`;

const cases = {
  'worker-bundler': { file: 'worker.ts', lib: ['es2022', 'webworker'], module: 'esnext', moduleResolution: 'bundler' },
  'worker-node16': { file: 'worker.ts', lib: ['es2022', 'webworker'], module: 'node16', moduleResolution: 'node16' },
  'page-bundler': { file: 'page.ts', lib: ['es2022', 'dom'], module: 'esnext', moduleResolution: 'bundler' },
  'page-node16': { file: 'page.ts', lib: ['es2022', 'dom'], module: 'node16', moduleResolution: 'node16' },
};

let consumer: Consumer;
const results = new Map<string, Promise<string>>();

beforeAll(() => {
  const files: Record<string, string> = { 'worker.ts': worker, 'page.ts': page };
  for (const [name, c] of Object.entries(cases)) {
    const { file, ...o } = c;
    const compilerOptions = { target: 'es2022', strict: true, skipLibCheck: false, noEmit: true, types: [], ...o };
    files[`tsconfig.${name}.json`] = JSON.stringify({ compilerOptions, files: [file] });
  }
  consumer = makeConsumer('sw-types', files);
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const name of Object.keys(cases)) {
    const out = run(process.execPath, [tsc, '-p', `tsconfig.${name}.json`], { cwd: consumer.dir }).then(
      () => '',
      (e: { stdout?: string; message: string }) => e.stdout || e.message,
    );
    results.set(name, out);
  }
});

afterAll(async () => {
  await Promise.all(results.values());
  consumer?.remove();
});

it.each(Object.keys(cases))(
  '%s type-checks',
  async (name) => {
    expect(await results.get(name)).toBe('');
  },
  120_000,
);
