/**
 * The shape checks of a resume state (issue 20, F14): digest keys that are not canonical
 * decimal segment numbers, or past the last segment, digests that are not 64 lowercase hex
 * digits, sizes that are no sizes, unknown fields: each is BAD_ARGUMENT, before the state is
 * compared with the source (SOURCE_CHANGED is for a valid state of another source).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { encryptBlob, type ResumeState } from '#lib';
import { seededBytes, toHex } from '../helpers.js';
import { codeOf, sameBytesOrIndex } from '../random-helpers.js';

const key = new Uint8Array(32).fill(3);
/** 500 bytes in 48-byte segments: segments 0..10. */
const plain = seededBytes(500, 14);
const blob = new Blob([plain as Uint8Array<ArrayBuffer>]);
const DIGEST = 'ab'.repeat(32);

let state: ResumeState;
let wire: Uint8Array;
beforeAll(async () => {
  const enc = await encryptBlob(blob, key, { frameSize: 16, framesPerSegment: 3, workers: 0 });
  wire = await enc.read(0, enc.ciphertextSize); // every segment released: all 11 digests recorded
  state = JSON.parse(JSON.stringify(enc.resumeState())) as ResumeState;
  enc.close();
});

/** The state with `edit` applied to a copy of it (an `undefined` value deletes the field). */
function edited(edit: Record<string, unknown>, digests?: Record<string, unknown>): unknown {
  const out: Record<string, unknown> = { ...state, ...edit };
  for (const [k, v] of Object.entries(edit)) if (v === undefined) delete out[k];
  if (digests) out['digests'] = { ...state.digests, ...digests };
  return out;
}

describe('resume state: malformed states are BAD_ARGUMENT', () => {
  const cases: Array<[string, () => unknown]> = [
    ['null', () => null],
    ['a number', () => 5],
    ['an array', () => [state]],
    ['version 2', () => edited({ version: 2 })],
    ['version "1"', () => edited({ version: '1' })],
    ['no version', () => edited({ version: undefined })],
    ['an unknown field', () => edited({ uploadId: 'x' })],
    ['header in uppercase hex', () => edited({ header: state.header.toUpperCase() })],
    ['header one byte short', () => edited({ header: state.header.slice(2) })],
    ['header a number', () => edited({ header: 1 })],
    ['plaintextSize -1', () => edited({ plaintextSize: -1 })],
    ['plaintextSize 1.5', () => edited({ plaintextSize: 1.5 })],
    ['plaintextSize "500"', () => edited({ plaintextSize: '500' })],
    ['plaintextSize NaN', () => edited({ plaintextSize: Number.NaN })],
    ['plaintextSize 2^53', () => edited({ plaintextSize: 2 ** 53 })],
    ['plaintextSize whose ciphertext size is past 2^53', () => edited({ plaintextSize: Number.MAX_SAFE_INTEGER - 1 })],
    ['no plaintextSize', () => edited({ plaintextSize: undefined })],
    ['lastModified "x"', () => edited({ lastModified: 'x' })],
    ['lastModified NaN', () => edited({ lastModified: Number.NaN })],
    ['lastModified null', () => edited({ lastModified: null })],
    ['digests null', () => edited({ digests: null })],
    ['digests an array', () => edited({ digests: [DIGEST] })],
    ['digests a string', () => edited({ digests: DIGEST })],
    ['no digests', () => edited({ digests: undefined })],
    ...['1e0', '0x1', '', '01', '00', '-0', '-1', '1.0', ' 1', '1 ', '+1', '1e3', '٣'].map(
      (k): [string, () => unknown] => [`digest key ${JSON.stringify(k)}`, () => edited({}, { [k]: DIGEST })],
    ),
    ['digest key past the last segment (11 of 0..10)', () => edited({}, { 11: DIGEST })],
    ['digest key far past the end', () => edited({}, { 9007199254740991: DIGEST })],
    ['digest in uppercase', () => edited({}, { 3: DIGEST.toUpperCase() })],
    ['digest of 63 hex digits', () => edited({}, { 3: DIGEST.slice(1) })],
    ['digest of 65 hex digits', () => edited({}, { 3: `${DIGEST}a` })],
    ['digest not hex', () => edited({}, { 3: 'g'.repeat(64) })],
    ['digest a number', () => edited({}, { 3: 1 })],
    ['digest null', () => edited({}, { 3: null })],
  ];
  it.each(cases)('%s', async (_, make) => {
    expect(await codeOf(() => encryptBlob(blob, key, { workers: 0, resume: make() as ResumeState }))).toBe(
      'BAD_ARGUMENT',
    );
  });

  it('plaintextSize -1 is BAD_ARGUMENT, not SOURCE_CHANGED, for a source of another size (shape first)', async () => {
    const other = new Blob([plain.subarray(1) as Uint8Array<ArrayBuffer>]);
    const bad = edited({ plaintextSize: -1 }) as ResumeState;
    expect(await codeOf(() => encryptBlob(other, key, { workers: 0, resume: bad }))).toBe('BAD_ARGUMENT');
  });
});

describe('resume state: valid states resume to the same bytes', () => {
  const valid: Array<[string, () => unknown]> = [
    ['the state as taken', () => state],
    ['only the last segment (key "10")', () => edited({ digests: { 10: state.digests['10'] } })],
    ['only segment 0 (key "0")', () => edited({ digests: { 0: state.digests['0'] } })],
    ['an explicit lastModified: undefined (a Blob has none)', () => ({ ...state, lastModified: undefined })],
  ];
  it.each(valid)('%s', async (_, make) => {
    const enc = await encryptBlob(blob, key, { workers: 0, resume: make() as ResumeState });
    expect(toHex(enc.header.bytes)).toBe(state.header);
    expect(sameBytesOrIndex(await enc.read(0, enc.ciphertextSize), wire)).toBe(-1);
    enc.close();
  });

  it('a state that records no segment proves nothing, and is refused (start afresh)', async () => {
    const code = await codeOf(() =>
      encryptBlob(blob, key, { workers: 0, resume: edited({ digests: {} }) as ResumeState }),
    );
    expect(code).toBe('BAD_ARGUMENT');
  });

  it('a valid state of another source is still SOURCE_CHANGED', async () => {
    const other = new Blob([plain.subarray(1) as Uint8Array<ArrayBuffer>]);
    expect(await codeOf(() => encryptBlob(other, key, { workers: 0, resume: state }))).toBe('SOURCE_CHANGED');
  });
});
