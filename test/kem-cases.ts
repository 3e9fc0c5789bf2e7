/**
 * KEM backend cases (src/recipients/kem-backend.ts), run in Node (node, webcrypto, noble) and
 * Chromium (webcrypto, noble): every backend gives the bytes of the reference, panva's
 * @panva/hpke-noble KEMs (the ones stream-v2 used before its backends): on the envelope vectors,
 * on key derivation, on decapsulation (a damaged ML-KEM ciphertext too: implicit rejection), and
 * on stanzas sealed by one and opened by the other.
 */
import {
  AEAD_ChaCha20Poly1305,
  KDF_HKDF_SHA256,
  KEM_MLKEM768_X25519,
  KEM_DHKEM_X25519_HKDF_SHA256 as KEM_X25519,
} from '@panva/hpke-noble';
import { bech32 } from '@scure/base';
import { CipherSuite, type KEM } from 'hpke';
import { expect, it } from 'vitest';
import type { RecipientType } from '../src/recipients/envelope.js';
import { decodeEnvelope } from '../src/recipients/envelope.js';
import { makeSuite, openingKey, openStanza } from '../src/recipients/hpke.js';
import type { KemBackend } from '../src/recipients/kem-backend.js';
import { kemOf } from '../src/recipients/kems.js';
import { hex, toHex } from './helpers.js';
import vectors from './vectors/envelope.json';

const TYPES: RecipientType[] = ['x25519', 'x-wing'];
const reference = (type: RecipientType) => (type === 'x-wing' ? KEM_MLKEM768_X25519() : KEM_X25519());
const referenceSuite = (type: RecipientType) =>
  new CipherSuite(type === 'x-wing' ? KEM_MLKEM768_X25519 : KEM_X25519, KDF_HKDF_SHA256, AEAD_ChaCha20Poly1305);
const keyBytes = (text: string) => bech32.fromWords(bech32.decode(text as `${string}1${string}`, false).words);
const info = new Uint8Array(98).fill(3);

/** What a KEM makes of `ikm` (RFC 9180 DeriveKeyPair) and of its secret key's decapsulations. */
async function fingerprint(kem: KEM, ikm: Uint8Array, enc: Uint8Array): Promise<string[]> {
  const pair = await kem.DeriveKeyPair(ikm, true);
  const sk = await kem.DeserializePrivateKey(await kem.SerializePrivateKey(pair.privateKey), false);
  const damaged = enc.slice();
  damaged[7] = (damaged[7] as number) ^ 1; // X-Wing: inside the ML-KEM ciphertext
  const out = [
    toHex(await kem.SerializePublicKey(pair.publicKey)),
    toHex(await kem.SerializePrivateKey(pair.privateKey)),
  ];
  out.push(toHex(await kem.Decap(enc, sk, undefined)));
  // DHKEM: another point, another secret; X-Wing: ML-KEM's implicit rejection, the same for all.
  out.push(toHex(await kem.Decap(damaged, sk, undefined)));
  // A low-order X25519 share (all zero) is refused by every backend.
  const lowOrder = enc.slice();
  lowOrder.fill(0, enc.length - 32);
  out.push(await kem.Decap(lowOrder, sk, undefined).then(toHex, () => 'refused'));
  return out;
}

/** Whether `e` is, or was caused by, WebCrypto refusing a key (a DOMException DataError). */
function webCryptoRefusal(e: unknown): boolean {
  for (let x = e; x instanceof Error || x instanceof DOMException; x = (x as Error).cause) {
    if (x.name === 'DataError') return true;
  }
  return false;
}

/**
 * Runs each of `cases`; a case that a non-noble backend refuses with WebCrypto's DataError is
 * skipped (WebKit imports only some valid X25519 keys; the platform list then goes on to
 * noble, which envelope-vectors.test.ts runs through). Where a backend answers, it must give
 * the reference's bytes; and it must answer at least one case.
 */
async function eachAnswered<T>(backend: KemBackend, cases: readonly T[], f: (c: T) => Promise<void>) {
  let answered = 0;
  for (const c of cases) {
    try {
      await f(c);
      answered++;
    } catch (e) {
      if (backend.name === 'noble' || !webCryptoRefusal(e)) throw e;
    }
  }
  expect(answered).toBeGreaterThan(0);
}

/** Defines the cases for each of `backends` (each alone, as a platform list of one). */
export function crossCheckKemBackends(backends: readonly KemBackend[]): void {
  for (const backend of backends) {
    it(`${backend.name}: opens exactly the vectors' stanzas of each identity, to the file key`, async () => {
      const cases = vectors.positive.flatMap((v) => [...v.opens, ...v.wrong_key].map((name) => ({ v, name })));
      await eachAnswered(backend, cases, async ({ v, name }) => {
        const envelope = decodeEnvelope(hex(v.envelope_hex), true);
        const id = vectors.identities[name as keyof typeof vectors.identities];
        const type = id.type as RecipientType;
        const opening = await openingKey([backend], type, keyBytes(id.secretKey), name);
        const found = [];
        for (const s of envelope.stanzas) {
          const key = await openStanza(opening, s, envelope.header.bytes);
          if (key) found.push(toHex(key));
        }
        // Another identity's stanzas do not open; one identity's stanzas all hold the file key.
        expect(
          found.every((k) => k === v.file_key_hex),
          `${v.name}: ${name}`,
        ).toBe(true);
        expect(found.length > 0, `${v.name}: ${name}`).toBe(v.opens.includes(name));
      });
    });

    for (const type of TYPES) {
      it(`${backend.name}, ${type}: derives, decapsulates and refuses as the reference does`, async () => {
        const ours = kemOf(type, backend)();
        const ref = reference(type);
        await eachAnswered(backend, [1, 2, 3, 4, 5, 6], async () => {
          const ikm = crypto.getRandomValues(new Uint8Array(32));
          const peer = await ref.DeriveKeyPair(ikm, true);
          const { enc } = await ref.Encap(peer.publicKey);
          expect(await fingerprint(ours, ikm, enc)).toEqual(await fingerprint(ref, ikm, enc));
        });
      });

      it(`${backend.name}, ${type}: refuses to seal to a public key the KEM refuses`, async () => {
        const ours = makeSuite(type, backend);
        const pair = await referenceSuite(type).GenerateKeyPair(true);
        const bad = await referenceSuite(type).SerializePublicKey(pair.publicKey);
        // X-Wing: an ML-KEM coefficient of 4095 (FIPS 203 §7.2); X25519: a low-order point (zero).
        if (type === 'x-wing') bad.fill(0xff, 300, 303);
        else bad.fill(0);
        const pk = await ours.DeserializePublicKey(bad);
        await expect(ours.Seal(pk, new Uint8Array(32), { info })).rejects.toThrow();
      });

      it(`${backend.name}, ${type}: opens what the reference sealed, and the reference opens what it sealed`, async () => {
        const ours = makeSuite(type, backend);
        const ref = referenceSuite(type);
        const fileKey = crypto.getRandomValues(new Uint8Array(32));
        const pairs = [
          [ours, ref],
          [ref, ours],
        ] as const;
        await eachAnswered(backend, [...pairs, ...pairs, ...pairs], async ([sealer, opener]) => {
          const pair = await sealer.GenerateKeyPair(true);
          const pk = await opener.DeserializePublicKey(await sealer.SerializePublicKey(pair.publicKey));
          const sk = await opener.DeserializePrivateKey(await sealer.SerializePrivateKey(pair.privateKey), false);
          expect(await opener.SerializePublicKey(pk)).toEqual(await sealer.SerializePublicKey(pair.publicKey));
          const sealed = await sealer.Seal(pair.publicKey, fileKey, { info });
          expect(await opener.Open(sk, sealed.encapsulatedSecret, sealed.ciphertext, { info })).toEqual(fileKey);
          const back = await opener.Seal(pk, fileKey, { info });
          expect(await sealer.Open(pair.privateKey, back.encapsulatedSecret, back.ciphertext, { info })).toEqual(
            fileKey,
          );
        });
      });
    }
  }
}
