/**
 * node:crypto's KEM backend gives the reference's bytes (test/kem-cases.ts): its X25519 with
 * noble's ML-KEM-768 (Node 20, 22), and with its own where this Node has one (Node 24.7 on),
 * each ML-KEM pinned on its own.
 */
import * as nodeCrypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nodePlatform } from '../../src/platform/node.js';
import { nobleKemBackend, nobleMlKem768 } from '../../src/recipients/kem-backend.js';
import { nodeKemBackend, nodeMlKem768, nodeX25519 } from '../../src/recipients/kem-node.js';
import { crossCheckKemBackends } from '../kem-cases.js';

it('finds node:crypto’s ML-KEM-768 exactly where this Node has crypto.decapsulate', () => {
  const has = typeof (nodeCrypto as { decapsulate?: unknown }).decapsulate === 'function';
  expect(nodeMlKem768() !== undefined).toBe(has);
});

it('the Node platform tries node:crypto first, noble last', () => {
  expect(nodePlatform.kemBackends).toEqual([nodeKemBackend, nobleKemBackend]);
});

describe('KEM backends of the Node platform', () => {
  const nodeWithNoble = { name: 'node X25519 + noble ML-KEM', ...nodeX25519, ...nobleMlKem768 };
  crossCheckKemBackends(nodeMlKem768() ? [nodeKemBackend, nodeWithNoble] : [nodeKemBackend]);
});
