/**
 * The key envelope against a second, independent HPKE implementation (hpke-js: @hpke/core with
 * @hpke/dhkem-x25519, @hpke/hybridkem-x-wing and its own ML-KEM, `mlkem`; stream-v2 uses panva's
 * `hpke`, with KEMs of its own over node:crypto, WebCrypto or noble). The envelope is parsed here
 * from docs/RECIPIENTS.md §1 alone: hpke-js opens every stanza of the vectors, and stream-v2
 * opens stanzas that hpke-js sealed. Each KEM backend against panva's noble KEMs: test/kem-cases.ts.
 */
import { Chacha20Poly1305 } from '@hpke/chacha20poly1305';
import { CipherSuite, HkdfSha256 } from '@hpke/core';
import { DhkemX25519HkdfSha256 } from '@hpke/dhkem-x25519';
import { XWing } from '@hpke/hybridkem-x-wing';
import { bech32 } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { openEnvelope } from '#lib';
import { concat, hex, toHex } from '../helpers.js';
import vectors from '../vectors/envelope.json';

const KEMS = { 1: () => new DhkemX25519HkdfSha256(), 2: () => new XWing() } as const;
const suiteOf = (type: 1 | 2) =>
  new CipherSuite({ kem: KEMS[type](), kdf: new HkdfSha256(), aead: new Chacha20Poly1305() });
const TYPE = { x25519: 1, 'x-wing': 2 } as const;
const info = (header: Uint8Array) => concat([new TextEncoder().encode('stream_v2 envelope'), header]);

type Name = keyof typeof vectors.identities;
const keyBytes = (text: string) => bech32.fromWords(bech32.decode(text as `${string}1${string}`, false).words);

/** §1, read with nothing of stream-v2: the header and each stanza's type, enc and ct. */
function parse(envelope: Uint8Array) {
  const view = new DataView(envelope.buffer, envelope.byteOffset, envelope.byteLength);
  const header = envelope.subarray(10, 90);
  const stanzas: { type: number; enc: Uint8Array; ct: Uint8Array }[] = [];
  let at = 90;
  for (let i = 0; i < (envelope[5] as number); i++) {
    const encLength = view.getUint16(at + 1);
    const ctLength = view.getUint16(at + 3);
    const enc = envelope.subarray(at + 5, at + 5 + encLength);
    stanzas.push({
      type: envelope[at] as number,
      enc,
      ct: envelope.subarray(at + 5 + encLength, at + 5 + encLength + ctLength),
    });
    at += 5 + encLength + ctLength;
  }
  expect(at).toBe(view.getUint32(6));
  return { header, stanzas };
}

describe('hpke-js and stream-v2 agree on the envelope', () => {
  it('hpke-js opens, in every positive vector, exactly the stanza of each recipient, to the file key', async () => {
    // The 64-stanza vector holds nothing the others do not (hpke-js takes ~20 ms a stanza).
    for (const v of vectors.positive.filter((x) => hex(x.envelope_hex)[5] !== 64)) {
      const { header, stanzas } = parse(hex(v.envelope_hex));
      for (const name of v.opens) {
        const id = vectors.identities[name as Name];
        const suite = suiteOf(TYPE[id.type as keyof typeof TYPE]);
        const recipientKey = await suite.kem.deserializePrivateKey(keyBytes(id.secretKey).slice().buffer);
        const opened: string[] = [];
        for (const s of stanzas.filter((x) => x.type === TYPE[id.type as keyof typeof TYPE])) {
          try {
            const pt = await suite.open({ recipientKey, enc: s.enc.slice().buffer, info: info(header) }, s.ct.slice());
            opened.push(toHex(new Uint8Array(pt)));
          } catch {
            // another recipient's stanza
          }
        }
        expect(opened, `${v.name}: ${name}`).toEqual([v.file_key_hex]);
      }
    }
  });

  it('stream-v2 opens stanzas that hpke-js sealed (X25519 and X-Wing), and none under another info', async () => {
    const v = vectors.positive[1] as (typeof vectors.positive)[number];
    const header = hex(v.stream_hex).subarray(0, 80);
    const fileKey = hex(v.file_key_hex);
    const stanza = async (name: Name, withInfo: Uint8Array) => {
      const id = vectors.identities[name];
      const type = TYPE[id.type as keyof typeof TYPE];
      const suite = suiteOf(type);
      const recipientPublicKey = await suite.kem.deserializePublicKey(keyBytes(id.publicKey).slice().buffer);
      const { enc, ct } = await suite.seal({ recipientPublicKey, info: withInfo }, fileKey.slice().buffer);
      const head = new Uint8Array(5);
      head[0] = type;
      new DataView(head.buffer).setUint16(1, enc.byteLength);
      new DataView(head.buffer).setUint16(3, ct.byteLength);
      return concat([head, new Uint8Array(enc), new Uint8Array(ct)]);
    };
    const envelopeOf = (stanzas: Uint8Array[]) => {
      const body = concat(stanzas);
      const prefix = new Uint8Array([0x53, 0x56, 0x32, 0x45, 1, stanzas.length, 0, 0, 0, 0]);
      new DataView(prefix.buffer).setUint32(6, 90 + body.length);
      return concat([prefix, header, body]);
    };
    const envelope = envelopeOf([await stanza('bob', info(header)), await stanza('alice', info(header))]);
    for (const name of ['alice', 'bob'] as const) {
      const opened = await openEnvelope(envelope, vectors.identities[name].secretKey);
      expect(toHex(opened.fileKey)).toBe(v.file_key_hex);
    }
    // The info binds the header (§1): a stanza sealed with the label alone does not open.
    const unbound = envelopeOf([await stanza('alice', new TextEncoder().encode('stream_v2 envelope'))]);
    await expect(openEnvelope(unbound, vectors.identities.alice.secretKey)).rejects.toMatchObject({
      code: 'WRONG_KEY',
    });
  });
});
