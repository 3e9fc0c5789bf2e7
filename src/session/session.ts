/**
 * The keyed session of one stream, shared by both transforms and the random-access APIs: it
 * builds or checks the header (spec §2), derives the keys once (spec §3: scrypt runs once per
 * stream, however many ranges are read), checks or writes header_mac, seals and opens the DATA
 * frames of a segment through the engine (inline or on the pool), seals and opens the segment
 * tail, and releases the key and the engine's pool when the stream ends.
 */
import {
  checkSecret,
  deriveKeys,
  MAX_RUNNABLE_LOG_N,
  type Secret,
  sealHeader,
  verifyHeaderMac,
} from '../codec/keys.js';
import type { FrameRange } from '../codec/range.js';
import { openSegmentTail, sealSegmentTail } from '../codec/segment.js';
import { forgetSession, frameCryptoFor, type SessionKey } from '../crypto/select.js';
import type { BackendName, FrameCrypto } from '../crypto/types.js';
import { checkInt } from '../errors.js';
import { MAX_DECODER_SEGMENT_BYTES, SALT_SIZE, SEGMENT_TAIL_SIZE } from '../format/constants.js';
import {
  type DecoderLimits,
  encodeHeaderPrefix,
  type HeaderParams,
  parseHeader,
  type StreamHeader,
} from '../format/header.js';
import type { WorkerSource } from '../random/source.js';
import type { Engine, SegmentWork } from '../stream/engine.js';
import { sessionId } from '../stream/options.js';

/**
 * Checks a decoder's `limits` option (spec §2).
 * @throws StreamV2Error `BAD_ARGUMENT`
 */
export function checkLimitsOption(limits: DecoderLimits = {}): DecoderLimits {
  checkInt('limits.maxSegmentBytes', limits.maxSegmentBytes, 1, MAX_DECODER_SEGMENT_BYTES);
  checkInt('limits.maxLogN', limits.maxLogN, 1, MAX_RUNNABLE_LOG_N);
  return limits;
}

/** The opened DATA frames and verified tail of a segment. */
export interface OpenedSegment {
  /** The segment's plaintext (a new buffer, safe to hand to a reader). */
  plaintext: Uint8Array;
  /** The wire buffer handed back (for recycling). */
  input: ArrayBuffer;
}

/**
 * One stream's keys and the crypto that uses them. Made once per stream ({@link KeyedSession.create}
 * or {@link KeyedSession.open}); {@link KeyedSession.close} releases the key and the engine.
 */
export class KeyedSession {
  private closed = false;

  private constructor(
    /** The stream header, parsed (its `bytes` are the 80 header bytes, MAC included). */
    readonly header: StreamHeader,
    /** What workers need to seal or open the stream's frames. */
    readonly key: SessionKey,
    private readonly tail: FrameCrypto,
    private readonly engine: Engine,
  ) {}

  /**
   * Starts a new stream: header with `salt` (default: 32 fresh random bytes), keys, header_mac.
   * The session owns `engine` from here on (released by {@link KeyedSession.close}).
   */
  static async create(
    secret: Secret,
    params: HeaderParams,
    engine: Engine,
    backend?: BackendName,
    salt: Uint8Array = crypto.getRandomValues(new Uint8Array(SALT_SIZE)),
  ): Promise<KeyedSession> {
    const bytes = encodeHeaderPrefix(params, salt);
    const keys = await deriveKeys(secret, { kdf: params.kdf, logN: params.logN, salt }, engine.scrypt);
    sealHeader(keys.headerKey, bytes);
    return KeyedSession.keyed(parseHeader(bytes), keys.frameKey, engine, backend);
  }

  /**
   * Opens an existing stream whose header was parsed and checked against the decoder limits:
   * derives the keys and checks header_mac (spec §3).
   * @throws StreamV2Error `WRONG_KEY`
   */
  static async open(
    secret: Secret,
    header: StreamHeader,
    engine: Engine,
    backend?: BackendName,
  ): Promise<KeyedSession> {
    checkSecret(secret);
    const keys = await deriveKeys(secret, header, engine.scrypt);
    verifyHeaderMac(keys.headerKey, header.bytes);
    return KeyedSession.keyed(header, keys.frameKey, engine, backend);
  }

  private static async keyed(
    header: StreamHeader,
    frameKey: Uint8Array,
    engine: Engine,
    backend: BackendName | undefined,
  ): Promise<KeyedSession> {
    const key: SessionKey = { id: sessionId(), suite: header.suite, frameKey, header: header.bytes, backend };
    const tail = await frameCryptoFor(engine.platform.backends, key);
    return new KeyedSession(header, key, tail, engine);
  }

  /** Seals the DATA frames of a segment (its plaintext from offset 0 of a buffer given up). */
  sealData(range: FrameRange, plaintext: Uint8Array): Promise<SegmentWork> {
    return this.engine.seal(this.key, range, plaintext, SEGMENT_TAIL_SIZE);
  }

  /**
   * Seals the DATA frames of a segment whose plaintext the workers read from `source` at
   * `offset` themselves; undefined without a pool (the caller reads and uses `sealData`).
   */
  sealDataFromBlob(range: FrameRange, source: WorkerSource, offset: number): Promise<SegmentWork> | undefined {
    return this.engine.sealFromBlob(this.key, range, source, offset, SEGMENT_TAIL_SIZE);
  }

  /** Writes DIGEST and TERMINATOR (spec §4) after the sealed DATA frames; returns the segment. */
  async sealTail(work: SegmentWork, segmentIndex: number, final: boolean): Promise<Uint8Array> {
    const wire = work.output;
    const at = wire.length - SEGMENT_TAIL_SIZE;
    await sealSegmentTail(this.tail, this.header.bytes, wire, at, segmentIndex, work.hashes, final);
    return wire;
  }

  /**
   * Opens a segment whose frame headers the reader checked: DATA frames through the engine,
   * then DIGEST and TERMINATOR (spec §6.3: nothing is released before the whole segment verified).
   * @param wire - the segment from offset 0 of a buffer given up until this resolves
   * @param tailOffset - offset of the DIGEST frame in `wire`
   */
  async openSegment(range: FrameRange, wire: Uint8Array, tailOffset: number): Promise<OpenedSegment> {
    const { output, hashes, input } = await this.engine.open(this.key, range, wire);
    await openSegmentTail(this.tail, this.header.bytes, new Uint8Array(input), tailOffset, range.segmentIndex, hashes);
    return { plaintext: output, input };
  }

  /**
   * Has a worker read segment `place.index` from `source`, check its place and open it whole
   * (spec §6.3): no ciphertext through this thread. Undefined without a pool.
   */
  openSegmentFromBlob(
    source: WorkerSource,
    place: { index: number; wireOffset: number; wireLength: number },
    last: boolean,
  ): Promise<Uint8Array> | undefined {
    const { header, key } = this;
    const layout = { frameSize: header.frameSize, framesPerSegment: header.framesPerSegment };
    const { index, wireOffset, wireLength } = place;
    return this.engine.segmentFromBlob({
      session: key,
      header: header.bytes,
      layout,
      source,
      index,
      wireOffset,
      wireLength,
      last,
    });
  }

  /** The keyed tail crypto, for checks of a single tag (the last TERMINATOR of a random-access source). */
  get tailCrypto(): FrameCrypto {
    return this.tail;
  }

  /** Releases the frame key (worker caches) and the engine's own pool. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.engine.close();
    forgetSession(this.key.id);
  }
}
