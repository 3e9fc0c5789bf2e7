/**
 * The floor under opening an X-Wing stanza (issue 22): the primitives of one open, each alone,
 * as src/recipients/kem-backend.ts and kem-node.ts call them, in this Node. Per identity (once
 * per open of a file): SHAKE256 of the seed, ML-KEM-768 key generation (noble) or import
 * (node:crypto, where it has ML-KEM), the X25519 key's import. Per stanza tried: ML-KEM-768
 * decapsulation with the expanded key, one X25519 shared secret, SHA3-256 (the combiner).
 *   node bench/envelope/floor.mjs     Env: BENCH_RUNS (21)
 */
import * as nodeCrypto from 'node:crypto';
import { x25519 } from '@noble/curves/ed25519.js';
import { sha3_256, shake256 } from '@noble/hashes/sha3.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';

const runs = Number(process.env.BENCH_RUNS ?? 21);
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const out = {};
function time(name, f) {
  for (let i = 0; i < 10; i++) f();
  const t = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    f();
    t.push(performance.now() - s);
  }
  out[name] = Number(median(t).toFixed(3));
}

const seed = crypto.getRandomValues(new Uint8Array(32));
const expanded = shake256(seed, { dkLen: 96 });
const { publicKey, secretKey } = ml_kem768.keygen(expanded.subarray(0, 64));
const { cipherText } = ml_kem768.encapsulate(publicKey);
const peer = x25519.getPublicKey(crypto.getRandomValues(new Uint8Array(32)));
const skX = expanded.subarray(64);

time('SHAKE256 of the seed (per identity)', () => shake256(seed, { dkLen: 96 }));
time('noble ML-KEM-768 keygen (per identity)', () => ml_kem768.keygen(expanded.subarray(0, 64)));
time('noble ML-KEM-768 decapsulate, expanded key (per stanza)', () => ml_kem768.decapsulate(cipherText, secretKey));
time('noble X25519 shared secret', () => x25519.getSharedSecret(skX, peer));
const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), skX]);
time('node:crypto X25519 import, PKCS #8 (per identity)', () =>
  nodeCrypto.createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }),
);
const b64 = (b) => Buffer.from(b).toString('base64url');
const dOnly = { kty: 'OKP', crv: 'X25519', d: b64(skX), x: b64(Uint8Array.of(9, ...new Uint8Array(31))) };
try {
  nodeCrypto.createPrivateKey({ key: dOnly, format: 'jwk' });
  time('node:crypto X25519 import, JWK read from d (Node 20; per identity)', () =>
    nodeCrypto.createPrivateKey({ key: dOnly, format: 'jwk' }),
  );
} catch {
  // later Nodes check x: kem-node.ts reads PKCS #8 there
}
const key = nodeCrypto.createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
const jwk = { kty: 'OKP', crv: 'X25519', x: Buffer.from(peer).toString('base64url') };
time('node:crypto X25519 shared secret (peer import + derive, per stanza)', () =>
  nodeCrypto.diffieHellman({ privateKey: key, publicKey: nodeCrypto.createPublicKey({ key: jwk, format: 'jwk' }) }),
);
time('SHA3-256 combiner (per stanza)', () => sha3_256(new Uint8Array(134)));
if (typeof nodeCrypto.decapsulate === 'function') {
  const der = Buffer.concat([
    Buffer.from('3054020100300b060960864801650304040204428040', 'hex'),
    expanded.subarray(0, 64),
  ]);
  time('node:crypto ML-KEM-768 import of the seed (per identity)', () =>
    nodeCrypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }),
  );
  const mk = nodeCrypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  time('node:crypto ML-KEM-768 decapsulate (per stanza)', () => nodeCrypto.decapsulate(mk, cipherText));
}
console.log(`Node ${process.versions.node}, medians of ${runs} runs, ms`);
for (const [k, v] of Object.entries(out)) console.log(`${k} | ${v}`);
