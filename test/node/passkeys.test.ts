/**
 * Passkeys outside a browser (docs/RECIPIENTS.md §1, type 3): Node has no WebAuthn, so making
 * one, encrypting to one and opening a passkey stanza are `UNSUPPORTED`; `{ passkey: true }` on
 * an envelope without a passkey stanza is `WRONG_KEY` (nothing to ask). The browser side:
 * test/browser/passkey.test.ts.
 */
import { bech32 } from '@scure/base';
import { expect, it } from 'vitest';
import { createPasskey, encryptBlob, generateIdentity, openEnvelope, sealEnvelope } from '#lib';
import { concat } from '../helpers.js';
import { codeOf } from '../random-helpers.js';

it('createPasskey, a passkey recipient and a passkey stanza are UNSUPPORTED; no passkey stanza is WRONG_KEY', async () => {
  expect(await codeOf(createPasskey())).toBe('UNSUPPORTED');
  const passkey = bech32.encode('s2passkey', bech32.toWords(new Uint8Array(16).fill(1)), false);
  expect(await codeOf(encryptBlob(new Blob(['x']), { recipients: [passkey] }))).toBe('UNSUPPORTED');
  const alice = await generateIdentity();
  const fileKey = crypto.getRandomValues(new Uint8Array(32));
  const enc = await encryptBlob(new Blob(['x']), fileKey, { workers: 0 });
  const envelope = await sealEnvelope(fileKey, enc.header.bytes, [alice.publicKey]);
  enc.close();
  expect(await codeOf(openEnvelope(envelope, { passkey: true }))).toBe('WRONG_KEY');
  // The same envelope with a passkey stanza added (prf_salt, a 16-byte credential id, ct).
  const stanza = concat([Uint8Array.of(3, 0, 48, 0, 48), new Uint8Array(48).fill(2), new Uint8Array(48)]);
  const withPasskey = concat([envelope, stanza]);
  withPasskey[5] = 2;
  new DataView(withPasskey.buffer).setUint32(6, withPasskey.length);
  expect(await codeOf(openEnvelope(withPasskey, { passkey: true }))).toBe('UNSUPPORTED');
  expect((await openEnvelope(withPasskey, alice.secretKey)).fileKey).toEqual(fileKey);
});
