// Run by Deno and Bun (test/node/runtimes.test.ts): the package's Web build, every positive
// vector with an explicit key and plaintext, inline and with 2 Web Workers, plus one tamper.
// Each vector's ciphertext decrypts to its plaintext; the plaintext encrypts (under a fresh
// salt: no API chooses one) to a ciphertext of the vector's size that decrypts back. Then a
// file to an X25519 and an X-Wing recipient, read back by each (HPKE on this runtime).
import { DecryptSegmentTransform, EncryptSegmentTransform, generateIdentity } from 'stream-v2';
import vectors from '../vectors/positive.json' with { type: 'json' };

const hex = (h) => Uint8Array.from(h.match(/../g) ?? [], (x) => Number.parseInt(x, 16));
const toHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

async function run(transform, input) {
  const out = [];
  await new ReadableStream({
    start(c) {
      c.enqueue(input);
      c.close();
    },
  })
    .pipeThrough(transform)
    .pipeTo(new WritableStream({ write: (c) => void out.push(...c) }));
  return Uint8Array.from(out);
}

let ok = 0;
for (const v of vectors.vectors.filter((x) => x.key_hex && x.plaintext_hex !== undefined)) {
  for (const workers of [0, 2]) {
    const suite = v.suite === 1 ? 'chacha20-poly1305' : 'aes-256-gcm';
    const opts = { suite, frameSize: v.frame_size, framesPerSegment: v.frames_per_segment };
    const pt = await run(new DecryptSegmentTransform(hex(v.key_hex), { workers }), hex(v.ciphertext_hex));
    if (toHex(pt) !== v.plaintext_hex) throw new Error(`decrypt mismatch: ${v.name}, workers ${workers}`);
    const ct = await run(new EncryptSegmentTransform(hex(v.key_hex), { ...opts, workers }), hex(v.plaintext_hex));
    if (ct.length !== v.ciphertext_length || toHex(ct) === v.ciphertext_hex)
      throw new Error(`encrypt mismatch: ${v.name}, workers ${workers} (size, or a salt that is not fresh)`);
    const back = await run(new DecryptSegmentTransform(hex(v.key_hex), { workers }), ct);
    if (toHex(back) !== v.plaintext_hex) throw new Error(`round trip mismatch: ${v.name}, workers ${workers}`);
    ok++;
  }
}
const v = vectors.vectors.find((x) => x.name === 's2-f16x3-p239');
const bad = hex(v.ciphertext_hex);
bad[200] ^= 1;
let code = 'none';
try {
  await run(new DecryptSegmentTransform(hex(v.key_hex)), bad);
} catch (e) {
  code = e.code;
}
const ids = [await generateIdentity(), await generateIdentity({ pq: true })];
const plain = new TextEncoder().encode('to recipients, on this runtime');
const container = await run(new EncryptSegmentTransform({ recipients: ids.map((i) => i.publicKey) }), plain);
const read = [];
for (const id of ids) {
  const back = await run(new DecryptSegmentTransform({ identity: id.secretKey }), container);
  if (toHex(back) === toHex(plain)) read.push(id.type);
}
console.log(
  `entry ${import.meta.resolve('stream-v2').split('/').pop()}; ${ok} round trips; tamper ${code}; recipients ${read.join(',')}`,
);
