/**
 * Keyless scan of a stream_v2 byte stream, shared by `inspect` and keyless `verify`: the header
 * (structure and limits checked, spec §2), then every segment with its frame headers checked
 * against their positions (spec §5, §6.2). Nothing is authenticated here.
 */
import { SegmentReader, type WireSegment } from '../codec/reader.js';
import { StreamV2Error } from '../errors.js';
import { HEADER_SIZE } from '../format/constants.js';
import { checkLimits, checkMagic, type DecoderLimits, parseHeader, type StreamHeader } from '../format/header.js';

/** What the scan meets, in stream order; `chunk` follows each input chunk. */
export type ScanEvent =
  | { kind: 'header'; header: StreamHeader }
  | { kind: 'segment'; segment: WireSegment }
  | { kind: 'chunk' };

/**
 * Scans `source` to its end.
 * @throws StreamV2Error `BAD_HEADER`, `UNSUPPORTED`, `LIMIT_EXCEEDED`, `BAD_FRAME`, `TRUNCATED`, `TRAILING_DATA`
 */
export async function* scanWire(
  source: ReadableStreamDefaultReader<Uint8Array>,
  limits: DecoderLimits,
): AsyncGenerator<ScanEvent> {
  const head = new Uint8Array(HEADER_SIZE);
  let fill = 0;
  let reader: SegmentReader | undefined;
  for (;;) {
    const { value, done } = await source.read();
    if (done) break;
    let off = 0;
    if (!reader) {
      off = Math.min(HEADER_SIZE - fill, value.length);
      head.set(value.subarray(0, off), fill);
      fill += off;
      checkMagic(head.subarray(0, fill));
      if (fill < HEADER_SIZE) continue;
      const header = parseHeader(head);
      checkLimits(header, limits); // spec §2: before allocating a segment buffer
      reader = new SegmentReader(header);
      yield { kind: 'header', header };
    }
    while (off < value.length) {
      const step = reader.feed(value, off);
      off = step.next;
      if (step.segment) yield { kind: 'segment', segment: step.segment };
    }
    yield { kind: 'chunk' };
  }
  if (!reader) throw new StreamV2Error('TRUNCATED', `input ended inside the ${HEADER_SIZE}-byte header`);
  reader.finish(); // spec §6.4: TRUNCATED without a FINAL terminator
}
