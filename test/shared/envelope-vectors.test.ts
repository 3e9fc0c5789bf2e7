/**
 * The key envelope vectors (test/vectors/envelope.json, made by scripts/envelope-vectors.mjs):
 * every positive one opens for each of its recipients, and as a container decrypts to its
 * plaintext; every negative one is refused with its code (docs/RECIPIENTS.md §2).
 */
import fc from 'fast-check';
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

it('any damage to an envelope (bytes changed, cut, extended) is refused with a code of §2, never anything else', async () => {
  const base = hex((vectors.positive[1] as (typeof vectors.positive)[number]).envelope_hex);
  const codes = ['TRUNCATED', 'BAD_HEADER', 'UNSUPPORTED', 'LIMIT_EXCEEDED', 'TRAILING_DATA', 'WRONG_KEY'];
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.nat({ max: base.length - 1 }), fc.integer({ min: 1, max: 255 })), {
        minLength: 1,
        maxLength: 4,
      }),
      fc.integer({ min: -base.length, max: 40 }),
      async (edits, resize) => {
        let bytes: Uint8Array = base.slice();
        for (const [at, x] of edits) bytes[at] = (bytes[at] as number) ^ x;
        if (resize < 0) bytes = bytes.slice(0, base.length + resize);
        else if (resize > 0) bytes = concat([bytes, new Uint8Array(resize)]);
        const code = await codeOf(openEnvelope(bytes, secretOf('alice')));
        // A change can only leave it opening when it touched nothing alice's stanza or the
        // header needs (bob's stanza, say) and left the length alone.
        return code === undefined ? resize === 0 : codes.includes(code);
      },
    ),
    { seed: 22, numRuns: 150 },
  );
});
