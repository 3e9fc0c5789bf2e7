/**
 * The end of a stream held by a random-access source, read before any segment (spec §6.4):
 * the size must be a wire size of the header's layout, and the last 34 bytes a FINAL
 * TERMINATOR at the last segment's place.
 */
import { StreamLayout } from '../codec/layout.js';
import { SegmentReader } from '../codec/reader.js';
import { StreamV2Error } from '../errors.js';
import {
  FLAG_FINAL,
  FRAME_DATA,
  FRAME_TERMINATOR,
  HEADER_SIZE,
  SEGMENT_TAIL_SIZE,
  TERMINATOR_FRAME_SIZE,
} from '../format/constants.js';
import { isSegment, readFrameHeader } from '../format/frame.js';
import { dataFrameWireSize, fullSegmentWireSize, type LayoutParams, plaintextSizeOf } from '../format/sizes.js';
import { readOwned, type Source } from './source.js';

/**
 * Checks the end of a stream of `source.size` bytes before any segment is read: the size must
 * be a wire size of the layout, and the last bytes the last DATA frame of the last segment (when
 * it has one), a DIGEST and a FINAL TERMINATOR, at the places that size gives. Otherwise it finds
 * the failure a sequential decoder would report (spec §6.4, TRUNCATED, TRAILING_DATA or
 * BAD_FRAME) by reading from the next-to-last whole segment on.
 *
 * @returns the layout, the number of DATA frames of the last segment, and those last bytes in a
 *   buffer of the library's own (their tags are the caller's to check, `openStreamEnd`; read
 *   once, since over HTTP every read is a round trip)
 */
export async function checkStreamEnd(
  source: Source,
  layout: LayoutParams,
): Promise<{ layout: StreamLayout; end: Uint8Array; dataFrames: number }> {
  const plaintext = plaintextSizeOf(source.size, layout);
  if (plaintext !== undefined) {
    const stream = new StreamLayout(
      { frameSize: layout.frameSize, framesPerSegment: layout.framesPerSegment },
      plaintext,
    );
    const last = stream.place(stream.segments - 1);
    const d = Math.ceil(last.plainLength / layout.frameSize);
    const lastLength = last.plainLength - (d - 1) * layout.frameSize;
    const length = (d > 0 ? dataFrameWireSize(lastLength) : 0) + SEGMENT_TAIL_SIZE;
    // Copied before it is checked: the tags are checked later, after an await (spec §6.3).
    const end = await readOwned(source, source.size - length, length, (n) => new Uint8Array(n));
    const t = readFrameHeader(end, length - TERMINATOR_FRAME_SIZE);
    const data = d > 0 ? readFrameHeader(end, 0) : undefined;
    const expected =
      isSegment(t, last.index) &&
      t.frameIndex === d + 1 &&
      t.frameType === FRAME_TERMINATOR &&
      t.flags === FLAG_FINAL &&
      t.length === 0 &&
      (data === undefined ||
        (isSegment(data, last.index) &&
          data.frameIndex === d - 1 &&
          data.frameType === FRAME_DATA &&
          data.flags === 0 &&
          data.length === lastLength));
    if (expected) return { layout: stream, end, dataFrames: d };
  }
  throw await diagnoseEnd(source, layout);
}

/** Reads the end of the stream as a sequential decoder would and returns its failure. */
async function diagnoseEnd(source: Source, layout: LayoutParams): Promise<StreamV2Error> {
  const w = fullSegmentWireSize(layout);
  const first = Math.max(0, Math.floor((source.size - HEADER_SIZE) / w) - 1);
  const reader = new SegmentReader(layout, undefined, first);
  try {
    for (let at = HEADER_SIZE + first * w; at < source.size; ) {
      const chunk = await source.read(at, Math.min(w, source.size - at));
      for (let off = 0; off < chunk.length; ) off = reader.feed(chunk, off).next;
      at += chunk.length;
    }
    reader.finish();
  } catch (e) {
    if (StreamV2Error.is(e)) return e;
    throw e;
  }
  return new StreamV2Error('BAD_FRAME', 'the stream does not end where its size says it should');
}
