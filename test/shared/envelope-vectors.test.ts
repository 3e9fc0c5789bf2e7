/**
 * The key envelope vectors (test/vectors/envelope.json, made by scripts/envelope-vectors.mjs):
 * every positive one opens for each of its recipients, and as a container decrypts to its
 * plaintext; every negative one is refused with its code (docs/RECIPIENTS.md §2).
 */
import { describe, expect, it } from 'vitest';
import { DecryptSegmentTransform, openEncrypted, openEnvelope } from '#lib';
import { concat, hex, run, toHex } from '../helpers.js';
import { codeOf } from '../random-helpers.js';
import vectors from '../vectors/envelope.json';

type Name = keyof typeof vectors.identities;
const secretOf = (name: string) => vectors.identities[name as Name].secretKey;

describe('positive envelope vectors', () => {
  it('hold both types, one to 64 stanzas', () => {
    const counts = vectors.positive.map((v) => hex(v.envelope_hex)[5]);
    expect(counts).toEqual([1, 2, 1, 64]);
  });

  for (const v of vectors.positive) {
    it(`${v.name}: opens for ${v.opens.join(', ')}, WRONG_KEY for ${v.wrong_key.join(', ')}`, async () => {
      const envelope = hex(v.envelope_hex);
      const stream = hex(v.stream_hex);
      for (const name of v.opens) {
        const opened = await openEnvelope(envelope, secretOf(name));
        expect(toHex(opened.fileKey)).toBe(v.file_key_hex);
        expect(toHex(opened.header.bytes)).toBe(v.stream_hex.slice(0, 160));
      }
      for (const name of v.wrong_key) expect(await codeOf(openEnvelope(envelope, secretOf(name)))).toBe('WRONG_KEY');
      const text = new TextEncoder().encode(v.plaintext);
      const dec = await run(new DecryptSegmentTransform({ identity: secretOf(v.opens[0] as string) }, { workers: 0 }), [
        concat([envelope, stream]),
      ]);
      expect(dec.error).toBeUndefined();
      expect(dec.output).toEqual(text);
      const file = await openEncrypted(new Blob([stream.slice()]), hex(v.file_key_hex), { workers: 0 });
      expect(await file.read(0, file.plaintextSize)).toEqual(text);
      file.close();
    });
  }
});

describe('negative envelope vectors', () => {
  it('cover every refusal of §2', () => {
    const codes = new Set(vectors.negative.flatMap((v) => v.errors));
    for (const c of ['TRUNCATED', 'BAD_HEADER', 'UNSUPPORTED', 'LIMIT_EXCEEDED', 'TRAILING_DATA', 'WRONG_KEY']) {
      expect(codes).toContain(c);
    }
  });

  for (const v of vectors.negative) {
    it(`${v.name}: ${v.errors.join(' or ')}`, async () => {
      expect(v.errors).toContain(await codeOf(openEnvelope(hex(v.envelope_hex), secretOf(v.identity))));
    });
  }
});
