/** The worker side of the protocol: the pure codec, keyed per session, over transferred buffers. */
import { scrypt } from '@noble/hashes/scrypt.js';
import { transfer } from 'comlink';
import { scryptMaxmem } from '../codec/keys.js';
import { dataBodies, rangePlaintextSize, rangeWireSize, segmentRange } from '../codec/range.js';
import {
  checkDigest,
  hashDataFrames,
  joinFrames,
  openDataFrames,
  openSegmentTail,
  sealDataFrames,
} from '../codec/segment.js';
import { frameCryptoFor } from '../crypto/select.js';
import type { CryptoBackend } from '../crypto/types.js';
import { StreamV2Error } from '../errors.js';
import { type Allocator, guardAllocator } from '../platform/types.js';
import { checkSegmentBytes } from '../random/layout.js';
import { isBlob, readBlobRange, readFileInto, type WorkerFiles, type WorkerSource } from '../random/source.js';
import { installErrorTransfer } from './comlink-errors.js';
import type {
  BlobSealItem,
  BlobSegmentItem,
  DigestItem,
  ItemResult,
  OpenItem,
  SealItem,
  Transferred,
  WorkerApi,
} from './protocol.js';

/** The bytes of a transferred buffer. */
export const viewOf = (t: Transferred): Uint8Array => new Uint8Array(t.buffer, 0, t.length);

/** SHA-256 on the first backend of the platform that can hash (the fastest, by the platform's order). */
export function hasher(backends: readonly CryptoBackend[]): (data: Uint8Array) => Uint8Array | Promise<Uint8Array> {
  const b = backends.find((c) => c.canHash());
  if (!b) throw new StreamV2Error('UNSUPPORTED', 'no backend can hash here');
  return (data) => b.sha256(data);
}

/**
 * Builds the API a worker exposes, over the platform's backends.
 * @param allocate - makes output buffers (they are written completely before they leave)
 * @param files - reads files by path (Node workers); without them only Blobs are read
 */
export function createWorkerApi(
  backends: readonly CryptoBackend[],
  allocator: Allocator = (size) => new Uint8Array(size),
  files?: WorkerFiles,
): WorkerApi {
  installErrorTransfer(); // errors thrown here cross back with their code (comlink-errors.ts)
  const allocate = guardAllocator(allocator);
  const result = (output: Uint8Array, hashes: Uint8Array, input: ArrayBuffer) => {
    const buffer = output.buffer as ArrayBuffer;
    const transfers = [buffer, hashes.buffer as ArrayBuffer, input];
    return transfer<ItemResult>({ output: { buffer, length: output.length }, hashes, input }, transfers);
  };
  /**
   * Seals `range` into a new wire buffer with `room` spare bytes. `plaintext` is contiguous, or
   * a function that puts it straight into the frame bodies, where it is sealed in place.
   */
  const sealInto = async (
    session: SealItem['session'],
    range: SealItem['range'],
    room: number,
    plaintext: Uint8Array | ((bodies: Uint8Array[]) => Promise<void>),
  ) => {
    const fc = await frameCryptoFor(backends, session);
    const wire = allocate(rangeWireSize(range) + room);
    const inPlace = typeof plaintext === 'function';
    if (inPlace) await plaintext(dataBodies(wire, range));
    const hashes = await sealDataFrames(fc, session.header, inPlace ? undefined : plaintext, wire, range);
    return { wire, hashes };
  };
  /**
   * The bytes of a segment a worker reads itself: a Blob's in a new buffer; a file's in a new
   * one, or in one of `files.take` to `give` back when `reuse` (nothing of it leaves).
   */
  const readSourceBytes = async (source: WorkerSource, offset: number, length: number, reuse: boolean) => {
    if (isBlob(source)) return readBlobRange(source, offset, length);
    const bytes = reuse && files ? files.take(length) : allocate(length);
    await readFileInto(source, offset, [bytes], files);
    return bytes;
  };
  return {
    async seal({ session, range, data, room }: SealItem) {
      const { wire, hashes } = await sealInto(session, range, room, viewOf(data));
      return result(wire, hashes, data.buffer); // the caller's buffer goes back for reuse
    },
    async sealBlob({ session, range, source, offset, room }: BlobSealItem) {
      const { wire, hashes } = isBlob(source)
        ? await sealInto(session, range, room, await readBlobRange(source, offset, rangePlaintextSize(range)))
        : await sealInto(session, range, room, (bodies) => readFileInto(source, offset, bodies, files));
      return result(wire, hashes, new ArrayBuffer(0));
    },
    async open({ session, range, data }: OpenItem) {
      const fc = await frameCryptoFor(backends, session);
      const size = rangePlaintextSize(range);
      const { frames, hashes } = await openDataFrames(fc, session.header, viewOf(data), range, size);
      return result(joinFrames(frames, allocate(size)), hashes, data.buffer);
    },
    async digest({ header, segmentIndex, dataFrames, tailOffset, data }: DigestItem) {
      const sha256 = hasher(backends);
      const wire = viewOf(data);
      const hashes = await hashDataFrames(sha256, wire, dataFrames);
      await checkDigest(sha256, header, wire, tailOffset, segmentIndex, hashes);
    },
    async segmentFromBlob({ session, header, layout, source, index, wireOffset, wireLength, last }: BlobSegmentItem) {
      // Opened: read into a new buffer, which its plaintext leaves in. Checked without the key:
      // a buffer of the worker's own, reused (nothing leaves).
      const bytes = await readSourceBytes(source, wireOffset, wireLength, !session);
      const seg = checkSegmentBytes(bytes, layout, index, last, true); // read here: checked in place
      if (!session) {
        const sha256 = hasher(backends);
        const hashes = await hashDataFrames(sha256, seg.bytes, seg.dataFrames);
        await checkDigest(sha256, header, seg.bytes, seg.tailOffset, index, hashes);
        if (!isBlob(source)) files?.give(bytes.buffer as ArrayBuffer);
        return undefined;
      }
      const fc = await frameCryptoFor(backends, session);
      const range = segmentRange(index, layout.frameSize, seg.plaintextLength);
      const { frames, hashes } = await openDataFrames(fc, header, seg.bytes, range, seg.plaintextLength);
      // spec §6.3: the plaintext leaves the worker only after DIGEST and TERMINATOR verified.
      await openSegmentTail(fc, header, seg.bytes, seg.tailOffset, index, hashes);
      // Then the ciphertext is spent: the plaintext goes over it, from offset 0 (each frame's
      // plaintext lies before its body). This buffer was written by the read, off this thread;
      // a new one would be written here first, in cold memory.
      const plaintext = joinFrames(frames, bytes);
      const buffer = bytes.buffer as ArrayBuffer;
      return transfer<Transferred>({ buffer, length: plaintext.length }, [buffer]);
    },
    async ping() {
      return true;
    },
    async scrypt(password, salt, logN) {
      return scrypt(password, salt, { N: 2 ** logN, r: 8, p: 1, dkLen: 32, maxmem: scryptMaxmem(logN) });
    },
  };
}
