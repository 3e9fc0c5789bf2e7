/**
 * The measurement of bench/envelope/run.mjs, the same in Node and in the page: medians (ms) of
 * sealing and opening a one-stanza key envelope (X25519, X-Wing) and of decrypting one 1 MiB
 * segment on this thread (workers: 0), for each suite.
 */
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

async function time(f, runs) {
  for (let i = 0; i < 3; i++) await f();
  const t = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    await f();
    t.push(performance.now() - s);
  }
  return Number(median(t).toFixed(2));
}

export async function measure(lib, runs = 21) {
  const key = crypto.getRandomValues(new Uint8Array(32));
  const plaintext = new Uint8Array(1 << 20);
  for (let i = 0; i < plaintext.length; i += 65536) crypto.getRandomValues(plaintext.subarray(i, i + 65536));
  const out = {};
  let header;
  for (const suite of ['aes-256-gcm', 'chacha20-poly1305']) {
    const enc = await lib.encryptBlob(new Blob([plaintext]), key, { suite, workers: 0 });
    const ciphertext = await enc.read(0, enc.ciphertextSize);
    enc.close();
    header ??= ciphertext.slice(0, 80);
    const file = await lib.openEncrypted(new Blob([ciphertext]), key, { workers: 0 });
    out[`1 MiB segment, ${suite}`] = await time(() => file.read(0, 1 << 20), runs);
    file.close();
  }
  for (const pq of [false, true]) {
    const id = await lib.generateIdentity({ pq });
    const envelope = await lib.sealEnvelope(key, header, [id.publicKey]);
    out[`seal envelope, ${id.type}`] = await time(() => lib.sealEnvelope(key, header, [id.publicKey]), runs);
    out[`open envelope, ${id.type}`] = await time(() => lib.openEnvelope(envelope, id.secretKey), runs);
  }
  return out;
}
