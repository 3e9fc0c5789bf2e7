/**
 * The Service Worker's reading of a `Range` request header (RFC 9110 §14) for a plaintext of a
 * known size. Pure: no I/O, no platform. One byte range is served as a 206; everything a server
 * may ignore is ignored, and answered with the whole representation (200): another unit, a
 * ranges-specifier that does not parse, a reversed range, and more than one range (this worker
 * sends no multipart/byteranges, which §14.2 allows).
 */

/** What to answer a GET of a representation of `size` bytes. */
export type RangeAnswer =
  /** 200: the whole representation. */
  | { readonly kind: 'whole' }
  /** 206: bytes `[start, end)`, `end > start`. */
  | { readonly kind: 'part'; readonly start: number; readonly end: number }
  /** 416, with a `Content-Range` that names only the size: a valid range that selects nothing. */
  | { readonly kind: 'unsatisfiable' };

/** `range-unit "=" range-set`; the unit is a token (§5.6.2), compared case-insensitively (§14.1). */
const SPECIFIER = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)[ \t]*=[ \t]*(.*)$/;
const INT_RANGE = /^(\d+)[ \t]*-[ \t]*(\d*)$/;
const SUFFIX_RANGE = /^-[ \t]*(\d+)$/;

/**
 * Reads `header` (the `Range` field value, or null) for a representation of `size` bytes.
 *
 * - `bytes=a-b`, `bytes=a-` with `a < size`: `part`, the last position clamped to the end;
 * - `bytes=-n` with `n > 0` and a non-empty representation: `part`, its last `min(n, size)` bytes;
 * - one int-range starting at or past the end, or `bytes=-0`: `unsatisfiable` (§14.1.1);
 * - no header, another unit (§14.2: ignored), a malformed or reversed range (invalid, §14.1.1:
 *   ignored), or several ranges: `whole`. An empty representation has no byte to put in a
 *   `Content-Range`, so a suffix range of it is answered whole.
 */
export function parseRange(header: string | null | undefined, size: number): RangeAnswer {
  if (header === null || header === undefined) return { kind: 'whole' };
  const m = SPECIFIER.exec(header.trim());
  if (!m || (m[1] as string).toLowerCase() !== 'bytes') return { kind: 'whole' };
  // A list (§5.6.1): optional whitespace around commas; empty elements count for nothing.
  const specs = (m[2] as string)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (specs.length !== 1) return { kind: 'whole' };
  const spec = specs[0] as string;
  const int = INT_RANGE.exec(spec);
  if (int) {
    const first = Number(int[1]);
    const last = int[2] === '' ? Number.POSITIVE_INFINITY : Number(int[2]);
    if (!Number.isSafeInteger(first) || last < first) return { kind: 'whole' };
    if (first >= size) return { kind: 'unsatisfiable' };
    return { kind: 'part', start: first, end: Math.min(size, last + 1) };
  }
  const suffix = SUFFIX_RANGE.exec(spec);
  if (!suffix) return { kind: 'whole' };
  const n = Number(suffix[1]);
  if (n === 0) return { kind: 'unsatisfiable' };
  if (size === 0) return { kind: 'whole' };
  return { kind: 'part', start: Math.max(0, size - n), end: size };
}

/**
 * Whether an `If-Range` field lets the Range apply (§13.1.5): absent, or equal to the
 * representation's strong `etag`. A date or another tag: the Range is ignored (200).
 */
export function ifRangeHolds(ifRange: string | null | undefined, etag: string): boolean {
  if (ifRange === null || ifRange === undefined) return true;
  return ifRange.trim() === etag;
}
