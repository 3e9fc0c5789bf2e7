/**
 * The measurement of bench/envelope/run.mjs, the same in Node and in the page: medians (ms) of
 * sealing and opening one 1 MiB segment on this thread (workers: 0) for each suite, and of
 * sealing and opening key envelopes (X25519, X-Wing): one stanza, and the worst case of the
 * trial, 64 stanzas with the reader's last (an identity tries every stanza of its type, §2).
 * `libs` maps a name to a build of the library ({ before, after } for an A/B): each round runs
 * every build once, in alternating order, so that load that comes and goes falls on all alike.
 */
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

/** Medians of `runs` rounds of each of `fs` (name → async function), after `warm` rounds. */
async function time(fs, runs, warm = 3) {
  const names = Object.keys(fs);
  const t = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < warm + runs; i++) {
    const order = i % 2 ? [...names].reverse() : names;
    for (const n of order) {
      const s = performance.now();
      await fs[n]();
      if (i >= warm) t[n].push(performance.now() - s);
    }
  }
  return Object.fromEntries(names.map((n) => [n, Number(median(t[n]).toFixed(2))]));
}

const map = (libs, f) => Object.fromEntries(Object.entries(libs).map(([n, lib]) => [n, f(lib)]));

/** { case: { build: ms } } for the builds in `libs`. */
export async function measure(libs, runs = 21, say = () => {}) {
  const [any] = Object.values(libs);
  const key = crypto.getRandomValues(new Uint8Array(32));
  const plaintext = new Uint8Array(1 << 20);
  for (let i = 0; i < plaintext.length; i += 65536) crypto.getRandomValues(plaintext.subarray(i, i + 65536));
  const out = {};
  const run = async (name, fs) => {
    out[name] = await time(fs, runs);
    say(name, out[name]);
  };
  let header;
  for (const suite of ['aes-256-gcm', 'chacha20-poly1305']) {
    const enc = await any.encryptBlob(new Blob([plaintext]), key, { suite, workers: 0 });
    const ciphertext = await enc.read(0, enc.ciphertextSize);
    header ??= ciphertext.slice(0, 80);
    const encs = {};
    const files = {};
    for (const [n, lib] of Object.entries(libs)) {
      encs[n] = await lib.encryptBlob(new Blob([plaintext]), key, { suite, workers: 0 });
      files[n] = await lib.openEncrypted(new Blob([ciphertext]), key, { workers: 0 });
    }
    await run(
      `seal 1 MiB segment, ${suite}`,
      map(encs, (e) => () => e.read(80, e.ciphertextSize - 80)),
    );
    await run(
      `open 1 MiB segment, ${suite}`,
      map(files, (f) => () => f.read(0, 1 << 20)),
    );
    for (const x of [...Object.values(encs), ...Object.values(files)]) x.close();
  }
  for (const pq of [false, true]) {
    const id = await any.generateIdentity({ pq });
    const one = await any.sealEnvelope(key, header, [id.publicKey]);
    await run(
      `seal envelope (1 stanza), ${id.type}`,
      map(libs, (lib) => () => lib.sealEnvelope(key, header, [id.publicKey])),
    );
    await run(
      `open envelope (1 stanza), ${id.type}`,
      map(libs, (lib) => () => lib.openEnvelope(one, id.secretKey)),
    );
    const others = [];
    for (let i = 0; i < 63; i++) others.push((await any.generateIdentity({ pq })).publicKey);
    const last = await any.sealEnvelope(key, header, [...others, id.publicKey]);
    await run(
      `open envelope (64 stanzas, its own last), ${id.type}`,
      map(libs, (lib) => () => lib.openEnvelope(last, id.secretKey)),
    );
  }
  return out;
}
