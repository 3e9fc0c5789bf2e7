/**
 * The `--before REV` A/B of the Node bench: the library as it was at REV (its sources, exported
 * with `git archive` and built with this checkout's tools) against this build, in one process,
 * one stream on each build's default pool: encrypt, decrypt and the encrypt → decrypt pipe,
 * rounds in alternating order (the second of two runs in a row is not always the same build),
 * paired ratios, and the main thread's CPU seconds per GiB (Linux: /proc/self/task/PID/stat).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chunkStream, countingSink, GiB, generatedStream, KiB, mbps, median, pairedRatio } from './util.mjs';

/** Builds REV's library in node_modules/.cache and returns the URL of its Node entry. */
export function buildBefore(root, rev) {
  const dir = join(root, 'node_modules/.cache/stream-v2/bench-before-node');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = ['src', 'vite.config.ts', 'tsconfig.json', 'package.json', 'scripts'];
  const tar = execFileSync('git', ['archive', '--format=tar', rev, ...files], { cwd: root, maxBuffer: 1 << 28 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build'], { cwd: dir, stdio: 'ignore' });
  const entry = join(dir, 'dist/node.js');
  if (!existsSync(entry)) throw new Error(`--before ${rev}: no dist/node.js was built`);
  return pathToFileURL(entry).href;
}

/** CPU milliseconds the main thread has used (Linux); undefined elsewhere. */
function mainThreadCpuMs() {
  try {
    const s = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, in USER_HZ (100)
  } catch {
    return undefined;
  }
}

/** One timed run of `make()` (a promise of a finished pipe): MB/s and main-thread CPU s per GiB. */
async function run(bytes, make) {
  globalThis.gc?.();
  const c0 = mainThreadCpuMs();
  const t0 = performance.now();
  await make();
  const ms = performance.now() - t0;
  const c1 = mainThreadCpuMs();
  return { mbps: mbps(bytes, ms), mainCpuPerGiB: c0 === undefined ? undefined : (c1 - c0) / 1000 / (bytes / GiB) };
}

/** The three shapes, for one build `lib`: 64 KiB input chunks, as the peers bench feeds them. */
function shapes(lib, key, bytes, ciphertext) {
  const drop = () => countingSink().stream;
  return {
    encrypt: () =>
      generatedStream(bytes, 64 * KiB)
        .pipeThrough(new lib.EncryptSegmentTransform(key))
        .pipeTo(drop()),
    decrypt: () => chunkStream(ciphertext).pipeThrough(new lib.DecryptSegmentTransform(key)).pipeTo(drop()),
    pipe: () =>
      generatedStream(bytes, 64 * KiB)
        .pipeThrough(new lib.EncryptSegmentTransform(key))
        .pipeThrough(new lib.DecryptSegmentTransform(key))
        .pipeTo(drop()),
  };
}

/**
 * The section. @param after - this build's module; @param beforeUrl - REV's Node entry
 * @returns rows `{ dir, before, after, ratio }`, each side `{ mbps, runs, mainCpuPerGiB }`
 */
export async function beforeSection({ after, beforeUrl, rev, key, bytes, runs }) {
  const libs = { before: await import(beforeUrl), after };
  const kinds = {};
  for (const [name, lib] of Object.entries(libs)) {
    await lib.getDefaultPool().start();
    const ciphertext = [];
    await generatedStream(bytes, 64 * KiB)
      .pipeThrough(new lib.EncryptSegmentTransform(key))
      .pipeTo(countingSink(undefined, ciphertext).stream);
    kinds[name] = shapes(lib, key, bytes, ciphertext);
    await kinds[name].pipe(); // warm
  }
  const rows = [];
  for (const dir of ['encrypt', 'decrypt', 'pipe']) {
    const got = { before: [], after: [] };
    for (let i = 0; i < runs; i++) {
      for (const name of i % 2 === 0 ? ['before', 'after'] : ['after', 'before'])
        got[name].push(await run(bytes, kinds[name][dir]));
    }
    const side = (xs) => ({
      mbps: median(xs.map((x) => x.mbps)),
      runs: xs.map((x) => x.mbps),
      mainCpuPerGiB: xs[0].mainCpuPerGiB === undefined ? undefined : median(xs.map((x) => x.mainCpuPerGiB)),
    });
    const b = side(got.before);
    const a = side(got.after);
    rows.push({ dir, rev, before: b, after: a, ratio: pairedRatio(a.runs, b.runs) });
  }
  return { rev, bytes, runs, rows };
}
