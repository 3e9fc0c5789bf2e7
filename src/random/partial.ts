/**
 * resumeStateFrom: the resume state of an encryption, derived without the key from what a
 * server holds of its ciphertext (a partial upload): its header and the DIGEST values of its
 * complete segments, each checked first (frame headers against their places, DIGEST value
 * recomputed, spec §4). A caller who lost its saved state (a new device, a cleared
 * `localStorage`, a crashed CLI) can so resume with the same-source proof: `encryptBlob` with
 * `resume` re-seals every recorded segment from the source and compares it before it releases
 * a byte (spec §8). A container's envelope (docs/RECIPIENTS.md §3) is read keylessly too, and
 * kept in the state: resuming it takes one of its recipients' identities.
 */
import { StreamLayout } from '../codec/layout.js';
import { optionsOf } from '../errors.js';
import { HEADER_SIZE } from '../format/constants.js';
import { checkLimits, type DecoderLimits, parseHeader } from '../format/header.js';
import type { Platform } from '../platform/types.js';
import { SegmentRunner } from '../pool/runner.js';
import { segmentStream } from '../pool/window.js';
import { checkSameHeader, skipEnvelope } from '../recipients/container.js';
import { checkLimitsOption } from '../session/session.js';
import { type RandomAccessSource, readOwned, toSource } from '../source/source.js';
import type { StreamOptions } from '../stream/options.js';
import type { ResumeState } from './resume.js';
import { toHex } from './resume.js';

/** Options of {@link resumeStateFrom}. */
export interface ResumeStateFromOptions {
  /** Workers, as for the transforms (see {@link StreamOptions.workers}). */
  workers?: StreamOptions['workers'];
  /** Refuse headers that ask for more (spec §2). Defaults: 64 MiB segments, log_n 20. */
  limits?: DecoderLimits;
}

/** `resumeStateFrom` on a platform passed in; the public function and its documentation: src/index.ts. */
export async function resumeStateFrom(
  platform: Platform,
  partial: RandomAccessSource,
  plaintext: Blob,
  opts?: ResumeStateFromOptions,
): Promise<ResumeState> {
  const options = optionsOf(opts, 'options', ['workers', 'limits']);
  const limits = checkLimitsOption(options.limits);
  const held = toSource(partial, platform);
  const plain = toSource(plaintext, platform);
  // A container (docs/RECIPIENTS.md §3): its envelope goes into the state; the stream follows it.
  const { envelope, stream: wire } = await skipEnvelope(held);
  const envelopeBytes = envelope
    ? await readOwned(held, 0, held.size - wire.size, (n) => new Uint8Array(n))
    : undefined;
  const header = parseHeader(await readOwned(wire, 0, Math.min(HEADER_SIZE, wire.size), (n) => new Uint8Array(n)));
  checkLimits(header, limits);
  if (envelope) checkSameHeader(envelope.header, header);
  // The segments the plaintext's size gives the stream; those the partial holds whole.
  const layout = new StreamLayout(header, plain.size);
  let complete = 0;
  while (complete < layout.segments) {
    const p = layout.place(complete);
    if (p.wireOffset + p.wireLength > wire.size) break;
    complete++;
  }
  const digests: Record<string, string> = {};
  const runner = new SegmentRunner(platform, options.workers);
  const { frameSize, framesPerSegment } = header;
  const checked = segmentStream(
    runner.budget,
    0,
    complete,
    (k) => {
      const p = layout.place(k);
      const last = k === layout.segments - 1;
      const input = { source: wire, offset: p.wireOffset, length: p.wireLength };
      return {
        cost: p.wireLength,
        // Checked whole (keyless), and its DIGEST value taken from the checked bytes: a damaged
        // or foreign segment fails here with its spec code, never becomes part of a state.
        run: async () => {
          digests[k] = toHex(await runner.check(header.bytes, { frameSize, framesPerSegment }, k, last, input));
          return new Uint8Array(0);
        },
      };
    },
    { onEnd: () => runner.close() },
  );
  await checked.pipeTo(new WritableStream());
  const lastModified = plain.lastModified;
  return {
    version: 1,
    header: toHex(header.bytes),
    plaintextSize: plain.size,
    ...(lastModified !== undefined ? { lastModified } : {}),
    digests,
    ...(envelopeBytes ? { envelope: toHex(envelopeBytes) } : {}),
  };
}
