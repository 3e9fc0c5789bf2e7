/** DecryptSegmentTransform: stream_v2 wire bytes in, one verified plaintext chunk per segment out. */
import type { Secret } from '../codec/keys.js';
import { type WireEvents, WireReader, type WireSegment } from '../codec/reader.js';
import { optionsOf } from '../errors.js';
import { HEADER_SIZE } from '../format/constants.js';
import type { DecoderLimits, StreamHeader } from '../format/header.js';
import { checkSameHeader, type DecoderSecret, EnvelopeGatherer, ownDecryptSecret } from '../recipients/container.js';
import { decodeEnvelope } from '../recipients/envelope.js';
import { type Identity, openWith, type Passkey } from '../recipients/recipients.js';
import type { KeyBytes } from '../recipients/text.js';
import { checkLimitsOption, KeyedSession } from '../session/session.js';
import { checkChunk, type StreamOptions } from './options.js';
import { type SegmentStreams, SegmentTransform, type TransformSide } from './transform.js';

/** Options of {@link DecryptSegmentTransform}. */
export interface DecryptOptions extends StreamOptions {
  /**
   * Refuse headers that ask for more (spec §2), before any allocation or scrypt. Defaults: 64 MiB
   * segments (at most 1 GiB), log_n 20 (at most 30). Mind the cost of log_n: a forged header
   * with log_n 20 makes a decoder run scrypt with 1 GiB of memory for ~3 s before `WRONG_KEY`.
   */
  limits?: DecoderLimits;
}

/**
 * Decrypts a stream_v2 byte stream. Each segment's plaintext is released only after its DATA
 * frames, DIGEST and TERMINATOR verified (spec §6.3); truncation and trailing bytes are errors.
 */
export class DecryptSegmentTransform extends SegmentTransform {
  /** The parsed header, once it has arrived and verified. */
  get header(): StreamHeader | undefined {
    return this.opener.header;
  }
  private readonly opener: DecryptSide;

  /**
   * @param secret - the 32-byte key, or `{ passphrase }`, the stream was made with; or
   *   `{ identity }` or `{ passkey: true }` for a stream to recipients (its key envelope first,
   *   docs/RECIPIENTS.md §3)
   * @param options - limits, workers, progress
   * @throws StreamV2Error `BAD_ARGUMENT` for a malformed secret, identity or option
   */
  constructor(secret: Secret | Identity | Passkey, opts?: DecryptOptions) {
    const options = optionsOf(opts, 'options', ['workers', 'onProgress', 'limits']);
    const own = ownDecryptSecret(secret);
    const limits = checkLimitsOption(options.limits);
    let opener: DecryptSide | undefined;
    super(options, (_, streams) => {
      opener = new DecryptSide(streams, own, limits);
      return opener;
    });
    this.opener = opener as DecryptSide;
  }
}

/**
 * The decoder: reads the header (spec §2, §3), then cuts the wire bytes into segments, every
 * frame header checked against its place before anything is decrypted (codec/reader.ts), and
 * has each segment opened whole at its turn.
 */
class DecryptSide implements TransformSide {
  header: StreamHeader | undefined;
  private readonly wire: WireReader;
  private readonly events: WireEvents;
  private session: KeyedSession | undefined;
  /** The stream's secret: given, or the file key once the key envelope opened. */
  private secret: Secret | undefined;
  /** With an identity: the key envelope being gathered, then the header it was sealed to. */
  private envelope: EnvelopeGatherer | undefined;
  private envelopeHeader: StreamHeader | undefined;
  private identities: readonly KeyBytes[] = [];

  constructor(
    private readonly streams: SegmentStreams,
    own: DecoderSecret,
    limits: DecoderLimits,
  ) {
    const { runner } = streams;
    if ('secret' in own) this.secret = own.secret;
    else {
      this.envelope = new EnvelopeGatherer();
      this.identities = own.identities;
    }
    // A segment that spans chunks is gathered into a buffer of ours (staged until its turn).
    this.wire = new WireReader(limits, (size) => {
      streams.stage(size);
      return runner.recycler.take(size);
    });
    this.events = { header: (h) => this.openHeader(h), segment: (seg) => this.open(seg) };
  }

  async start(): Promise<void> {}

  async write(chunk: Uint8Array): Promise<void> {
    checkChunk(chunk);
    let bytes = chunk;
    if (this.envelope) {
      const gathered = this.envelope.feed(chunk);
      if (!gathered) return;
      this.envelope = undefined;
      await this.openEnvelope(gathered.envelope);
      bytes = gathered.rest;
    }
    if (bytes.length > 0) await this.wire.feed(bytes, this.events);
  }

  async end(): Promise<void> {
    if (this.envelope) this.envelope.finish(); // TRUNCATED inside the key envelope
    this.wire.finish(); // spec §6.4: TRUNCATED without a FINAL terminator
  }

  close(): void {
    if (this.session) this.session.close();
    else this.streams.runner.close();
  }

  /** docs/RECIPIENTS.md §2: the file key from the first stanza the identity opens. */
  private async openEnvelope(bytes: Uint8Array): Promise<void> {
    const envelope = decodeEnvelope(bytes, false);
    this.secret = await openWith(this.streams.runner.platform.kemBackends, envelope, this.identities);
    this.envelopeHeader = envelope.header;
  }

  /** Derives the keys and checks header_mac (spec §3), before any frame. */
  private async openHeader(header: StreamHeader): Promise<void> {
    if (this.envelopeHeader) checkSameHeader(this.envelopeHeader, header);
    this.session = await KeyedSession.open(this.secret as Secret, header, this.streams.runner);
    this.header = header;
    this.streams.counter.ciphertextBytes += HEADER_SIZE;
  }

  /**
   * Opens a segment at its turn (spec §6.3: nothing of it goes out before DIGEST and TERMINATOR
   * verified). One that lies inside the caller's chunk is copied into a buffer of ours only then.
   */
  private async open(seg: WireSegment): Promise<void> {
    const session = this.session as KeyedSession;
    const { runner } = this.streams;
    const { frameSize, framesPerSegment } = session.header;
    const wire = seg.bytes.length;
    const count = { plaintextBytes: seg.plaintextLength, wireBytes: wire };
    await this.streams.put(wire + seg.plaintextLength, wire, count, () => {
      let bytes = seg.bytes;
      if (!seg.owned) {
        bytes = runner.recycler.take(wire);
        bytes.set(seg.bytes);
      }
      this.streams.stage(0);
      return runner.open(session.key, { frameSize, framesPerSegment }, seg.segmentIndex, seg.final, { bytes });
    });
  }
}
