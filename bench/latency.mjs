/**
 * Hand-over latency of EncryptSegmentTransform (issue 17): close() → end of the readable for
 * 4 MiB + 100 B in 64 KiB chunks, and whether a full segment comes out before the next byte.
 *   node bench/latency.mjs file:///path/to/dist/node.js [file:///other/build/node.js ...]
 */
const [, , ...urls] = process.argv;
const libs = await Promise.all(urls.map((u) => import(u)));
const key = new Uint8Array(32).fill(1);
const chunk = new Uint8Array(64 * 1024);
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
async function once(lib) {
  const t = new lib.EncryptSegmentTransform(key);
  const w = t.writable.getWriter();
  const r = t.readable.getReader();
  const outAt = [];
  const reading = (async () => {
    for (;;) {
      const { done, value } = await r.read();
      if (done) return performance.now();
      outAt.push([performance.now(), value.length]);
    }
  })();
  // One segment exactly (1 MiB), then wait: when does its ciphertext come out?
  for (let i = 0; i < 16; i++) await w.write(chunk);
  const seg1 = performance.now();
  await new Promise((res) => setTimeout(res, 50));
  const firstOut = outAt.find(([, n]) => n > 80);
  const heldFor = firstOut ? firstOut[0] - seg1 : undefined; // undefined: held until the next byte
  for (let i = 0; i < 48; i++) await w.write(chunk);
  await w.write(new Uint8Array(100));
  const c0 = performance.now();
  await w.close();
  const end = await reading;
  return { closeToEnd: end - c0, firstSegmentOut: heldFor };
}
for (const lib of libs) {
  await lib.getDefaultPool().start();
  await once(lib);
}
const res = libs.map(() => ({ close: [], first: [] }));
for (let round = 0; round < 20; round++)
  for (const [i, lib] of libs.entries()) {
    const x = await once(lib);
    res[i].close.push(x.closeToEnd);
    res[i].first.push(x.firstSegmentOut ?? NaN);
  }
for (const [i, u] of urls.entries()) {
  const held = res[i].first.filter((x) => Number.isNaN(x)).length;
  const f = res[i].first.filter((x) => !Number.isNaN(x));
  console.log(
    `${u}\n  close() → end: median ${median(res[i].close).toFixed(2)} ms (min ${Math.min(...res[i].close).toFixed(2)}, max ${Math.max(...res[i].close).toFixed(2)})\n  first full segment out within 50 ms of its last byte: ${f.length}/20 (median ${f.length ? median(f).toFixed(2) : '-'} ms); held until the next byte: ${held}/20`,
  );
}
process.exit(0);
