/**
 * Random mutations of a valid resume state, as plain data (fast-check prints and shrinks them),
 * for the seeded fuzz test (test/node/fuzz.test.ts). A case is 0..2 shape-preserving edits (a
 * size, a header or digest nibble, a digest dropped or moved to another segment, lastModified)
 * and at most one edit that makes the state malformed, applied last: with one, the resume must
 * fail with BAD_ARGUMENT; without, it resumes to the same bytes or fails with a code.
 */
import fc from 'fast-check';
import type { ResumeState } from '#lib';

/** Keeps the state's shape valid (its values may no longer match the source). */
export type ShapeEdit =
  | { kind: 'size'; delta: number }
  | { kind: 'header-nibble'; at: number; nibble: string }
  | { kind: 'digest-nibble'; index: number; at: number; nibble: string }
  | { kind: 'drop-digest'; index: number }
  | { kind: 'move-digest'; from: number; to: number }
  | { kind: 'last-modified'; value: number }
  | { kind: 'drop-last-modified' };

/** Makes the state malformed: resuming it must be BAD_ARGUMENT. */
export type Malformation =
  | { kind: 'key-alias'; index: number; form: number }
  | { kind: 'past-end'; index: number; key: number }
  | { kind: 'bad-digest'; index: number; form: number }
  | { kind: 'bad-field'; field: 'version' | 'header' | 'plaintextSize' | 'lastModified' | 'digests'; form: number }
  | { kind: 'drop-field'; field: 'version' | 'header' | 'plaintextSize' | 'digests' }
  | { kind: 'extra-field'; name: string; value: fc.JsonValue }
  | { kind: 'not-an-object'; form: number };

/** One fuzz case. */
export interface StateCase {
  edits: ShapeEdit[];
  malformation: Malformation | undefined;
}

const hexNibble = fc.constantFrom(...'0123456789abcdef');
const index = fc.nat({ max: 15 });
const shapeEdit: fc.Arbitrary<ShapeEdit> = fc.oneof(
  fc.record({ kind: fc.constant('size' as const), delta: fc.integer({ min: -3, max: 3 }) }),
  fc.record({ kind: fc.constant('header-nibble' as const), at: fc.nat({ max: 159 }), nibble: hexNibble }),
  fc.record({ kind: fc.constant('digest-nibble' as const), index, at: fc.nat({ max: 63 }), nibble: hexNibble }),
  fc.record({ kind: fc.constant('drop-digest' as const), index }),
  fc.record({ kind: fc.constant('move-digest' as const), from: index, to: index }),
  fc.record({ kind: fc.constant('last-modified' as const), value: fc.integer({ min: 0, max: 3000 }) }),
  fc.constant({ kind: 'drop-last-modified' as const }),
);

const KNOWN = new Set(['version', 'header', 'plaintextSize', 'lastModified', 'digests']);
const form = fc.nat({ max: 1000 });
const malformation: fc.Arbitrary<Malformation> = fc.oneof(
  fc.record({ kind: fc.constant('key-alias' as const), index, form }),
  fc.record({ kind: fc.constant('past-end' as const), index, key: fc.integer({ min: 1000, max: 2 ** 40 }) }),
  fc.record({ kind: fc.constant('bad-digest' as const), index, form }),
  fc.record({
    kind: fc.constant('bad-field' as const),
    field: fc.constantFrom('version', 'header', 'plaintextSize', 'lastModified', 'digests'),
    form,
  }),
  fc.record({
    kind: fc.constant('drop-field' as const),
    field: fc.constantFrom('version', 'header', 'plaintextSize', 'digests'),
  }),
  fc.record({
    kind: fc.constant('extra-field' as const),
    name: fc.string({ maxLength: 12 }).filter((n) => !KNOWN.has(n) && n !== '__proto__'),
    value: fc.jsonValue({ maxDepth: 2 }),
  }),
  fc.record({ kind: fc.constant('not-an-object' as const), form }),
);

/** A case: shape edits, and (two times in three) one malformation. */
export const stateCaseArb: fc.Arbitrary<StateCase> = fc.record({
  edits: fc.array(shapeEdit, { maxLength: 2 }),
  malformation: fc.option(malformation, { freq: 2, nil: undefined }),
});

const pick = <T>(options: readonly T[], n: number): T => options[n % options.length] as T;

/** Non-canonical spellings of segment number `i` (each one aliased it before issue 20). */
function aliasOf(i: number, n: number): string {
  return pick([`0${i}`, `${i}e0`, `0x${i.toString(16)}`, `${i}.0`, ` ${i}`, `+${i}`, i === 0 ? '-0' : `${i} `, ''], n);
}

const BAD_VALUES: Record<string, readonly unknown[]> = {
  version: [0, 2, '1', null, 1.5],
  plaintextSize: [-1, 1.5, 2 ** 53, '300', Number.NaN, null, Number.POSITIVE_INFINITY],
  lastModified: ['x', Number.NaN, null, Number.POSITIVE_INFINITY, {}],
  digests: [null, [], 'x', 5],
};

/**
 * `state` with the case applied (a deep copy; `state` is not changed), and what must come of it.
 * @param segments - the number of segments of the unedited state
 */
export function applyCase(state: ResumeState, c: StateCase, segments: number): { state: unknown; mustBe?: string } {
  const s = JSON.parse(JSON.stringify(state)) as Record<string, unknown> & { digests: Record<string, string> };
  const key = (i: number) => String(i % segments);
  let headerEdited = false;
  for (const e of c.edits) {
    if (e.kind === 'size') s['plaintextSize'] = (s['plaintextSize'] as number) + e.delta;
    else if (e.kind === 'header-nibble') {
      const h = s['header'] as string;
      s['header'] = h.slice(0, e.at) + e.nibble + h.slice(e.at + 1);
      headerEdited ||= e.nibble !== h[e.at];
    } else if (e.kind === 'digest-nibble') {
      const d = s.digests[key(e.index)];
      if (d !== undefined) s.digests[key(e.index)] = d.slice(0, e.at) + e.nibble + d.slice(e.at + 1);
    } else if (e.kind === 'drop-digest') delete s.digests[key(e.index)];
    else if (e.kind === 'move-digest') {
      const d = s.digests[key(e.from)];
      delete s.digests[key(e.from)];
      if (d !== undefined) s.digests[key(e.to)] = d;
    } else if (e.kind === 'last-modified') s['lastModified'] = e.value;
    else delete s['lastModified'];
  }
  const m = c.malformation;
  if (m === undefined) return { state: s };
  const some = Object.values(state.digests)[0] ?? 'ab'.repeat(32);
  switch (m.kind) {
    case 'key-alias': {
      const k = key(m.index);
      const d = s.digests[k] ?? some;
      delete s.digests[k];
      s.digests[aliasOf(Number(k), m.form)] = d;
      break;
    }
    case 'past-end':
      s.digests[String(m.key)] = some;
      // The segment count follows from the header: an edited one may fail first (BAD_HEADER, ...).
      return { state: s, ...(headerEdited ? {} : { mustBe: 'BAD_ARGUMENT' }) };
    case 'bad-digest': {
      const d = s.digests[key(m.index)] ?? some;
      s.digests[key(m.index)] = pick<unknown>(
        [`A${d.slice(1)}`, d.slice(1), `${d}0`, `${d.slice(1)}g`, 7, null, ''],
        m.form,
      ) as string;
      break;
    }
    case 'bad-field': {
      const h = s['header'] as string;
      const headers = [`A${h.slice(1)}`, h.slice(2), `${h}00`, 1, null];
      (s as Record<string, unknown>)[m.field] = pick(
        m.field === 'header' ? headers : (BAD_VALUES[m.field] ?? []),
        m.form,
      );
      break;
    }
    case 'drop-field':
      delete s[m.field];
      break;
    case 'extra-field':
      s[m.name] = m.value;
      break;
    case 'not-an-object':
      return { state: pick<unknown>([null, 5, 'state', [s], true], m.form), mustBe: 'BAD_ARGUMENT' };
  }
  return { state: s, mustBe: 'BAD_ARGUMENT' };
}
