/**
 * Keyless scan of a stream_v2 byte stream for `inspect` (keyless `verify` is the library's
 * `verifyDigests`, which hashes as well): the header (structure and limits checked, spec §2),
 * then every segment with its frame headers checked against their positions (spec §5, §6.2),
 * through the library's one wire reader. Nothing is authenticated here.
 */
import { WireReader, type WireSegment } from '../codec/reader.js';
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
  const wire = new WireReader(limits);
  const events: ScanEvent[] = [];
  const on = {
    header: (header: StreamHeader) => void events.push({ kind: 'header', header }),
    segment: (segment: WireSegment) => void events.push({ kind: 'segment', segment }),
  };
  for (;;) {
    const { value, done } = await source.read();
    if (done) break;
    await wire.feed(value, on);
    yield* events.splice(0);
    yield { kind: 'chunk' };
  }
  wire.finish(); // spec §6.4: TRUNCATED without a FINAL terminator
}
