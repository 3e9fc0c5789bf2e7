/**
 * The Service Worker's reading of Range (RFC 9110 §14) and its Content-Disposition (RFC 6266,
 * RFC 8187): pure functions, every form and edge.
 */
import { describe, expect, it } from 'vitest';
import { contentDisposition } from '../../src/service-worker/headers.js';
import { ifRangeHolds, parseRange } from '../../src/service-worker/range.js';

const part = (start: number, end: number) => ({ kind: 'part', start, end });
const whole = { kind: 'whole' };
const none = { kind: 'unsatisfiable' };

describe('parseRange', () => {
  it.each([
    // int-range
    ['bytes=0-0', 100, part(0, 1)],
    ['bytes=10-19', 100, part(10, 20)],
    ['bytes=10-', 100, part(10, 100)],
    ['bytes=90-1000', 100, part(90, 100)], // last-pos clamped
    ['bytes=99-99', 100, part(99, 100)],
    ['BYTES=1-2', 100, part(1, 3)], // the unit is case-insensitive
    [' bytes = 1 - 2 ', 100, part(1, 3)],
    ['bytes=1-2,', 100, part(1, 3)], // empty list elements count for nothing
    // suffix-range
    ['bytes=-1', 100, part(99, 100)],
    ['bytes=-30', 100, part(70, 100)],
    ['bytes=-1000', 100, part(0, 100)],
    // unsatisfiable (416)
    ['bytes=100-', 100, none],
    ['bytes=100-200', 100, none],
    ['bytes=-0', 100, none],
    ['bytes=0-', 0, none],
    // ignored: the whole representation (200)
    ['bytes=0-1,5-6', 100, whole], // several ranges: no multipart/byteranges
    ['bytes=-5,0-1', 100, whole],
    ['bytes=20-10', 100, whole], // reversed: invalid
    ['bytes=abc', 100, whole],
    ['bytes=', 100, whole],
    ['bytes=1-2-3', 100, whole],
    ['items=0-1', 100, whole], // another unit
    ['0-1', 100, whole],
    ['bytes=-5', 0, whole], // an empty file has no byte for a Content-Range
    ['bytes=99999999999999999999-', 100, whole], // past 2^53: does not parse as a position
  ])('%j of %i bytes', (header, size, want) => {
    expect(parseRange(header, size)).toEqual(want);
  });

  it('no header: the whole representation', () => {
    expect(parseRange(null, 10)).toEqual(whole);
    expect(parseRange(undefined, 10)).toEqual(whole);
  });
});

it('If-Range holds only for the strong tag itself (a date or another tag: the Range is ignored)', () => {
  expect(ifRangeHolds(null, '"abc"')).toBe(true);
  expect(ifRangeHolds('"abc"', '"abc"')).toBe(true);
  expect(ifRangeHolds('"abd"', '"abc"')).toBe(false);
  expect(ifRangeHolds('W/"abc"', '"abc"')).toBe(false);
  expect(ifRangeHolds('Wed, 21 Oct 2015 07:28:00 GMT', '"abc"')).toBe(false);
});

it('Content-Disposition: an ASCII fallback and the UTF-8 name', () => {
  expect(contentDisposition('inline', undefined)).toBe('inline');
  expect(contentDisposition('attachment', 'a.bin')).toBe(`attachment; filename="a.bin"; filename*=UTF-8''a.bin`);
  expect(contentDisposition('attachment', 'Été "x" 100%.mp4')).toBe(
    `attachment; filename="_t_ _x_ 100_.mp4"; filename*=UTF-8''%C3%89t%C3%A9%20%22x%22%20100%25.mp4`,
  );
  expect(contentDisposition('inline', "it's (1).wav")).toBe(
    `inline; filename="it's (1).wav"; filename*=UTF-8''it%27s%20%281%29.wav`,
  );
});
