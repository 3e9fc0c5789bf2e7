/** EncryptSegmentTransform: plaintext in, stream_v2 wire bytes out (header, then one chunk per segment). */
import type { Secret } from '../codec/keys.js';
import { optionsOf } from '../errors.js';
import { HEADER_SIZE } from '../format/constants.js';
import type { HeaderParams } from '../format/header.js';
import { segmentPlaintextSize, segmentWireSize } from '../format/sizes.js';
import { type EncoderSecret, envelopeFor, ownEncryptSecret } from '../recipients/container.js';
import type { Recipients } from '../recipients/recipients.js';
import { KeyedSession } from '../session/session.js';
import { checkChunk, type StreamOptions } from './options.js';
import { ENCODER_KEYS, type EncoderOptions, encoderParams } from './params.js';
import { type SegmentStreams, SegmentTransform, type TransformSide } from './transform.js';

/**
 * Options of {@link EncryptSegmentTransform}. There is no way to choose the salt: every stream
 * gets 32 fresh random bytes, so no two plaintexts are ever sealed under one key and nonce
 * (spec §8). To resume an upload, use `encryptBlob` with `resume`, which proves that the source
 * is the same before it releases a byte.
 */
export interface EncryptOptions extends StreamOptions, EncoderOptions {}

/** Encrypts a plaintext byte stream into the stream_v2 format. */
export class EncryptSegmentTransform extends SegmentTransform {
  /**
   * @param secret - a 32-byte key, `{ passphrase }` (scrypt runs off the main thread), or
   *   `{ recipients }`: public keys, each of which can open the output (docs/RECIPIENTS.md: the
   *   key envelope comes first, then the stream under a fresh file key)
   * @param options - suite, layout, workers, progress
   * @throws StreamV2Error `BAD_ARGUMENT` for a malformed secret, public key or option
   */
  constructor(secret: Secret | Recipients, opts?: EncryptOptions) {
    const options = optionsOf(opts, 'options', ['workers', 'onProgress', ...ENCODER_KEYS]);
    const own = ownEncryptSecret(secret);
    const params = encoderParams(own.secret, options);
    super(options, (_, streams) => new EncryptSide(streams, own, params));
  }
}

/**
 * The encoder: cuts the plaintext into segments and has each sealed whole (spec §4, §5). A
 * segment is handed over only once it is known whether it is the last: by the next byte, or by
 * the end of the input (its TERMINATOR carries FINAL then).
 */
class EncryptSide implements TransformSide {
  private readonly segmentBytes: number;
  private session: KeyedSession | undefined;
  private segmentIndex = 0;
  /** The segment being formed, in a buffer of ours, and its bytes so far. */
  private forming: Uint8Array | null = null;
  private filled = 0;
  /** A full segment that waits to know whether it is the last. */
  private full: Uint8Array | null = null;

  constructor(
    private readonly streams: SegmentStreams,
    private readonly secret: EncoderSecret,
    private readonly params: HeaderParams,
  ) {
    this.segmentBytes = segmentPlaintextSize(params);
  }

  async start(): Promise<void> {
    const { runner } = this.streams;
    this.session = await KeyedSession.create(this.secret.secret, this.params, runner);
    // docs/RECIPIENTS.md §3: the key envelope (sealed to this header) before the stream.
    const envelope = await envelopeFor(runner.platform.kemBackends, this.secret, this.session.header.bytes);
    if (envelope.length > 0) this.streams.emit(envelope);
    this.streams.emit(this.session.header.bytes.slice());
    this.streams.counter.ciphertextBytes += envelope.length + HEADER_SIZE;
  }

  async write(chunk: Uint8Array): Promise<void> {
    checkChunk(chunk);
    const size = this.segmentBytes;
    let off = 0;
    while (off < chunk.length) {
      if (this.full) {
        // More plaintext: the full segment was not the last. Nothing new is formed before it
        // had its turn (a stream that waits holds one segment at most).
        await this.seal(this.full, false, true);
        this.full = null;
      }
      if (this.filled === 0 && chunk.length - off > size) {
        // A whole segment inside the chunk, and more after it: sealed from the chunk itself,
        // copied only at its turn (the chunk is ours until this write resolves).
        await this.seal(chunk.subarray(off, off + size), false, false);
        off += size;
        continue;
      }
      if (!this.forming) {
        this.forming = this.streams.runner.recycler.take(size);
        this.streams.stage(size);
      }
      const take = Math.min(size - this.filled, chunk.length - off);
      this.forming.set(chunk.subarray(off, off + take), this.filled);
      this.filled += take;
      off += take;
      if (this.filled === size) {
        this.full = this.forming;
        this.forming = null;
        this.filled = 0;
      }
    }
  }

  async end(): Promise<void> {
    // The final segment: full, partial, or segment 0 of an empty plaintext (spec §5).
    if (this.full) await this.seal(this.full, true, true);
    else if (this.forming || this.segmentIndex === 0) {
      await this.seal((this.forming ?? new Uint8Array(0)).subarray(0, this.filled), true, true);
    }
    this.forming = null;
  }

  close(): void {
    if (this.session) this.session.close();
    else this.streams.runner.close();
  }

  /**
   * Seals the next segment at its turn: `plain` is a buffer of ours from offset 0 (`owned`:
   * handed over as it is) or a view of the caller's chunk (copied into one of ours at the turn).
   */
  private async seal(plain: Uint8Array, final: boolean, owned: boolean): Promise<void> {
    const session = this.session as KeyedSession;
    const { runner } = this.streams;
    const index = this.segmentIndex++;
    const length = plain.length;
    const wire = segmentWireSize(this.params, length);
    await this.streams.put(length + wire, length, { plaintextBytes: length, wireBytes: wire }, () => {
      let bytes = plain;
      if (!owned) {
        bytes = runner.recycler.take(length);
        bytes.set(plain);
      }
      this.streams.stage(0); // the formed segment is in flight now, within the budget
      return runner.seal(session.key, this.params.frameSize, index, final, { bytes });
    });
  }
}
