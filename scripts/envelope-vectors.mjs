#!/usr/bin/env node
/**
 * Writes test/vectors/envelope.json: key envelopes (docs/RECIPIENTS.md) made with the built
 * package (run `npm run build` first), and damaged copies of them, each with the code a decoder
 * must refuse it with (§2). HPKE draws a fresh ephemeral key for every stanza, so every run
 * writes other bytes; the vectors are made once and committed, and test/shared/envelope-vectors
 * checks them (and an independent HPKE implementation opens their stanzas).
 *
 *   node scripts/envelope-vectors.mjs
 */
import { writeFileSync } from 'node:fs';
import { encryptBlob, generateIdentity, sealEnvelope } from '../dist/node.js';

const hex = (b) => Buffer.from(b).toString('hex');
const PREFIX = 10;
const FIXED = PREFIX + 80;

const ids = {
  alice: await generateIdentity(),
  bob: await generateIdentity({ pq: true }),
  carol: await generateIdentity(),
};

/** A small stream (2 segments) under a fresh file key, and its envelope to `to`. */
async function sealed(to, plaintext = 'stream-v2 recipients: the file key is sealed to each of them') {
  const fileKey = crypto.getRandomValues(new Uint8Array(32));
  const enc = await encryptBlob(new Blob([plaintext]), fileKey, { frameSize: 16, framesPerSegment: 2, workers: 0 });
  const stream = await enc.read(0, enc.ciphertextSize);
  enc.close();
  const envelope = await sealEnvelope(
    fileKey,
    stream.subarray(0, 80),
    to.map((n) => ids[n].publicKey),
  );
  return { fileKey, stream, envelope, plaintext };
}

const one = await sealed(['alice']);
const both = await sealed(['alice', 'bob']);
const pqOnly = await sealed(['bob']);
// 64 recipients, the most an envelope holds: 63 others, then alice.
const others = await Promise.all(Array.from({ length: 63 }, () => generateIdentity()));
for (const [i, o] of others.entries()) ids[`other${i}`] = o;
const full = await sealed([...others.map((_, i) => `other${i}`), 'alice']);

const positive = [
  ['x25519-one', one, ['alice'], ['carol', 'bob']],
  ['x25519-and-x-wing', both, ['alice', 'bob'], ['carol']],
  ['x-wing-one', pqOnly, ['bob'], ['alice', 'carol']],
  ['x25519-64-stanzas', full, ['alice', 'other0', 'other62'], ['carol', 'bob']],
].map(([name, v, opens, refuses]) => ({
  name,
  envelope_hex: hex(v.envelope),
  file_key_hex: hex(v.fileKey),
  stream_hex: hex(v.stream),
  plaintext: v.plaintext,
  opens,
  wrong_key: refuses,
}));

/** A copy of `bytes` with the bytes at `offset` set to `values`. */
function setAt(bytes, offset, ...values) {
  const out = new Uint8Array(bytes);
  out.set(values, offset);
  return out;
}
/** A copy of `bytes` with byte `offset` XORed with `mask`. */
const flip = (bytes, offset, mask = 1) => setAt(bytes, offset, bytes[offset] ^ mask);
/** A copy of `bytes` with a big-endian integer of `width` bytes at `offset`. */
function intAt(bytes, offset, width, value) {
  const out = new Uint8Array(bytes);
  const view = new DataView(out.buffer);
  if (width === 2) view.setUint16(offset, value);
  else view.setUint32(offset, value);
  return out;
}
const cat = (...parts) => new Uint8Array(Buffer.concat(parts.map((p) => Buffer.from(p))));
const e = one.envelope;
const stanza1 = FIXED + 5 + 32 + 48; // start of bob's stanza in `both`
// Alice's stanza of `one` under the header of `both` (another stream), count and size fixed up.
const movedBytes = setAt(cat(both.envelope.subarray(0, FIXED), e.subarray(FIXED)), 5, 1);
const moved = intAt(movedBytes, 6, 4, movedBytes.length);

const negative = [
  ['truncated-prefix', e.subarray(0, 9), 'alice', 'TRUNCATED'],
  ['truncated-stanza', e.subarray(0, e.length - 1), 'alice', 'TRUNCATED'],
  ['truncated-header', e.subarray(0, 50), 'alice', 'TRUNCATED'],
  ['bad-magic', setAt(e, 3, 0), 'alice', 'BAD_HEADER'],
  ['a-stream-not-an-envelope', one.stream, 'alice', 'BAD_HEADER'],
  ['version-2', setAt(e, 4, 2), 'alice', 'UNSUPPORTED'],
  ['zero-stanzas', setAt(e, 5, 0), 'alice', 'BAD_HEADER'],
  ['too-many-stanzas', setAt(full.envelope, 5, 65), 'alice', 'LIMIT_EXCEEDED'],
  ['too-many-stanzas-255', setAt(e, 5, 255), 'alice', 'LIMIT_EXCEEDED'],
  ['envelope-size-too-small', intAt(e, 6, 4, 174), 'alice', 'BAD_HEADER'],
  ['envelope-size-over-max', intAt(e, 6, 4, 75_163), 'alice', 'BAD_HEADER'],
  ['stanzas-end-before-envelope-size', intAt(cat(e, [0]), 6, 4, e.length + 1), 'alice', 'BAD_HEADER'],
  ['stanza-count-past-envelope-size', setAt(both.envelope, 5, 3), 'alice', 'BAD_HEADER'],
  ['header-bad-magic', setAt(e, PREFIX, 0), 'alice', 'BAD_HEADER'],
  ['header-unknown-suite', setAt(e, PREFIX + 5, 9), 'alice', 'UNSUPPORTED'],
  ['header-passphrase-kdf', setAt(e, PREFIX + 6, 1, 1), 'alice', 'BAD_HEADER'],
  ['unknown-type-4', setAt(e, FIXED, 4), 'alice', 'UNSUPPORTED'],
  ['passkey-type-with-x25519-sizes', setAt(e, FIXED, 3), 'alice', 'BAD_HEADER'],
  ['unknown-type-0', setAt(e, FIXED, 0), 'alice', 'UNSUPPORTED'],
  ['wrong-type-x-wing-sizes', setAt(e, FIXED, 2), 'alice', 'BAD_HEADER'],
  ['wrong-enc-length', intAt(e, FIXED + 1, 2, 33), 'alice', 'BAD_HEADER'],
  ['wrong-ct-length', intAt(e, FIXED + 3, 2, 47), 'alice', 'BAD_HEADER'],
  ['trailing-data', cat(e, [0]), 'alice', 'TRAILING_DATA'],
  ['damaged-stanza-ct', flip(e, e.length - 1, 1), 'alice', 'WRONG_KEY'],
  ['damaged-stanza-enc', flip(e, FIXED + 5, 0x80), 'alice', 'WRONG_KEY'],
  ['damaged-x-wing-enc', flip(both.envelope, stanza1 + 5 + 600, 1), 'bob', 'WRONG_KEY'],
  ['damaged-header-salt', flip(e, PREFIX + 20, 1), 'alice', 'WRONG_KEY'],
  ['damaged-header-mac', flip(e, PREFIX + 79, 1), 'alice', 'WRONG_KEY'],
  ['stanza-moved-to-another-stream', moved, 'alice', 'WRONG_KEY'],
  ['no-stanza-of-the-type', pqOnly.envelope, 'alice', 'WRONG_KEY'],
  ['not-a-recipient', e, 'carol', 'WRONG_KEY'],
].map(([name, bytes, identity, code]) => ({ name, envelope_hex: hex(bytes), identity, errors: [code] }));

const names = ['alice', 'bob', 'carol', 'other0', 'other62'];
const identities = Object.fromEntries(names.map((n) => [n, ids[n]]));
const out = {
  format: 'stream-v2 key envelope, version 1 (docs/RECIPIENTS.md)',
  rule: 'positive: openEnvelope(envelope, identity) gives file_key for every name in opens and WRONG_KEY for every name in wrong_key; envelope || stream decrypts to plaintext. negative: openEnvelope(envelope alone, identity) fails with one of errors',
  identities,
  positive,
  negative,
};
writeFileSync(new URL('../test/vectors/envelope.json', import.meta.url), `${JSON.stringify(out, null, 1)}\n`);
console.log(`wrote ${positive.length} positive and ${negative.length} negative envelope vectors`);
