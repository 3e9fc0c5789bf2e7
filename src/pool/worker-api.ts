/**
 * The worker side of the protocol: the pure segment codec, keyed per stream, over buffers
 * handed over or read from a source here. The same API runs on the calling thread when there
 * is no worker (`workers: 0`, or while the first worker starts), so every path gives the same
 * bytes.
 */
import { scrypt } from '@noble/hashes/scrypt.js';
import { transfer } from 'comlink';
import { joinFrames } from '../codec/frames.js';
import { scryptMaxmem } from '../codec/keys.js';
import { checkSegmentBytes } from '../codec/layout.js';
import { dataBodies, segmentRange } from '../codec/range.js';
import { checkSegment, openSegment, openStreamEnd, sealSegment } from '../codec/segment.js';
import { forgetSession, frameCryptoFor } from '../crypto/select.js';
import type { CryptoBackend } from '../crypto/types.js';
import { StreamV2Error } from '../errors.js';
import { DIGEST_PAYLOAD_SIZE, FRAME_HEADER_SIZE, SEGMENT_TAIL_SIZE } from '../format/constants.js';
import { dataFramesWireSize } from '../format/sizes.js';
import { type Allocator, guardAllocator } from '../platform/types.js';
import { isBlob, readBlobRange, readFileInto, type WorkerFiles } from '../source/source.js';
import { installErrorTransfer } from './comlink-errors.js';
import type { CheckJob, EndJob, JobInput, JobResult, OpenJob, SealJob, Transferred, WorkerApi } from './protocol.js';

/** The bytes of a transferred buffer. */
export const viewOf = (t: Transferred): Uint8Array => new Uint8Array(t.buffer, 0, t.length);

/** SHA-256 on the first backend of the platform that can hash (the fastest, by the platform's order). */
export function hasher(backends: readonly CryptoBackend[]): (data: Uint8Array) => Uint8Array | Promise<Uint8Array> {
  const b = backends.find((c) => c.canHash());
  if (!b) throw new StreamV2Error('UNSUPPORTED', 'no backend can hash here');
  return (data) => b.sha256(data);
}

/** An answer: the output buffer and the input buffer, both transferred back (and a DIGEST value). */
function answer(output: Uint8Array | undefined, input: ArrayBuffer | undefined, digest?: Uint8Array): JobResult {
  const transfers: ArrayBuffer[] = [];
  let out: Transferred | undefined;
  if (output) {
    out = { buffer: output.buffer as ArrayBuffer, length: output.length };
    transfers.push(out.buffer);
  }
  if (input && input !== out?.buffer) transfers.push(input);
  const fields = { ...(out ? { output: out } : {}), ...(input ? { input } : {}), ...(digest ? { digest } : {}) };
  return transfer<JobResult>(fields, transfers);
}

/**
 * Builds the API a worker exposes, over the platform's backends.
 * @param allocator - makes output buffers (they are written completely before they leave)
 * @param files - reads files by path (Node workers); without them only Blobs are read
 */
export function createWorkerApi(
  backends: readonly CryptoBackend[],
  allocator: Allocator = (size) => new Uint8Array(size),
  files?: WorkerFiles,
): WorkerApi {
  installErrorTransfer(); // errors thrown here cross back with their code (comlink-errors.ts)
  const allocate = guardAllocator(allocator);
  /**
   * The bytes of a source place, read here: a Blob's in a new buffer; a file's in a new one, or
   * in one of `files.take` (to `give` back) when `reuse` (nothing of it leaves).
   */
  const readPlace = async (input: Exclude<JobInput, { bytes: Transferred }>, reuse: boolean) => {
    if (isBlob(input.source)) return readBlobRange(input.source, input.offset, input.length);
    const bytes = reuse && files ? files.take(input.length) : allocate(input.length);
    await readFileInto(input.source, input.offset, [bytes], files);
    return bytes;
  };
  return {
    async seal({ session, frameSize, segmentIndex, final, input }: SealJob) {
      const fc = await frameCryptoFor(backends, session);
      const id = { header: session.header, segmentIndex, frameSize };
      const length = 'bytes' in input ? input.bytes.length : input.length;
      const wire = allocate(dataFramesWireSize(frameSize, length) + SEGMENT_TAIL_SIZE);
      if ('bytes' in input) {
        await sealSegment(fc, id, final, viewOf(input.bytes), wire);
        return answer(wire, input.bytes.buffer); // the caller's buffer goes back for reuse
      }
      if (isBlob(input.source)) {
        await sealSegment(fc, id, final, await readPlace(input, false), wire);
      } else {
        // A file's plaintext goes straight into the frame bodies, where it is sealed in place.
        const bodies = dataBodies(wire, segmentRange(segmentIndex, frameSize, length));
        await readFileInto(input.source, input.offset, bodies, files);
        await sealSegment(fc, id, final, { length }, wire);
      }
      return answer(wire, undefined);
    },
    async open({ session, layout, segmentIndex, last, input }: OpenJob) {
      const fc = await frameCryptoFor(backends, session);
      const handed = 'bytes' in input;
      const bytes = handed ? viewOf(input.bytes) : await readPlace(input, false);
      const seg = checkSegmentBytes(bytes, layout, segmentIndex, last);
      const frames = await openSegment(fc, { header: session.header, segmentIndex, frameSize: layout.frameSize }, seg);
      // spec §6.3: the plaintext exists only now, after DIGEST and TERMINATOR verified. Bytes
      // handed over go back for reuse and the plaintext leaves in a buffer of exactly its size
      // (a transform's chunks); a segment read here leaves in its own read buffer, the
      // plaintext over the spent ciphertext (frame i's plaintext lies before frame i's body),
      // which the read wrote off this thread: a new buffer would be written here, cold.
      if (handed) return answer(joinFrames(frames, allocate(seg.plaintextLength)), input.bytes.buffer);
      return answer(joinFrames(frames, bytes), undefined);
    },
    async check({ header, layout, segmentIndex, last, input }: CheckJob) {
      const handed = 'bytes' in input;
      const bytes = handed ? viewOf(input.bytes) : await readPlace(input, true);
      const seg = checkSegmentBytes(bytes, layout, segmentIndex, last);
      await checkSegment(hasher(backends), { header, segmentIndex, frameSize: layout.frameSize }, seg);
      // The value as checked, copied before the buffer is reused (resumeStateFrom records it).
      const at = seg.tailOffset + FRAME_HEADER_SIZE + 1;
      const digest = seg.bytes.slice(at, at + DIGEST_PAYLOAD_SIZE - 1);
      if (handed) return answer(undefined, input.bytes.buffer, digest);
      if (!isBlob(input.source)) files?.give(bytes.buffer as ArrayBuffer);
      return answer(undefined, undefined, digest);
    },
    async openEnd({ session, segmentIndex, dataFrames, input }: EndJob) {
      const fc = await frameCryptoFor(backends, session);
      await openStreamEnd(fc, { header: session.header, segmentIndex }, dataFrames, viewOf(input.bytes));
      return answer(undefined, input.bytes.buffer);
    },
    async forget(sessionId) {
      forgetSession(sessionId);
    },
    async ping() {
      return true;
    },
    async scrypt(password, salt, logN) {
      return scrypt(password, salt, { N: 2 ** logN, r: 8, p: 1, dkLen: 32, maxmem: scryptMaxmem(logN) });
    },
  };
}
