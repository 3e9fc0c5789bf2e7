/**
 * The `concurrency` section: N streams at once on the default pool, 2 GiB in total (at least
 * 4 MiB each), 64 KiB input chunks, peak RSS sampled every 5 ms. Three shapes of stream-v2
 * (encrypt → decrypt pipes; `openEncrypted(...).stream()` readers; `verifyDigests` of files),
 * Node's createCipheriv and OpenPGP.js pipes beside them at the same N, and the fairness run (a
 * short stream started among many long ones).
 *
 * Each N runs in a fresh child process (RSS that one N grew would hide the next one's growth):
 * `node bench/lib/concurrency.mjs --child KIND N BYTES` prints one JSON line.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KiB, MiB, mbps, median, RssSampler, sleep } from './util.mjs';

const CHUNK = 64 * KiB;
/**
 * Stream kinds of this section: stream-v2's three; `streams`, the floor of the pipe's shape (the
 * same source through two identity TransformStreams, no crypto: what N web-stream pipes cost
 * this thread by themselves); then the peers'.
 */
export const CONCURRENCY_KINDS = ['pipe', 'read', 'verify', 'streams', 'node-gcm', 'openpgp'];

/** A pull-based stream of `total` bytes in 64 KiB views of one shared random buffer (no allocation per chunk). */
function source(total, shared) {
  let left = total;
  return new ReadableStream(
    {
      pull(c) {
        if (left <= 0) return c.close();
        const n = Math.min(CHUNK, left);
        c.enqueue(shared.subarray(0, n));
        left -= n;
      },
    },
    { highWaterMark: 0 },
  );
}

const drop = () => new WritableStream({ write() {} });

/** Makes the stored ciphertext file of `bytes` of plaintext that the `read` and `verify` kinds use. */
async function storedFile(lib, key, bytes, dir) {
  const { createWriteStream } = await import('node:fs');
  const { Writable } = await import('node:stream');
  const path = join(dir, `c-${bytes}.sv2`);
  await source(bytes, new Uint8Array(randomBytes(CHUNK)))
    .pipeThrough(new lib.EncryptSegmentTransform(key))
    .pipeTo(Writable.toWeb(createWriteStream(path)));
  return path;
}

/** One stream of `kind`, of `bytes` of plaintext. */
async function oneStream(kind, ctx, bytes) {
  const { lib, key, shared, peer, file } = ctx;
  if (kind === 'pipe') {
    return source(bytes, shared)
      .pipeThrough(new lib.EncryptSegmentTransform(key))
      .pipeThrough(new lib.DecryptSegmentTransform(key))
      .pipeTo(drop());
  }
  if (kind === 'read') {
    const f = await lib.openEncrypted(await lib.openFile(file), key);
    await f.stream().pipeTo(drop());
    return f.close();
  }
  if (kind === 'streams') {
    return source(bytes, shared).pipeThrough(new TransformStream()).pipeThrough(new TransformStream()).pipeTo(drop());
  }
  if (kind === 'verify') {
    const r = await lib.verifyDigests(await lib.openFile(file));
    if (!r.ok) throw new Error(`verifyDigests failed: ${r.failure}`);
    return;
  }
  const sealed = await peer.encrypt(source(bytes, shared));
  return (await peer.decrypt(sealed)).pipeTo(drop());
}

/** In the child: N streams of `kind` at once; peak RSS above idle and total MB/s. */
async function child(kind, n, total) {
  const lib = await import('stream-v2');
  const key = new Uint8Array(randomBytes(32));
  const shared = new Uint8Array(randomBytes(CHUNK));
  const each = Math.max(CHUNK, Math.floor(total / n / CHUNK) * CHUNK);
  const ctx = { lib, key, shared };
  let dir;
  if (kind === 'read' || kind === 'verify') {
    dir = mkdtempSync(join(tmpdir(), 'sv2-conc-'));
    ctx.file = await storedFile(lib, key, each, dir);
  } else if (kind !== 'pipe' && kind !== 'streams') {
    const { PEERS } = await import('./peers.mjs');
    ctx.peer = await PEERS[kind].load();
  }
  await lib.getDefaultPool().start();
  await oneStream(kind, ctx, Math.min(each, 8 * MiB)); // warm: the workers and the code paths
  globalThis.gc?.();
  await sleep(100);
  globalThis.gc?.();
  const idle = process.memoryUsage.rss();
  const sampler = new RssSampler(5).start();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: n }, () => oneStream(kind, ctx, each)));
  const ms = performance.now() - t0;
  const peak = sampler.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  const pool = lib.getDefaultPool();
  return {
    kind,
    n,
    bytes: each * n,
    mbps: mbps(each * n, ms),
    peakMiB: (peak - idle) / MiB,
    poolPeakMiB: pool.peakHeldBytes / MiB,
  };
}

/**
 * In the child: the fairness run. `long` pipes of 16 MiB run (each replaced as it finishes);
 * among them, one after another, `shorts` pipes of 1 MiB each. For each short pipe: its elapsed
 * time ÷ its fair share of that time (its bytes × the pipes running ÷ the total throughput then,
 * counted in segments the long pipes' decoders released, not in pipes finished: a window
 * shorter than a long pipe would otherwise see no throughput at all).
 */
async function fairness(long, shorts) {
  const lib = await import('stream-v2');
  const key = new Uint8Array(randomBytes(32));
  const shared = new Uint8Array(randomBytes(CHUNK));
  await lib.getDefaultPool().start();
  let done = 0;
  let stop = false;
  const pipe = (bytes, onBytes) => {
    let last = 0;
    const onProgress = (p) => {
      onBytes?.(p.plaintextBytes - last);
      last = p.plaintextBytes;
    };
    return source(bytes, shared)
      .pipeThrough(new lib.EncryptSegmentTransform(key))
      .pipeThrough(new lib.DecryptSegmentTransform(key, { onProgress }))
      .pipeTo(drop());
  };
  const runner = async () => {
    while (!stop)
      await pipe(16 * MiB, (n) => {
        done += n;
      });
  };
  const longs = Array.from({ length: long }, runner);
  await sleep(2000); // all running
  const ratios = [];
  for (let i = 0; i < shorts; i++) {
    const d0 = done;
    const t0 = performance.now();
    await pipe(MiB);
    const s = (performance.now() - t0) / 1000;
    // The throughput of all pipes while it ran: the long pipes' released bytes, plus its own MiB.
    const rate = (done - d0 + MiB) / s;
    const fair = (MiB * (long + 1)) / rate;
    ratios.push(s / fair);
  }
  stop = true;
  await Promise.all(longs);
  return { long, shorts, median: median(ratios), worst: Math.max(...ratios), ratios };
}

const here = fileURLToPath(import.meta.url);

/** Runs one child and returns its JSON answer. */
function runChild(args) {
  const out = execFileSync(process.execPath, ['--expose-gc', here, '--child', ...args.map(String)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  return JSON.parse(out.trim().split('\n').at(-1));
}

/**
 * The section: for each kind and N, `runs` fresh children (medians); then the fairness run.
 * @param o - `{ total, ns, kinds, runs, peerTotal, fairLong, fairShorts }`
 */
export function concurrencySection(o) {
  const rows = [];
  for (const kind of o.kinds) {
    const total = kind === 'openpgp' || kind === 'node-gcm' ? o.peerTotal : o.total;
    for (const n of o.ns) {
      const all = Array.from({ length: o.runs }, () => runChild([kind, n, total]));
      rows.push({
        kind,
        n,
        bytes: all[0].bytes,
        mbps: median(all.map((r) => r.mbps)),
        peakMiB: median(all.map((r) => r.peakMiB)),
        poolPeakMiB: median(all.map((r) => r.poolPeakMiB)),
        runs: all.map((r) => ({ mbps: r.mbps, peakMiB: r.peakMiB })),
      });
    }
  }
  const fair = o.fairShorts > 0 ? runChild(['fairness', o.fairLong, o.fairShorts]) : undefined;
  return { config: { total: o.total, peerTotal: o.peerTotal, ns: o.ns, runs: o.runs }, rows, fairness: fair };
}

if (process.argv[2] === '--child') {
  const [kind, a, b] = process.argv.slice(3);
  const r = kind === 'fairness' ? await fairness(Number(a), Number(b)) : await child(kind, Number(a), Number(b));
  console.log(JSON.stringify(r));
  process.exit(0);
}
