/**
 * Passkey recipients in Chromium (docs/RECIPIENTS.md §1, type 3), with CDP virtual
 * authenticators that have the PRF extension (vite.config.ts, browser commands): a file to a
 * passkey and a public key opens with either; re-wrapping drops the passkey; another
 * authenticator gets WRONG_KEY; one without PRF cannot make a passkey (UNSUPPORTED).
 */
import { afterEach, expect, it } from 'vitest';
import { commands } from 'vitest/browser';
import {
  createPasskey,
  DecryptSegmentTransform,
  EncryptSegmentTransform,
  generateIdentity,
  openEncrypted,
  openEnvelope,
  rewrap,
} from '#lib';
import { randomBytes, run, sameBytes } from '../helpers.js';
import { codeOf } from '../random-helpers.js';

const authenticators = commands as unknown as {
  addVirtualAuthenticator(prf?: boolean): Promise<string>;
  removeVirtualAuthenticators(): Promise<void>;
};
afterEach(() => authenticators.removeVirtualAuthenticators());

const LAYOUT = { frameSize: 1024, framesPerSegment: 2, workers: 0 } as const;
const plaintext = randomBytes(5000);
const envelopeOf = (c: Uint8Array) => c.slice(0, new DataView(c.buffer, c.byteOffset).getUint32(6));

it('a file to a passkey and a public key: each opens it; a rewrap without the passkey shuts it out', async () => {
  await authenticators.addVirtualAuthenticator();
  const passkey = await createPasskey({ name: 'alice' });
  expect(passkey).toMatch(/^s2passkey1[02-9ac-hj-np-z]+$/);
  const bob = await generateIdentity();
  const enc = await run(new EncryptSegmentTransform({ recipients: [bob.publicKey, passkey] }, LAYOUT), [plaintext]);
  expect(enc.error).toBeUndefined();
  const byPasskey = await run(new DecryptSegmentTransform({ passkey: true }, LAYOUT), [enc.output]);
  expect(byPasskey.error).toBeUndefined();
  expect(sameBytes(byPasskey.output, plaintext)).toBe(true);
  const file = await openEncrypted(new Blob([enc.output.slice()]), { passkey: true }, LAYOUT);
  expect(sameBytes(await file.read(0, file.plaintextSize), plaintext)).toBe(true);
  file.close();
  const byKey = await run(new DecryptSegmentTransform({ identity: bob.secretKey }, LAYOUT), [enc.output]);
  expect(sameBytes(byKey.output, plaintext)).toBe(true);

  const envelope = envelopeOf(enc.output);
  expect((await openEnvelope(envelope, { passkey: true })).fileKey).toEqual(
    (await openEnvelope(envelope, bob.secretKey)).fileKey,
  );
  const without = await rewrap(envelope, { passkey: true }, [bob.publicKey]);
  expect(await codeOf(openEnvelope(without, { passkey: true }))).toBe('WRONG_KEY');
  expect((await openEnvelope(without, bob.secretKey)).header.bytes).toEqual(
    enc.output.subarray(envelope.length, envelope.length + 80),
  );
});

it('another authenticator gets WRONG_KEY; one without PRF makes no passkey (UNSUPPORTED)', async () => {
  await authenticators.addVirtualAuthenticator();
  const passkey = await createPasskey();
  const enc = await run(new EncryptSegmentTransform({ recipients: [passkey] }, LAYOUT), [plaintext]);
  await authenticators.removeVirtualAuthenticators();
  await authenticators.addVirtualAuthenticator();
  const other = await run(new DecryptSegmentTransform({ passkey: true }, LAYOUT), [enc.output]);
  expect([(other.error as { code?: string }).code, other.output.length]).toEqual(['WRONG_KEY', 0]);
  await authenticators.removeVirtualAuthenticators();
  await authenticators.addVirtualAuthenticator(false);
  expect(await codeOf(createPasskey())).toBe('UNSUPPORTED');
});
