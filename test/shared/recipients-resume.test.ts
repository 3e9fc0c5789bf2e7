/**
 * Resuming an encryption to recipients (docs/RECIPIENTS.md §3): the resume state carries the key
 * envelope, from `resumeState()` or keylessly from a partial container (`resumeStateFrom`); one
 * of the recipients' identities (or the file key) opens the file key and the encryption goes on,
 * byte for byte the container an uninterrupted run gives. Whoever is not a recipient cannot.
 */
import { describe, expect, it } from 'vitest';
import {
  encryptBlob,
  generateIdentity,
  type IdentityKeys,
  openEncrypted,
  openEnvelope,
  type ResumeState,
  resumeStateFrom,
  WorkerPool,
} from '#lib';
import { randomBytes, sameBytes, toHex } from '../helpers.js';
import { codeOf } from '../random-helpers.js';

const LAYOUT = { frameSize: 1024, framesPerSegment: 2 } as const;
const plaintext = randomBytes(9000); // 5 segments of 2 KiB
/** A whole segment's wire size (spec §5): 2 DATA frames of 1 KiB, the DIGEST, the TERMINATOR. */
const SEGMENT_WIRE = 2 * (18 + 1024 + 16) + (18 + 33 + 16) + (18 + 16);

const [alice, bob, carol] = (await Promise.all([
  generateIdentity(),
  generateIdentity({ pq: true }),
  generateIdentity(),
])) as [IdentityKeys, IdentityKeys, IdentityKeys];

const blobOf = (bytes: Uint8Array) => new Blob([bytes.slice()]);
const envelopeSize = (container: Uint8Array) => new DataView(container.buffer, container.byteOffset).getUint32(6);

/** The whole container of an encryption to alice and bob, and the encryption (closed by the caller). */
async function container(workers: 0 | WorkerPool) {
  const enc = await encryptBlob(
    blobOf(plaintext),
    { recipients: [alice.publicKey, bob.publicKey] },
    {
      ...LAYOUT,
      workers,
    },
  );
  return { enc, bytes: await enc.read(0, enc.ciphertextSize) };
}

describe.each([0, 2] as const)('resume to recipients, workers %i', (w) => {
  const withPool = async (body: (workers: 0 | WorkerPool) => Promise<void>) => {
    const pool = w === 0 ? 0 : new WorkerPool({ size: w });
    try {
      await body(pool);
    } finally {
      if (pool !== 0) pool.terminate();
    }
  };

  it('from a partial container: each recipient resumes to the same bytes, which each recipient reads', async () => {
    await withPool(async (workers) => {
      const whole = await container(workers);
      whole.enc.close();
      const shift = envelopeSize(whole.bytes);
      // Cut inside segment 3: segments 0..2 are whole (80-byte header, then 2 KiB segments).
      const cut = shift + 80 + 3 * SEGMENT_WIRE + 100;
      const state = await resumeStateFrom(blobOf(whole.bytes.subarray(0, cut)), blobOf(plaintext), { workers });
      expect(Object.keys(state.digests)).toEqual(['0', '1', '2']);
      expect(state.envelope).toBe(toHex(whole.bytes.subarray(0, shift)));
      for (const who of [alice, bob]) {
        const resumed = await encryptBlob(blobOf(plaintext), { identity: who.secretKey }, { resume: state, workers });
        expect(resumed.ciphertextSize).toBe(whole.bytes.length);
        expect(sameBytes(await resumed.read(cut, resumed.ciphertextSize), whole.bytes.subarray(cut))).toBe(true);
        expect(sameBytes(await resumed.read(0, resumed.ciphertextSize), whole.bytes)).toBe(true);
        resumed.close();
      }
      const file = await openEncrypted(blobOf(whole.bytes), { identity: bob.secretKey }, { workers });
      expect(sameBytes(await file.read(0, file.plaintextSize), plaintext)).toBe(true);
      file.close();
    });
  });

  it('from resumeState(): the state holds the envelope, and the file key (openEnvelope) resumes too', async () => {
    await withPool(async (workers) => {
      const { enc, bytes } = await container(workers);
      await enc.read(0, envelopeSize(bytes) + 80 + 2 * 2 * 1024); // releases segments 0 and 1 at least
      const state = JSON.parse(JSON.stringify(enc.resumeState())) as ResumeState;
      enc.close();
      expect(state.envelope).toBe(toHex(bytes.subarray(0, envelopeSize(bytes))));
      expect(Object.keys(state.digests).length).toBeGreaterThanOrEqual(2);
      const { fileKey } = await openEnvelope(bytes.subarray(0, envelopeSize(bytes)), alice.secretKey);
      const resumed = await encryptBlob(blobOf(plaintext), fileKey, { resume: state, workers });
      expect(sameBytes(await resumed.read(0, resumed.ciphertextSize), bytes)).toBe(true);
      resumed.close();
    });
  });
});

describe('resume to recipients: what is refused', () => {
  it('a non-recipient WRONG_KEY; recipients, a foreign or damaged envelope, an identity without one BAD_ARGUMENT', async () => {
    const { enc, bytes } = await container(0);
    await enc.read(0, bytes.length);
    const state = enc.resumeState();
    enc.close();
    const blob = blobOf(plaintext);
    expect(await codeOf(encryptBlob(blob, { identity: carol.secretKey }, { resume: state }))).toBe('WRONG_KEY');
    expect(await codeOf(encryptBlob(blob, { recipients: [alice.publicKey] }, { resume: state }))).toBe('BAD_ARGUMENT');
    // The envelope of another stream: its header is not the state's.
    const other = await container(0);
    other.enc.close();
    const foreign = { ...state, envelope: toHex(other.bytes.subarray(0, envelopeSize(other.bytes))) };
    expect(await codeOf(encryptBlob(blob, { identity: alice.secretKey }, { resume: foreign }))).toBe('BAD_ARGUMENT');
    for (const envelope of [state.envelope?.slice(0, -2), `${state.envelope}00`, state.envelope?.toUpperCase(), 5]) {
      const bad = { ...state, envelope } as unknown as ResumeState;
      expect(await codeOf(encryptBlob(blob, { identity: alice.secretKey }, { resume: bad }))).toBe('BAD_ARGUMENT');
    }
    // A state without an envelope (a raw-key stream) is not resumed with an identity.
    const raw = await encryptBlob(blob, randomBytes(32), LAYOUT);
    await raw.read(0, raw.ciphertextSize);
    const rawState = raw.resumeState();
    raw.close();
    expect(rawState.envelope).toBeUndefined();
    expect(await codeOf(encryptBlob(blob, { identity: alice.secretKey }, { resume: rawState }))).toBe('BAD_ARGUMENT');
    // A partial container cut inside its envelope holds nothing to resume.
    expect(await codeOf(resumeStateFrom(blobOf(bytes.subarray(0, 100)), blob))).toBe('TRUNCATED');
  });
});
