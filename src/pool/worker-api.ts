/** The worker side of the protocol: the pure codec, keyed per session, over transferred buffers. */
import { scrypt } from '@noble/hashes/scrypt.js';
import { transfer } from 'comlink';
import { scryptMaxmem } from '../codec/keys.js';
import {
  checkDigest,
  hashDataFrames,
  openDataFrames,
  openSegmentTail,
  rangePlaintextSize,
  rangeWireSize,
  sealDataFrames,
  segmentRange,
} from '../codec/segment.js';
import { frameCryptoFor } from '../crypto/select.js';
import type { CryptoBackend } from '../crypto/types.js';
import { StreamV2Error } from '../errors.js';
import { type Allocator, guardAllocator } from '../platform/types.js';
import { checkSegmentBytes } from '../random/layout.js';
import { type FileReader, readWorkerSource } from '../random/source.js';
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
 * @param readFile - reads files by path (Node workers); without it only Blobs are read
 * @param recycle - takes back the buffers a worker read a source into, once nothing reads them
 */
export function createWorkerApi(
  backends: readonly CryptoBackend[],
  allocator: Allocator = (size) => new Uint8Array(size),
  readFile?: FileReader,
  recycle: (buffer: ArrayBuffer) => void = () => {},
): WorkerApi {
  installErrorTransfer(); // errors thrown here cross back with their code (comlink-errors.ts)
  const allocate = guardAllocator(allocator);
  const result = (output: Uint8Array, hashes: Uint8Array, input: ArrayBuffer) => {
    const buffer = output.buffer as ArrayBuffer;
    const transfers = [buffer, hashes.buffer as ArrayBuffer, input];
    return transfer<ItemResult>({ output: { buffer, length: output.length }, hashes, input }, transfers);
  };
  const sealInto = async (
    session: SealItem['session'],
    range: SealItem['range'],
    plaintext: Uint8Array,
    room: number,
  ) => {
    const fc = await frameCryptoFor(backends, session);
    const wire = allocate(rangeWireSize(range) + room);
    const hashes = await sealDataFrames(fc, session.header, plaintext, wire, range);
    return { wire, hashes };
  };
  return {
    async seal({ session, range, data, room }: SealItem) {
      const { wire, hashes } = await sealInto(session, range, viewOf(data), room);
      return result(wire, hashes, data.buffer); // the caller's buffer goes back for reuse
    },
    async sealBlob({ session, range, source, offset, room }: BlobSealItem) {
      const plaintext = await readWorkerSource(source, offset, rangePlaintextSize(range), readFile);
      const { wire, hashes } = await sealInto(session, range, plaintext, room);
      recycle(plaintext.buffer as ArrayBuffer); // read here, never seen elsewhere: reused here
      return result(wire, hashes, new ArrayBuffer(0));
    },
    async open({ session, range, data }: OpenItem) {
      const fc = await frameCryptoFor(backends, session);
      const plaintext = allocate(rangePlaintextSize(range));
      const hashes = await openDataFrames(fc, session.header, viewOf(data), plaintext, range);
      return result(plaintext, hashes, data.buffer);
    },
    async digest({ header, segmentIndex, dataFrames, tailOffset, data }: DigestItem) {
      const sha256 = hasher(backends);
      const wire = viewOf(data);
      const hashes = await hashDataFrames(sha256, wire, dataFrames);
      await checkDigest(sha256, header, wire, tailOffset, segmentIndex, hashes);
    },
    async segmentFromBlob({ session, header, layout, source, index, wireOffset, wireLength, last }: BlobSegmentItem) {
      const bytes = await readWorkerSource(source, wireOffset, wireLength, readFile);
      const seg = checkSegmentBytes(bytes, layout, index, last, true); // read here: checked in place
      if (!session) {
        const sha256 = hasher(backends);
        const hashes = await hashDataFrames(sha256, seg.bytes, seg.dataFrames);
        await checkDigest(sha256, header, seg.bytes, seg.tailOffset, index, hashes);
        recycle(bytes.buffer as ArrayBuffer);
        return undefined;
      }
      const fc = await frameCryptoFor(backends, session);
      const range = segmentRange(index, layout.frameSize, seg.plaintextLength);
      const plaintext = allocate(seg.plaintextLength);
      const hashes = await openDataFrames(fc, header, seg.bytes, plaintext, range);
      // spec §6.3: the plaintext leaves the worker only after DIGEST and TERMINATOR verified.
      await openSegmentTail(fc, header, seg.bytes, seg.tailOffset, index, hashes);
      recycle(bytes.buffer as ArrayBuffer);
      const buffer = plaintext.buffer as ArrayBuffer;
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
