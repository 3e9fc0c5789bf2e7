/**
 * The tests' reference encoder (test-only, not in the package): a stream_v2 ciphertext for a
 * given salt, made on this thread with the pure codec and noble. The public API has no way to
 * choose a salt (a reused salt reuses nonces, spec §8), so the vectors' bytes are reproduced
 * here, and the public encoders are checked against this encoder under the salt they chose:
 * `referenceCiphertext(secret, paramsOf(output), plaintext)` must equal their output.
 */
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { deriveKeys, scryptMaxmem, sealHeader } from '../src/codec/keys.js';
import { sealSegment } from '../src/codec/segment.js';
import { nobleBackend } from '../src/crypto/noble.js';
import { SEGMENT_TAIL_SIZE, type SuiteName } from '../src/format/constants.js';
import { encodeHeaderPrefix, parseHeader } from '../src/format/header.js';
import { dataFramesWireSize } from '../src/format/sizes.js';

/** What fixes a stream's bytes besides the secret and the plaintext. */
export interface ReferenceParams {
  suite: SuiteName;
  frameSize: number;
  framesPerSegment: number;
  /** scrypt cost, for a passphrase */
  logN?: number;
  salt: Uint8Array;
}

/** The parameters a ciphertext was made with, from its header. */
export function paramsOf(ciphertext: Uint8Array): ReferenceParams {
  const h = parseHeader(ciphertext.subarray(0, 80));
  return { suite: h.suite, frameSize: h.frameSize, framesPerSegment: h.framesPerSegment, logN: h.logN, salt: h.salt };
}

/** The stream_v2 ciphertext of `plaintext` under `secret` and `params` (spec §2–§5). */
export async function referenceCiphertext(
  secret: Uint8Array | { passphrase: string },
  params: ReferenceParams,
  plaintext: Uint8Array,
): Promise<Uint8Array> {
  const raw = secret instanceof Uint8Array;
  const p = { ...params, kdf: raw ? ('raw' as const) : ('scrypt' as const), logN: raw ? 0 : (params.logN ?? 17) };
  const header = encodeHeaderPrefix(p, params.salt);
  const scrypt = (pw: Uint8Array, salt: Uint8Array, logN: number) =>
    scryptAsync(pw, salt, { N: 2 ** logN, r: 8, p: 1, dkLen: 32, maxmem: scryptMaxmem(logN) });
  const keys = await deriveKeys(secret, { kdf: p.kdf, logN: p.logN, salt: params.salt }, scrypt);
  sealHeader(keys.headerKey, header);
  const cipher = await nobleBackend.cipher(p.suite, keys.frameKey);
  const fc = { cipher, sha256: nobleBackend.sha256 };
  const s = p.frameSize * p.framesPerSegment;
  const segments = Math.max(1, Math.ceil(plaintext.length / s));
  const parts: Uint8Array[] = [header];
  for (let k = 0; k < segments; k++) {
    const plain = plaintext.subarray(k * s, (k + 1) * s);
    const wire = new Uint8Array(dataFramesWireSize(p.frameSize, plain.length) + SEGMENT_TAIL_SIZE);
    await sealSegment(fc, { header, segmentIndex: k, frameSize: p.frameSize }, k === segments - 1, plain, wire);
    parts.push(wire);
  }
  const out = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
  let at = 0;
  for (const x of parts) {
    out.set(x, at);
    at += x.length;
  }
  return out;
}

/** Whether `output` is exactly the reference ciphertext under the salt it chose. */
export async function isReference(
  secret: Uint8Array | { passphrase: string },
  plaintext: Uint8Array,
  output: Uint8Array,
): Promise<boolean> {
  const want = await referenceCiphertext(secret, paramsOf(output), plaintext);
  return want.length === output.length && want.every((b, i) => b === output[i]);
}
