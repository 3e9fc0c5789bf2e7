/**
 * Recipients through every API (docs/RECIPIENTS.md): X25519 and X-Wing, one and several per file,
 * the same ciphertext opened by each; the container through the transforms (any chunking),
 * encryptBlob and openEncrypted; re-wrapping leaves the stream's bytes as they are.
 */
import { bech32 } from '@scure/base';
import { describe, expect, it } from 'vitest';
import {
  DecryptSegmentTransform,
  EncryptSegmentTransform,
  encryptBlob,
  generateIdentity,
  type IdentityKeys,
  openEncrypted,
  openEnvelope,
  rewrap,
  sealEnvelope,
  verifyDigests,
  WorkerPool,
} from '#lib';
import { chunked, concat, randomBytes, run, sameBytes } from '../helpers.js';
import { codeOf } from '../random-helpers.js';

const LAYOUT = { frameSize: 1024, framesPerSegment: 2, workers: 0 } as const;
const plaintext = randomBytes(5000); // 3 segments

const [alice, bob, carol] = (await Promise.all([
  generateIdentity(),
  generateIdentity({ pq: true }),
  generateIdentity(),
])) as [IdentityKeys, IdentityKeys, IdentityKeys];

async function decrypt(
  container: Uint8Array,
  identity: string | string[],
  how: Parameters<typeof chunked>[1] = 'whole',
) {
  return run(new DecryptSegmentTransform({ identity }, { workers: 0 }), chunked(container, how));
}

/** A Blob of a copy of `bytes` (a Blob part must be a plain ArrayBuffer's view). */
function blobOf(bytes: Uint8Array): Blob {
  return new Blob([bytes.slice()]);
}

/** The envelope at the start of a container: its envelope_size (bytes 6..10, big-endian). */
function envelopeOf(container: Uint8Array): Uint8Array {
  return container.slice(0, new DataView(container.buffer, container.byteOffset).getUint32(6));
}

describe('identities', () => {
  it('have the text forms of docs/RECIPIENTS.md §4', () => {
    expect(alice.type).toBe('x25519');
    expect(alice.publicKey).toMatch(/^s2pk1[02-9ac-hj-np-z]{58}$/);
    expect(alice.secretKey).toMatch(/^S2SK1[02-9AC-HJ-NP-Z]{58}$/);
    expect(bob.type).toBe('x-wing');
    expect(bob.publicKey).toMatch(/^s2pkpq1[02-9ac-hj-np-z]{1952}$/);
    expect(bob.secretKey).toMatch(/^S2SKPQ1[02-9AC-HJ-NP-Z]{58}$/);
    expect(alice.publicKey).not.toBe(carol.publicKey);
  });
});

describe('the transforms', () => {
  it('encrypt to several recipients; each opens the same ciphertext, in any chunking', async () => {
    const enc = await run(new EncryptSegmentTransform({ recipients: [alice.publicKey, bob.publicKey] }, LAYOUT), [
      plaintext,
    ]);
    expect(enc.error).toBeUndefined();
    for (const [who, how] of [
      [alice, 'whole'],
      [bob, 'bytes'],
      [alice, { seed: 7, max: 300 }],
      [bob, 97],
    ] as const) {
      const dec = await decrypt(enc.output, who.secretKey, how);
      expect(dec.error).toBeUndefined();
      expect(sameBytes(dec.output, plaintext)).toBe(true);
    }
    expect(await codeOf(decrypt(enc.output, carol.secretKey).then((r) => Promise.reject(r.error)))).toBe('WRONG_KEY');
  });

  it('with several identities, the one that opens is used; none: WRONG_KEY before any plaintext', async () => {
    const enc = await run(new EncryptSegmentTransform({ recipients: [bob.publicKey] }, LAYOUT), [plaintext]);
    const dec = await decrypt(enc.output, [carol.secretKey, alice.secretKey, bob.secretKey]);
    expect(sameBytes(dec.output, plaintext)).toBe(true);
    const wrong = await decrypt(enc.output, [alice.secretKey, carol.secretKey]);
    expect(wrong.output.length).toBe(0);
    expect((wrong.error as { code?: string }).code).toBe('WRONG_KEY');
  });

  it('a container cut inside its envelope or its stream is TRUNCATED; an envelope from another stream is WRONG_KEY', async () => {
    const one = (await run(new EncryptSegmentTransform({ recipients: [alice.publicKey] }, LAYOUT), [plaintext])).output;
    const two = (await run(new EncryptSegmentTransform({ recipients: [alice.publicKey] }, LAYOUT), [plaintext])).output;
    const env = envelopeOf(one);
    for (const cut of [5, env.length - 1, env.length, env.length + 81]) {
      expect(((await decrypt(one.subarray(0, cut), alice.secretKey)).error as { code?: string }).code).toBe(
        'TRUNCATED',
      );
    }
    const swapped = concat([env, two.subarray(envelopeOf(two).length)]);
    const r = await decrypt(swapped, alice.secretKey);
    expect([(r.error as { code?: string }).code, r.output.length]).toEqual(['WRONG_KEY', 0]);
  });

  it('refuse a secret of the wrong side, and malformed keys, with BAD_ARGUMENT', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as { code?: string }).code;
      }
    };
    expect(code(() => new EncryptSegmentTransform({ identity: alice.secretKey } as never))).toBe('BAD_ARGUMENT');
    expect(code(() => new DecryptSegmentTransform({ recipients: [alice.publicKey] } as never))).toBe('BAD_ARGUMENT');
    expect(code(() => new EncryptSegmentTransform({ recipients: [alice.secretKey] }))).toBe('BAD_ARGUMENT');
    expect(code(() => new EncryptSegmentTransform({ recipients: [] }))).toBe('BAD_ARGUMENT');
    expect(code(() => new DecryptSegmentTransform({ identity: alice.publicKey }))).toBe('BAD_ARGUMENT');
  });
});

describe('encryptBlob and openEncrypted', () => {
  it('round trip a container for each recipient, read whole and by ranges', async () => {
    const enc = await encryptBlob(blobOf(plaintext), { recipients: [alice.publicKey, bob.publicKey] }, LAYOUT);
    const container = await enc.read(0, enc.ciphertextSize);
    // A range that starts inside the envelope and ends inside segment 1 is what a full read gives.
    expect(sameBytes(await enc.read(100, 3000), container.subarray(100, 3000))).toBe(true);
    enc.close();
    for (const who of [alice, bob]) {
      const file = await openEncrypted(blobOf(container), { identity: who.secretKey }, { workers: 0 });
      expect(file.plaintextSize).toBe(plaintext.length);
      expect(sameBytes(await file.read(1000, 4500), plaintext.subarray(1000, 4500))).toBe(true);
      file.close();
    }
    // The transform reads what encryptBlob wrote.
    expect(sameBytes((await decrypt(container, bob.secretKey)).output, plaintext)).toBe(true);
    expect(await codeOf(openEncrypted(blobOf(container), { identity: carol.secretKey }))).toBe('WRONG_KEY');
    expect(await codeOf(openEncrypted(blobOf(container.subarray(0, 200)), { identity: alice.secretKey }))).toBe(
      'TRUNCATED',
    );
    // A raw key is refused on a container as on any non-stream (unchanged raw-key behaviour).
    expect(await codeOf(openEncrypted(blobOf(container), randomBytes(32)))).toBe('BAD_HEADER');
  });

  it('reads a container through 2 workers (they read the Blob after the envelope) and from a RangeSource', async () => {
    const pool = new WorkerPool({ size: 2 });
    try {
      const enc = await encryptBlob(blobOf(plaintext), { recipients: [bob.publicKey] }, { ...LAYOUT, workers: pool });
      const container = await enc.read(0, enc.ciphertextSize);
      enc.close();
      const file = await openEncrypted(blobOf(container), { identity: bob.secretKey }, { workers: pool });
      expect(sameBytes(await file.read(0, file.plaintextSize), plaintext)).toBe(true);
      file.close();
      const range = { size: container.length, read: async (o: number, n: number) => container.subarray(o, o + n) };
      const ranged = await openEncrypted(range, { identity: bob.secretKey }, { workers: pool });
      expect(sameBytes(await ranged.read(2000, 5000), plaintext.subarray(2000, 5000))).toBe(true);
      ranged.close();
    } finally {
      pool.terminate();
    }
  });
});

describe('the envelope alone, and re-wrapping', () => {
  it('seal, open, rewrap: the removed identity gets WRONG_KEY, the new one reads the unchanged stream', async () => {
    const fileKey = randomBytes(32);
    const enc = await encryptBlob(blobOf(plaintext), fileKey, LAYOUT);
    const stream = await enc.read(0, enc.ciphertextSize);
    enc.close();
    const before = stream.slice();
    const envelope = await sealEnvelope(fileKey, stream.subarray(0, 80), [alice.publicKey, bob.publicKey]);
    const opened = await openEnvelope(envelope, bob.secretKey);
    expect(sameBytes(opened.fileKey, fileKey)).toBe(true);
    expect(sameBytes(opened.header.bytes, stream.subarray(0, 80))).toBe(true);

    const rewrapped = await rewrap(envelope, alice.secretKey, [alice.publicKey, carol.publicKey]);
    expect(await codeOf(openEnvelope(rewrapped, bob.secretKey))).toBe('WRONG_KEY');
    const carols = await openEnvelope(rewrapped, carol.secretKey);
    const file = await openEncrypted(blobOf(stream), carols.fileKey, { workers: 0 });
    expect(sameBytes(await file.read(0, file.plaintextSize), plaintext)).toBe(true);
    file.close();
    expect(sameBytes(stream, before)).toBe(true);
    // The rewrapped envelope also serves as a container's (same header).
    const dec = await decrypt(concat([rewrapped, stream]), carol.secretKey, 'bytes');
    expect(sameBytes(dec.output, plaintext)).toBe(true);
  });

  it('sealEnvelope refuses a key that does not open the header (WRONG_KEY) and a passphrase stream', async () => {
    const enc = await encryptBlob(blobOf(plaintext), randomBytes(32), LAYOUT);
    const header = enc.header.bytes;
    enc.close();
    expect(await codeOf(sealEnvelope(randomBytes(32), header, [alice.publicKey]))).toBe('WRONG_KEY');
    const pass = await encryptBlob(blobOf(plaintext), { passphrase: 'x' }, { ...LAYOUT, logN: 1 });
    expect(await codeOf(sealEnvelope(randomBytes(32), pass.header.bytes, [alice.publicKey]))).toBe('BAD_ARGUMENT');
    pass.close();
    expect(await codeOf(sealEnvelope(randomBytes(31), header, [alice.publicKey]))).toBe('BAD_ARGUMENT');
  });
});

describe('key texts (docs/RECIPIENTS.md §4)', () => {
  it('a typo anywhere in a public key is refused with BAD_ARGUMENT, never taken for another key', async () => {
    const fc = await import('fast-check');
    const charset = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: alice.publicKey.length - 1 }),
        fc.integer({ min: 1, max: 31 }),
        async (at, shift) => {
          const c = alice.publicKey[at] as string;
          const typo = at < 5 ? 'x' : charset[(charset.indexOf(c) + shift) % 32];
          const text = alice.publicKey.slice(0, at) + typo + alice.publicKey.slice(at + 1);
          const e = await codeOf(encryptBlob(blobOf(plaintext), { recipients: [text] }, LAYOUT));
          return e === 'BAD_ARGUMENT';
        },
      ),
      { seed: 22, numRuns: 60 },
    );
  });

  it('say what is wrong, without the key', async () => {
    const refusal = async (recipients: string[]) => {
      try {
        await encryptBlob(blobOf(plaintext), { recipients }, LAYOUT);
      } catch (e) {
        return String((e as Error).message);
      }
      return 'accepted';
    };
    const mixed = `${alice.publicKey.slice(0, 10).toUpperCase()}${alice.publicKey.slice(10)}`;
    expect(await refusal([alice.secretKey])).toMatch(/recipient 1 is a secret key/);
    expect(await refusal([alice.publicKey, alice.publicKey.slice(0, -1)])).toMatch(/recipient 2 .*checksum/);
    expect(await refusal([mixed])).toMatch(/checksum or characters/);
    const age = bech32.encode('age', bech32.toWords(new Uint8Array(32)));
    expect(await refusal([age])).toMatch(/not a stream-v2 key \(prefix 'age'\)/);
    const short = bech32.encode('s2pk', bech32.toWords(new Uint8Array(31)));
    expect(await refusal([short])).toMatch(/wrong length for a x25519 public key/);
    const all = await Promise.all([refusal([alice.secretKey]), refusal([`${alice.publicKey}x`])]);
    for (const m of all) {
      expect(m).not.toContain(alice.secretKey.slice(5, 20));
      expect(m).not.toContain(alice.publicKey.slice(5, 20));
    }
    // The same key twice is one stanza.
    const enc = await encryptBlob(
      blobOf(plaintext),
      { recipients: [alice.publicKey, ` ${alice.publicKey}\n`] },
      LAYOUT,
    );
    expect((await enc.read(0, 6))[5]).toBe(1);
    enc.close();
  });
});

describe('verifyDigests on a container (keyless)', () => {
  it('checks the envelope, the header against it and the stream: a Blob and a stream alike', async () => {
    const enc = await run(new EncryptSegmentTransform({ recipients: [alice.publicKey, bob.publicKey] }, LAYOUT), [
      plaintext,
    ]);
    const container = enc.output;
    const env = envelopeOf(container).length;
    const check = async (bytes: Uint8Array) => {
      const a = await verifyDigests(blobOf(bytes), { workers: 0 });
      const b = await verifyDigests(blobOf(bytes).stream(), { workers: 0 });
      expect([b.ok, b.stanzas, b.failure?.code]).toEqual([a.ok, a.stanzas, a.failure?.code]);
      return a;
    };
    const ok = await check(container);
    expect([ok.ok, ok.stanzas, ok.segments, ok.plaintextSize]).toEqual([true, 2, 3, plaintext.length]);
    const stream = container.subarray(env);
    expect((await check(stream)).stanzas).toBeUndefined();
    const other = (await run(new EncryptSegmentTransform({ recipients: [alice.publicKey] }, LAYOUT), [plaintext]))
      .output;
    expect((await check(concat([envelopeOf(other), stream]))).failure?.code).toBe('WRONG_KEY');
    const badType = container.slice();
    badType[90] = 9;
    expect((await check(badType)).failure?.code).toBe('UNSUPPORTED');
    const damagedStream = container.slice();
    damagedStream[env + 200] = (damagedStream[env + 200] as number) ^ 1;
    expect((await check(damagedStream)).failure?.code).toBe('DIGEST_MISMATCH');
    expect((await check(container.subarray(0, env - 3))).failure?.code).toBe('TRUNCATED');
  });
});
