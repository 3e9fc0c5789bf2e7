import { describe, expect, it } from 'vitest';
import { bindPlatform } from '../../src/bind.js';
import { nobleBackend } from '../../src/crypto/noble.js';
import { nodeBackend } from '../../src/crypto/node.js';
import { webCryptoBackend } from '../../src/crypto/webcrypto.js';
import { crossCheckBackends } from '../backends-cases.js';
import {
  type PositiveVector,
  positive,
  run,
  sameBytes,
  vectorEncryptOptions,
  vectorPlaintext,
  vectorSecret,
} from '../helpers.js';
import { vectorCiphertext } from '../random-helpers.js';
import { isReference } from '../reference.js';
import { standInPlatform } from './stand-in.js';

describe('backends (primitives)', () => crossCheckBackends([nodeBackend, webCryptoBackend, nobleBackend]));

describe('backends (whole streams)', () => {
  const picks = (positive.vectors as PositiveVector[]).filter((v) =>
    ['s1-f16x3-p239', 's2-f32x2-p319', 's2-default-p2109497', 's1-default-p1048577'].includes(v.name),
  );
  it('covers both suites, several segments and the default layout', () => {
    expect(picks.length).toBeGreaterThanOrEqual(3);
    expect(new Set(picks.map((v) => v.suite)).size).toBe(2);
  });
  // A backend is a platform's choice, not an option: a platform that has only that one (its
  // stand-in workers run the same list) makes every segment go through it.
  const only = { node: nodeBackend, webcrypto: webCryptoBackend, noble: nobleBackend } as const;
  for (const v of picks) {
    const backends = v.suite === 2 ? (['node', 'webcrypto', 'noble'] as const) : (['node', 'noble'] as const);
    for (const backend of backends) {
      for (const workers of [0, 2]) {
        it(`${v.name}: backend=${backend} workers=${workers} gives the reference bytes and decrypts them`, async () => {
          const api = bindPlatform(standInPlatform({ backends: [only[backend]] }));
          const enc = await run(
            new api.EncryptSegmentTransform(vectorSecret(v), { ...vectorEncryptOptions(v), workers }),
            [vectorPlaintext(v)],
          );
          expect(enc.error).toBeUndefined();
          expect(await isReference(vectorSecret(v), vectorPlaintext(v), enc.output)).toBe(true);
          const dec = await run(new api.DecryptSegmentTransform(vectorSecret(v), { workers }), [
            await vectorCiphertext(v),
          ]);
          expect(dec.error).toBeUndefined();
          expect(sameBytes(dec.output, vectorPlaintext(v))).toBe(true);
        });
      }
    }
  }

  it('a platform whose backends cannot do the suite is refused with UNSUPPORTED', async () => {
    const api = bindPlatform(standInPlatform({ backends: [webCryptoBackend] }));
    const key = new Uint8Array(32);
    const enc = await run(new api.EncryptSegmentTransform(key, { suite: 'chacha20-poly1305', workers: 0 }), [
      new Uint8Array(10),
    ]);
    expect((enc.error as { code?: string }).code).toBe('UNSUPPORTED');
  });
});
