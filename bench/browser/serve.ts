/**
 * The bench's Service Worker rows (docs/BENCHMARKS.md, Browser, Service Worker): reading a
 * stored ciphertext over HTTP, through `openEncrypted(httpRangeSource(url)).stream()` in the page
 * (the default pool, and `workers: 0`), through stream-v2/service-worker (decryption in the
 * worker, `workers: 0`), and through the worker forwarding to the page's pool; the rows rotate
 * each round. Then a media element's seek to 75 %, counted at the server.
 */
import { httpRangeSource, openEncrypted, WorkerPool } from '../../src/browser.js';
import { connectServiceWorker, type ServiceWorkerLink, saveDecrypted } from '../../src/service-worker/page.js';
import { busyCores, mbps, median, pairedRatio, type Timed, timeDrain } from './measure.js';

export interface ServeConfig {
  /** Plaintext bytes read per run (a prefix of the stored file). */
  bytes: number;
  runs: number;
  keyHex: string;
  /** The stored ciphertext and the stored WAV's ciphertext, and the WAV's key. */
  cipherUrl: string;
  mediaUrl: string;
}

export interface ServeRow {
  id: string;
  mbps: number;
  runs: number[];
  cores: Record<string, number>;
}

const fromHex = (h: string) => Uint8Array.from(h.match(/../g) as string[], (x) => Number.parseInt(x, 16));
/** Bytes the bench server sent for `name` so far (run.mjs). */
const sentBytes = async (name: string) =>
  ((await (await fetch(`/bytes?name=${name}`)).json()) as { sent: number }).sent;

async function link(): Promise<ServiceWorkerLink> {
  const registration = await navigator.serviceWorker.register('./sw.js', { type: 'module', scope: './' });
  return connectServiceWorker({ registration });
}

async function runServe(c: ServeConfig) {
  const key = fromHex(c.keyHex);
  const pool = new WorkerPool();
  const sw = await link();
  const url = await sw.register(c.cipherUrl, key, { disposition: 'attachment' });
  // The other design: the page decrypts on its pool, the worker forwards its stream.
  const forward = new MessageChannel();
  forward.port1.onmessage = async (m: MessageEvent<{ range: string | null }>) => {
    const reply = m.ports[0] as MessagePort;
    const end = Number(/bytes=0-(\d+)/.exec(m.data.range ?? '')?.[1] ?? c.bytes - 1) + 1;
    const file = await openEncrypted(await httpRangeSource(c.cipherUrl), key, { workers: pool });
    const stream = file.stream({ start: 0, end });
    reply.postMessage({ stream, length: end }, [stream as unknown as Transferable]);
  };
  navigator.serviceWorker.controller?.postMessage({ type: 'bench-page-pool' }, [forward.port2]);
  const range = { Range: `bytes=0-${c.bytes - 1}` };
  const body = async (u: string) => (await fetch(u, { headers: range })).body as ReadableStream<Uint8Array>;
  const page = (workers: number | InstanceType<typeof WorkerPool>) => async () =>
    (await openEncrypted(await httpRangeSource(c.cipherUrl), key, { workers })).stream({ start: 0, end: c.bytes });
  const rows: Array<[string, () => Promise<ReadableStream<Uint8Array>>]> = [
    ['page-pool', page(pool)],
    ['page-w0', page(0)],
    ['sw', () => body(url.url)],
    ['sw-page-pool', () => body('/page-pool')],
  ];
  const times = new Map<string, number[]>();
  const cores = new Map<string, Record<string, number>[]>();
  for (const [, make] of rows) await timeDrain(make, c.bytes); // warm-up: pools, JIT, the worker
  for (let round = 0; round < c.runs; round++) {
    for (const [id, make] of [...rows.slice(round % rows.length), ...rows.slice(0, round % rows.length)]) {
      const t: Timed = await timeDrain(make, c.bytes);
      times.set(id, [...(times.get(id) ?? []), mbps(c.bytes, t.ms)]);
      cores.set(id, [...(cores.get(id) ?? []), busyCores(t)]);
    }
    console.log(`[bench] serve round ${round + 1}/${c.runs} done`);
  }
  const result: ServeRow[] = rows.map(([id]) => {
    const runs = times.get(id) as number[];
    const cs = cores.get(id) as Record<string, number>[];
    const keys = new Set(cs.flatMap((x) => Object.keys(x)));
    const med = Object.fromEntries([...keys].map((k) => [k, Math.round(median(cs.map((x) => x[k] ?? 0)) * 100) / 100]));
    return { id, mbps: median(runs), runs, cores: med };
  });
  const r = (a: string, b: string) => pairedRatio(times.get(a) as number[], times.get(b) as number[]);
  const ratios = {
    'sw/page-w0': r('sw', 'page-w0'),
    'sw/page-pool': r('sw', 'page-pool'),
    'sw-page-pool/page-pool': r('sw-page-pool', 'page-pool'),
  };
  const seek = [];
  for (let i = 0; i < c.runs; i++) seek.push(await seekOnce(sw, c.mediaUrl, key));
  url.revoke();
  sw.close();
  pool.terminate();
  return { rows: result, ratios, poolSize: pool.size, seek };
}

/** One seek to 75 % of the stored WAV: range requests to the worker, bytes the server sent, covering segments. */
async function seekOnce(sw: ServiceWorkerLink, mediaUrl: string, key: Uint8Array) {
  const ranges = new Map<number, [number, number]>();
  const d = await sw.register(mediaUrl, key, {
    type: 'audio/wav',
    onEvent: (e) => {
      if (e.type === 'start') ranges.set(e.request, [e.start, 0]);
      else {
        const r = ranges.get(e.request);
        if (r) r[1] = e.sent;
      }
    },
  });
  const audio = document.createElement('audio');
  audio.preload = 'metadata';
  audio.src = d.url;
  document.body.append(audio);
  await new Promise((ok) => audio.addEventListener('loadedmetadata', ok, { once: true }));
  await new Promise((ok) => setTimeout(ok, 1000));
  const before = new Map([...ranges].map(([n, [a, b]]) => [n, [a, b] as const]));
  const server0 = await sentBytes('media');
  await new Promise((ok) => {
    audio.addEventListener('seeked', ok, { once: true });
    audio.currentTime = audio.duration * 0.75;
  });
  await new Promise((ok) => setTimeout(ok, 300));
  const fetched = (await sentBytes('media')) - server0;
  const S = 2 ** 20;
  let requests = 0;
  let covering = 0;
  for (const [n, [start, sent]] of ranges) {
    const was = before.get(n)?.[1] ?? 0;
    if (!before.has(n)) requests++;
    if (sent > was) covering += Math.floor((start + sent - 1) / S) - Math.floor((start + was) / S) + 1;
  }
  audio.remove();
  d.revoke();
  return { requests, fetched, covering };
}

(globalThis as unknown as { runServe: typeof runServe }).runServe = runServe;

/** Saves the stored ciphertext through the worker as a download (run.mjs watches it and the memory). */
async function saveThroughWorker(c: { cipherUrl: string; keyHex: string }): Promise<number> {
  const r = await saveDecrypted(c.cipherUrl, fromHex(c.keyHex), {
    filename: 'bench.bin',
    picker: false,
    link: await link(),
  });
  return r.bytes;
}
(globalThis as unknown as { saveThroughWorker: typeof saveThroughWorker }).saveThroughWorker = saveThroughWorker;

/** Starts the floor download (sw.ts `/floor`) in a hidden frame, as saveDecrypted does. */
function downloadFloor(bytes: number): void {
  const frame = document.createElement('iframe');
  frame.hidden = true;
  frame.src = `/floor?bytes=${bytes}`;
  document.body.append(frame);
}
(globalThis as unknown as { downloadFloor: typeof downloadFloor }).downloadFloor = downloadFloor;
