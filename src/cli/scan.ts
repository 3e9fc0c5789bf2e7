/**
 * Keyless scan of a stream_v2 byte stream for `inspect` (keyless `verify` is the library's
 * `verifyDigests`, which hashes as well): the header
 * (structure and limits checked, spec §2), then every segment with its frame headers checked
 * against their positions (spec §5, §6.2). Nothing is authenticated here.
 */
import { HeaderReader, SegmentReader, type WireSegment } from '../codec/reader.js';
import type { DecoderLimits, StreamHeader } from '../format/header.js';

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
  const head = new HeaderReader(limits);
  let reader: SegmentReader | undefined;
  for (;;) {
    const { value, done } = await source.read();
    if (done) break;
    let off = 0;
    if (!reader) {
      const step = head.feed(value, 0);
      off = step.next;
      if (!step.header) continue;
      reader = new SegmentReader(step.header);
      yield { kind: 'header', header: step.header };
    }
    while (off < value.length) {
      const step = reader.feed(value, off);
      off = step.next;
      if (step.segment) yield { kind: 'segment', segment: step.segment };
    }
    yield { kind: 'chunk' };
  }
  if (!reader) throw HeaderReader.truncated();
  reader.finish(); // spec §6.4: TRUNCATED without a FINAL terminator
}
