/**
 * Seeded, time-boxed fuzzing of the decoder (spec §6, §7): streams of several layouts, suites and
 * secrets get bit flips, byte insertions and deletions, truncations, swapped, dropped, duplicated
 * and spliced segments, and frame-header field edits; each damaged stream is decrypted from
 * random chunk sizes, inline and on a shared pool. Whatever the damage: the decoder ends (no
 * hang) with the original plaintext (only if the bytes are unchanged) or with a StreamV2Error of
 * a spec §7 code, and everything it released before failing is whole verified segments, in order.
 */

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DecryptSegmentTransform,
  encryptBlob,
  IMPLEMENTATION_ERROR_CODES,
  openEncrypted,
  type ResumeState,
  type Secret,
  SPEC_ERROR_CODES,
  StreamV2Error,
  type SuiteName,
  WorkerPool,
} from '#lib';
import { chunked, fullSegmentWire, run, sameBytes, seededBytes, within } from '../helpers.js';
import { referenceCiphertext } from '../reference.js';
import { applyCase, stateCaseArb } from '../resume-mutations.js';

const SEED = 0x5eed_f022;
/** Time budget of the fuzzing loop; the runs in flight when it ends still finish. */
/** 15 s; STREAM_V2_FUZZ_MS shortens it (the extra Node versions of npm test: the same cases, fewer). */
const BUDGET_MS = Number(process.env['STREAM_V2_FUZZ_MS']) || 15_000;
/** A decrypt that takes longer has hung (the streams here are a few KiB). */
const CASE_TIMEOUT_MS = 10_000;
const HEADER = 80;
const FRAME_HEADER = 18;

const KEY = seededBytes(32, 0x6b6579);
const PASSPHRASE = { passphrase: 'fuzz pass' };
/** A damaged log_n must not start a 1 GiB scrypt: the limit turns it into LIMIT_EXCEEDED. */
const LIMITS = { maxLogN: 8 };

interface Fixture {
  name: string;
  secret: Secret;
  plaintext: Uint8Array;
  ciphertext: Uint8Array;
  frameSize: number;
  /** S: plaintext bytes of a full segment. */
  segmentBytes: number;
  /** W: wire bytes of a full segment (spec §5). */
  segmentWire: number;
  /** Wire offsets of every frame header (spec §4), header excluded. */
  frames: number[];
}

/** Offsets of the frame headers of an undamaged stream, following each frame's length field. */
function frameOffsets(wire: Uint8Array): number[] {
  const view = new DataView(wire.buffer, wire.byteOffset, wire.byteLength);
  const out: number[] = [];
  for (let at = HEADER; at + FRAME_HEADER <= wire.length; at += FRAME_HEADER + view.getUint32(at + 14) + 16) {
    out.push(at);
  }
  return out;
}

/** Cuts a (possibly damaged) stream into its header and the W-sized slices where segments belong. */
function segmentsOf(wire: Uint8Array, w: number): { header: Uint8Array; segments: Uint8Array[] } {
  const segments: Uint8Array[] = [];
  for (let at = HEADER; at < wire.length; at += w) segments.push(wire.subarray(at, Math.min(at + w, wire.length)));
  return { header: wire.subarray(0, Math.min(HEADER, wire.length)), segments };
}

function concatAll(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The damage, as plain data (so that fast-check prints and shrinks it); positions wrap around. */
type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'drop'; segment: number }
  | { kind: 'duplicate'; segment: number; to: number }
  | { kind: 'splice'; donor: number; from: number; to: number }
  | { kind: 'field'; frame: number; field: Field; edit: number | 'random' };

/** Frame header fields (spec §4): [offset, size]. */
const FIELDS = {
  segment_index: [0, 8],
  frame_index: [8, 4],
  frame_type: [12, 1],
  flags: [13, 1],
  length: [14, 4],
} as const;
type Field = keyof typeof FIELDS;

const posArb = fc.nat({ max: 1 << 20 });
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: posArb, bit: fc.nat({ max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: posArb, value: fc.nat({ max: 255 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: posArb,
    bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: posArb, length: fc.integer({ min: 1, max: 60 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: posArb }),
  fc.record({ kind: fc.constant('swap' as const), a: fc.nat({ max: 7 }), b: fc.nat({ max: 7 }) }),
  fc.record({ kind: fc.constant('drop' as const), segment: fc.nat({ max: 7 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), segment: fc.nat({ max: 7 }), to: fc.nat({ max: 8 }) }),
  fc.record({
    kind: fc.constant('splice' as const),
    donor: fc.nat({ max: 63 }),
    from: fc.nat({ max: 7 }),
    to: fc.nat({ max: 7 }),
  }),
  fc.record({
    kind: fc.constant('field' as const),
    frame: fc.nat({ max: 200 }),
    field: fc.constantFrom(...(Object.keys(FIELDS) as Field[])),
    edit: fc.oneof(fc.integer({ min: -2, max: 2 }), fc.constant('random' as const)),
  }),
);

/** Applies one mutation to `wire` (a copy comes back; `wire` is not changed). */
function mutate(wire: Uint8Array, m: Mutation, f: Fixture, all: readonly Fixture[]): Uint8Array {
  const n = wire.length;
  const at = (p: number, span = n) => (span === 0 ? 0 : p % span);
  switch (m.kind) {
    case 'flip':
    case 'set': {
      const out = wire.slice();
      if (n === 0) return out;
      const i = at(m.at);
      out[i] = m.kind === 'flip' ? (out[i] as number) ^ (1 << m.bit) : m.value;
      return out;
    }
    case 'insert': {
      const i = at(m.at, n + 1);
      return concatAll([wire.subarray(0, i), m.bytes, wire.subarray(i)]);
    }
    case 'delete': {
      const i = at(m.at);
      return concatAll([wire.subarray(0, i), wire.subarray(i + m.length)]);
    }
    case 'truncate':
      return wire.slice(0, at(m.at));
    case 'field': {
      const out = wire.slice();
      const frame = f.frames[m.frame % f.frames.length] as number;
      const [offset, size] = FIELDS[m.field];
      if (frame + offset + size > n) return out;
      const view = new DataView(out.buffer);
      const start = frame + offset;
      const old =
        size === 8 ? view.getBigUint64(start) : BigInt(size === 4 ? view.getUint32(start) : view.getUint8(start));
      const modulus = 1n << BigInt(8 * size);
      const edited =
        m.edit === 'random'
          ? BigInt(seededBytes(size, m.frame * 31 + offset + 1).reduce((v, b) => v * 256 + b, 0)) % modulus
          : (old + BigInt(m.edit) + modulus) % modulus;
      if (size === 8) view.setBigUint64(start, edited);
      else if (size === 4) view.setUint32(start, Number(edited));
      else view.setUint8(start, Number(edited));
      return out;
    }
    default: {
      const { header, segments } = segmentsOf(wire, f.segmentWire);
      const k = segments.length;
      if (k === 0) return wire.slice();
      const s = segments.slice();
      if (m.kind === 'swap') {
        const a = m.a % k;
        const b = m.b % k;
        [s[a], s[b]] = [s[b] as Uint8Array, s[a] as Uint8Array];
      } else if (m.kind === 'drop') {
        s.splice(m.segment % k, 1);
      } else if (m.kind === 'duplicate') {
        s.splice(m.to % (k + 1), 0, s[m.segment % k] as Uint8Array);
      } else {
        // A segment of another stream (maybe the same key and layout, but its own salt).
        const donor = all[m.donor % all.length] as Fixture;
        const d = segmentsOf(donor.ciphertext, donor.segmentWire).segments;
        s[m.to % k] = d[m.from % d.length] as Uint8Array;
      }
      return concatAll([header, ...s]);
    }
  }
}

/** Plaintext of segment `i` (spec §5: plaintext byte p lies in segment floor(p / S)). */
function segmentPlaintext(f: Fixture, i: number): Uint8Array {
  return f.plaintext.subarray(i * f.segmentBytes, (i + 1) * f.segmentBytes);
}

/** Number of original segments that lie wholly before wire offset `pos`. */
function segmentsBefore(f: Fixture, pos: number): number {
  let k = 0;
  for (let end = HEADER + f.segmentWire; ; end += f.segmentWire) {
    if (Math.min(end, f.ciphertext.length) > pos) return k;
    k++;
    if (end >= f.ciphertext.length) return k;
  }
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

let pool: WorkerPool;
const fixtures: Fixture[] = [];

beforeAll(async () => {
  pool = new WorkerPool({ size: 2 });
  // Small frames and segments, so that each stream has several segments (and a short last one).
  const layouts = [
    { frameSize: 16, framesPerSegment: 3, size: 200 },
    { frameSize: 7, framesPerSegment: 2, size: 56 },
    { frameSize: 64, framesPerSegment: 1, size: 255 },
    { frameSize: 5, framesPerSegment: 4, size: 0 },
  ];
  const suites: SuiteName[] = ['aes-256-gcm', 'chacha20-poly1305'];
  let seed = 1;
  for (const suite of suites) {
    for (const [kind, secret] of [
      ['key', KEY],
      ['passphrase', PASSPHRASE],
    ] as const) {
      for (const { frameSize, framesPerSegment, size } of layouts) {
        seed++;
        const plaintext = seededBytes(size, 1000 + seed);
        // A seeded salt, so that the fixtures (and the fuzzing) replay: the test-only reference
        // encoder, since no public API chooses a salt.
        const params = {
          suite,
          frameSize,
          framesPerSegment,
          salt: seededBytes(32, 7000 + seed),
          ...(kind === 'passphrase' ? { logN: 1 + (seed % 4) } : {}),
        };
        const r = { output: await referenceCiphertext(secret, params, plaintext) };
        fixtures.push({
          name: `${suite}/${kind}/${frameSize}x${framesPerSegment}/${size}`,
          secret,
          plaintext,
          ciphertext: r.output,
          frameSize,
          segmentBytes: frameSize * framesPerSegment,
          segmentWire: fullSegmentWire(frameSize, framesPerSegment),
          frames: frameOffsets(r.output),
        });
      }
    }
  }
});

afterAll(async () => {
  await pool?.terminate();
});

describe(`decoder fuzzing (fast-check seed ${SEED}, ${BUDGET_MS / 1000} s budget)`, () => {
  it('any damage ends in the plaintext (bytes unchanged) or a spec §7 StreamV2Error, releasing only whole verified segments in order', async () => {
    const stats = { runs: 0, unchanged: 0, released: 0, codes: new Map<string, number>() };
    const caseArb = fc.record({
      fixture: fc.nat({ max: fixtures.length - 1 }),
      mutations: fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
      workers: fc.constantFrom<'inline' | 'pool'>('inline', 'pool'),
      chunking: fc.oneof(
        fc.constant<'whole'>('whole'),
        fc.constant<'bytes'>('bytes'),
        fc.record({ seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }), max: fc.integer({ min: 1, max: 300 }) }),
      ),
    });
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const f = fixtures[c.fixture] as Fixture;
        let damaged = f.ciphertext;
        for (const m of c.mutations) damaged = mutate(damaged, m, f, fixtures);
        const options = {
          limits: LIMITS,
          workers: c.workers === 'pool' ? pool : 0,
        };
        const r = await within(
          run(new DecryptSegmentTransform(f.secret, options), chunked(damaged, c.chunking)),
          CASE_TIMEOUT_MS,
          `decrypt of ${f.name}`,
        );
        stats.runs++;
        const diff = firstDifference(f.ciphertext, damaged);
        if (diff === -1) {
          // (a) bytes unchanged (e.g. a segment swapped with itself): the exact plaintext, segment by segment.
          expect(r.error).toBeUndefined();
          expect(sameBytes(r.output, f.plaintext)).toBe(true);
          stats.unchanged++;
        } else {
          // (a) damaged: a StreamV2Error with a spec §7 code, never a raw TypeError or RangeError.
          expect(r.error, `released ${r.chunks.length} chunks and no error`).toBeDefined();
          if (!StreamV2Error.is(r.error))
            throw new Error(`not a StreamV2Error: ${String(r.error)}`, { cause: r.error });
          expect(SPEC_ERROR_CODES).toContain(r.error.code);
          stats.codes.set(r.error.code, (stats.codes.get(r.error.code) ?? 0) + 1);
          // spec §6.3: no segment that holds a changed byte verifies, hence none from there on goes out.
          expect(r.chunks.length).toBeLessThanOrEqual(segmentsBefore(f, diff));
          if (r.chunks.length > 0) stats.released++;
        }
        // (c) each released chunk is exactly one whole segment's plaintext, in stream order.
        for (const [i, chunk] of r.chunks.entries()) {
          if (!sameBytes(chunk, segmentPlaintext(f, i))) throw new Error(`chunk ${i} is not segment ${i}'s plaintext`);
        }
      }),
      { seed: SEED, numRuns: 100_000, plugins: [fc.interruptAfterTimeLimit(BUDGET_MS)] },
    );
    const codes = Object.fromEntries(stats.codes);
    console.log(
      `fuzz seed ${SEED}: ${stats.runs} runs in ${Math.round(performance.now() - started)} ms, ` +
        `${stats.unchanged} unchanged, ${stats.released} released good segments first; codes ${JSON.stringify(codes)}`,
    );
    // Not vacuous: enough cases ran, some released the good segments before the damage, and
    // the damage reached more than the header check.
    expect(stats.runs).toBeGreaterThan(50);
    expect(stats.released).toBeGreaterThan(0);
    expect(stats.codes.size).toBeGreaterThanOrEqual(4);
  });
});

describe(`resume-state fuzzing (fast-check seed ${SEED})`, () => {
  it('a mutated resume state resumes to byte-identical output or fails with a StreamV2Error code (BAD_ARGUMENT when malformed)', async () => {
    // 300 bytes in 48-byte segments (0..6), from a File: the state carries lastModified.
    const plain = seededBytes(300, 0x7e5);
    const file = new File([plain as Uint8Array<ArrayBuffer>], 'p.bin', { lastModified: 1234 });
    const first = await encryptBlob(file, KEY, { frameSize: 16, framesPerSegment: 3, workers: 0 });
    const wire = await first.read(0, first.ciphertextSize); // every segment released: 7 digests
    const state = first.resumeState();
    first.close();
    const codes = new Set<string>([...SPEC_ERROR_CODES, ...IMPLEMENTATION_ERROR_CODES]);
    const stats = { runs: 0, identical: 0, outcomes: new Map<string, number>() };
    const count = (what: string) => stats.outcomes.set(what, (stats.outcomes.get(what) ?? 0) + 1);
    await fc.assert(
      fc.asyncProperty(stateCaseArb, async (c) => {
        const { state: mutated, mustBe } = applyCase(state, c, 7);
        stats.runs++;
        let bytes: Uint8Array | undefined;
        let error: unknown;
        try {
          const again = await encryptBlob(file, KEY, { workers: 0, resume: mutated as ResumeState });
          try {
            bytes = await within(again.read(0, again.ciphertextSize), CASE_TIMEOUT_MS, 'resumed slice');
          } finally {
            again.close();
          }
        } catch (e) {
          error = e;
        }
        if (error === undefined) {
          // Never other bytes: a state that resumes gives exactly the first encryption's.
          expect(mustBe, 'a malformed state resumed').toBeUndefined();
          expect(sameBytes(bytes as Uint8Array, wire)).toBe(true);
          stats.identical++;
          return;
        }
        if (!StreamV2Error.is(error)) throw new Error(`not a StreamV2Error: ${String(error)}`, { cause: error });
        expect(codes.has(error.code)).toBe(true);
        if (mustBe !== undefined) expect(error.code, error.message).toBe(mustBe);
        count(error.code);
      }),
      { seed: SEED, numRuns: 1000, plugins: [fc.interruptAfterTimeLimit(Math.min(BUDGET_MS, 5000))] },
    );
    console.log(
      `resume fuzz seed ${SEED}: ${stats.runs} runs, ${stats.identical} identical; ` +
        `codes ${JSON.stringify(Object.fromEntries(stats.outcomes))}`,
    );
    // Not vacuous: states resumed, malformed ones were refused, changed digests were caught.
    expect(stats.identical).toBeGreaterThan(0);
    expect(stats.outcomes.get('BAD_ARGUMENT') ?? 0).toBeGreaterThan(0);
    expect(stats.outcomes.get('SOURCE_CHANGED') ?? 0).toBeGreaterThan(0);
  });
});

describe(`random access over mutated sources (fast-check seed ${SEED})`, () => {
  /**
   * The same damage, opened with openEncrypted and read at random ranges, inline and on the
   * pool: it opens only with the true plaintext size (the last TERMINATOR authenticates it), a
   * read gives exactly the plaintext's bytes or a StreamV2Error of a known code, never others.
   */
  it('never releases a wrong byte; every failure has a code', async () => {
    const codes = new Set<string>([...SPEC_ERROR_CODES, ...IMPLEMENTATION_ERROR_CODES]);
    const stats = { runs: 0, opened: 0, reads: 0, good: 0, outcomes: new Map<string, number>() };
    const count = (code: string) => stats.outcomes.set(code, (stats.outcomes.get(code) ?? 0) + 1);
    const caseArb = fc.record({
      fixture: fc.nat({ max: fixtures.length - 1 }),
      mutations: fc.array(mutationArb, { minLength: 1, maxLength: 2 }),
      workers: fc.constantFrom<'inline' | 'pool'>('inline', 'pool'),
      ranges: fc.array(
        fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
        {
          minLength: 1,
          maxLength: 4,
        },
      ),
    });
    const expectFailure = (e: unknown) => {
      if (!StreamV2Error.is(e)) throw new Error(`not a StreamV2Error: ${String(e)}`, { cause: e });
      expect(codes.has(e.code), e.code).toBe(true);
      count(e.code);
    };
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const f = fixtures[c.fixture] as Fixture;
        let damaged = f.ciphertext;
        for (const m of c.mutations) damaged = mutate(damaged, m, f, fixtures);
        stats.runs++;
        const options = { limits: LIMITS, workers: c.workers === 'pool' ? pool : 0 };
        let file: Awaited<ReturnType<typeof openEncrypted>>;
        try {
          file = await within(
            openEncrypted(new Blob([damaged as Uint8Array<ArrayBuffer>]), f.secret, options),
            CASE_TIMEOUT_MS,
            'open',
          );
        } catch (e) {
          expectFailure(e);
          return;
        }
        stats.opened++;
        try {
          expect(file.plaintextSize).toBe(f.plaintext.length);
          for (const [x, y] of c.ranges) {
            const a = Math.floor(Math.min(x, y) * file.plaintextSize);
            const b = Math.floor(Math.max(x, y) * file.plaintextSize);
            stats.reads++;
            try {
              const bytes = await within(file.read(a, b), CASE_TIMEOUT_MS, 'read');
              expect(sameBytes(bytes, f.plaintext.subarray(a, b)), `[${a}, ${b}) of ${f.name}`).toBe(true);
              stats.good++;
            } catch (e) {
              expectFailure(e);
            }
          }
        } finally {
          file.close();
        }
      }),
      { seed: SEED, numRuns: 100_000, plugins: [fc.interruptAfterTimeLimit(Math.min(BUDGET_MS, 5000))] },
    );
    console.log(
      `random-access fuzz seed ${SEED}: ${stats.runs} runs, ${stats.opened} opened, ${stats.good}/${stats.reads} reads ` +
        `whole; codes ${JSON.stringify(Object.fromEntries(stats.outcomes))}`,
    );
    // Not vacuous: damaged streams opened, ranges read around the damage, and damage was caught.
    expect(stats.opened).toBeGreaterThan(0);
    expect(stats.good).toBeGreaterThan(0);
    expect(stats.outcomes.size).toBeGreaterThan(2);
  });
});
