/**
 * An identity's keys are expanded once per `{ identity }` object, not once per file
 * (src/recipients/recipients.ts `identitiesOf`, hpke.ts `openingKeyOf`): counted on a KEM
 * backend that counts its ML-KEM-768 key expansions.
 */
import { expect, it } from 'vitest';
import { bindPlatform } from '../../src/bind.js';
import { nodePlatform } from '../../src/platform/node.js';
import { nobleKemBackend } from '../../src/recipients/kem-backend.js';

it('one { identity } opens file after file with one key expansion; another object, or another key text, expands again', async () => {
  let expansions = 0;
  const counting = {
    ...nobleKemBackend,
    name: 'counting',
    mlKem768: (seed: Uint8Array) => {
      expansions++;
      return nobleKemBackend.mlKem768(seed);
    },
  };
  const api = bindPlatform({ ...nodePlatform, kemBackends: [counting] });
  const [me, other] = [await api.generateIdentity({ pq: true }), await api.generateIdentity({ pq: true })];
  const plaintext = new Uint8Array(1000).fill(7);
  const containers = [];
  for (let i = 0; i < 3; i++) {
    const enc = await api.encryptBlob(
      new Blob([plaintext]),
      { recipients: [other.publicKey, me.publicKey] },
      { workers: 0 },
    );
    containers.push(new Blob([(await enc.read(0, enc.ciphertextSize)) as Uint8Array<ArrayBuffer>]));
    enc.close();
  }
  const read = async (blob: Blob, identity: { identity: string | string[] }) => {
    const file = await api.openEncrypted(blob, identity, { workers: 0 });
    expect(await file.read(0, file.plaintextSize)).toEqual(plaintext);
    file.close();
  };
  const mine = { identity: me.secretKey };
  expansions = 0;
  for (const c of containers) await read(c, mine); // both stanzas tried: one expansion for all three files
  expect(expansions).toBe(1);
  await read(containers[0] as Blob, { identity: me.secretKey }); // a new object
  expect(expansions).toBe(2);
  const mutable: { identity: string | string[] } = { identity: other.secretKey };
  await read(containers[0] as Blob, mutable);
  mutable.identity = me.secretKey; // the same object, another key: parsed and expanded anew
  await read(containers[1] as Blob, mutable);
  expect(expansions).toBe(4);
  const both = { identity: [other.secretKey, me.secretKey] };
  await read(containers[0] as Blob, both);
  await read(containers[2] as Blob, both);
  expect(expansions).toBe(5); // other's stanza opens first: me is never tried, nor expanded
});
