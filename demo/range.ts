/**
 * The demo server's reading of an HTTP Range header (RFC 9110 §14). It serves one byte range
 * at a time; everything else it may ignore, it ignores, answering the whole file (200), since a
 * client that sent it still gets correct bytes that way. It reads the grammar strictly (no
 * whitespace in the specifier: `bytes = 1-2` is ignored, test/node/demo-protocol.test.ts),
 * where the library's Service Worker parser (src/service-worker/range.ts) is lenient; that
 * difference is why the demo keeps its own.
 */

/** What to answer a GET of a representation of `size` bytes. */
export type RangeAnswer =
  | { kind: 'whole' }
  /** 206 with bytes [start, end). */
  | { kind: 'part'; start: number; end: number }
  /** 416: a valid bytes range that selects nothing. */
  | { kind: 'unsatisfiable' };

/** `range-unit "=" range-set`; the unit is a token (§5.6.2), compared case-insensitively (§14.1). */
const SPECIFIER = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)=(.*)$/;
const INT_RANGE = /^(\d+)-(\d*)$/;
const SUFFIX_RANGE = /^-(\d+)$/;

/**
 * Reads a Range header for a representation of `size` bytes.
 *
 * - no header, another unit than `bytes` (§14.2: MUST be ignored), a ranges-specifier that does
 *   not parse or a reversed range (invalid: MAY be ignored), or more than one range (this server
 *   sends no multipart/byteranges): `whole`;
 * - one int-range whose first byte is inside the file, or one non-empty suffix-range: `part`,
 *   clamped to the file;
 * - one int-range starting at or past the end, or `-0`: `unsatisfiable`.
 */
export function parseRange(header: string | undefined, size: number): RangeAnswer {
  if (header === undefined) return { kind: 'whole' };
  const m = SPECIFIER.exec(header.trim());
  if (!m || (m[1] as string).toLowerCase() !== 'bytes') return { kind: 'whole' };
  // A list (§5.6.1): optional whitespace around commas, empty elements count for nothing.
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
    if (last < first) return { kind: 'whole' };
    if (first >= size) return { kind: 'unsatisfiable' };
    return { kind: 'part', start: first, end: Math.min(size, last + 1) };
  }
  const suffix = SUFFIX_RANGE.exec(spec);
  if (!suffix) return { kind: 'whole' };
  const n = Number(suffix[1]);
  if (n === 0) return { kind: 'unsatisfiable' };
  // An empty file has no byte to put in a Content-Range: the whole (empty) file is the answer.
  if (size === 0) return { kind: 'whole' };
  return { kind: 'part', start: Math.max(0, size - n), end: size };
}
