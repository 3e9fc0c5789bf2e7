/**
 * `encrypt --resume`: the proof that the partial file left by an interrupted `encrypt -o OUT`
 * is a prefix of this encryption of IN. Ciphertext is deterministic under a given header
 * (spec §5, §8), so every byte of the partial file after the header is re-sealed from IN and
 * compared: a resumed OUT holds no byte that this run would not have written itself (so it
 * decrypts: issue 20, F7), and no segment of IN is ever sealed under the header's nonces
 * unless the same plaintext was proven to have been sealed there (spec §8: re-encrypting a
 * segment with the same header and other plaintext reuses nonces). A partial file that holds
 * no whole segment proves nothing (a header alone, or a frame header, is the same whatever
 * the plaintext; it may even come from another stream: issue 20, F3): the run then starts
 * afresh under a new salt.
 */
import { type FileHandle, lstat, open } from 'node:fs/promises';
import {
  type BlobEncryption,
  DecryptSegmentTransform,
  encryptedSize,
  HEADER_SIZE,
  parseHeader,
  type ResumeState,
  type Secret,
  StreamV2Error,
} from '../node.js';
import type { Args } from './args.js';
import { asIo, CliError, usage } from './errors.js';

/** Bytes of the partial file read at a time where they are not compared against a segment. */
const CHUNK = 1 << 20;

/**
 * The header of the partial file, when it holds one whole: undefined when there is no partial
 * file or fewer than 80 bytes of it (nothing to continue: the run starts anew).
 * @throws CliError `IO` when it cannot be read or is not a regular file (a symbolic link too:
 *   the partial file is never reached through one)
 */
export async function partialHeader(partial: string): Promise<Uint8Array | undefined> {
  try {
    const st = await lstat(partial);
    if (!st.isFile()) throw new CliError('IO', `'${partial}' is not a regular file`);
    if (st.size < HEADER_SIZE) return undefined;
    const fh = await open(partial, 'r');
    try {
      return await readAt(fh, partial, 0, HEADER_SIZE);
    } finally {
      await fh.close();
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw asIo(e, `cannot read '${partial}'`);
  }
}

/** A resume state with no recorded digests: the proof is the comparison in {@link provePartial}. */
export function resumeStateOf(header: Uint8Array, plaintextSize: number): ResumeState {
  parseHeader(header); // BAD_HEADER / UNSUPPORTED here, with the spec's code, for a damaged partial file
  return { version: 1, header: Buffer.from(header).toString('hex'), plaintextSize, digests: {} };
}

/**
 * With `--resume`, the encoder flags must agree with the partial file's header (which fixes
 * them); given ones that differ are a usage error rather than silently ignored.
 * @throws CliError `USAGE`
 */
export function checkFlagsAgainst(header: Uint8Array, args: Args, options: Record<string, unknown>): void {
  const h = parseHeader(header);
  const fixed: [string, unknown, unknown][] = [
    ['suite', options['suite'], h.suite],
    ['frame-size', options['frameSize'], h.frameSize],
    ['frames-per-segment', options['framesPerSegment'], h.framesPerSegment],
    ['log-n', options['logN'], h.kdf === 'scrypt' ? h.logN : undefined],
  ];
  for (const [flag, given, has] of fixed) {
    if (given !== undefined && given !== has) {
      throw usage(`--${flag} ${given} differs from the partial file being resumed (${has ?? 'none'})`, args.command);
    }
  }
}

/**
 * Proves that the partial file is a prefix of `enc` (IN encrypted under the partial file's
 * header, whose header_mac `resumeEncryption` already checked with the secret): every byte
 * after the header is compared with the re-sealed ciphertext. Nothing is written before this
 * succeeds. A tail of zero bytes that differs (what a file system may leave after a power cut:
 * the size written, not the data) is cut back to the start of the segment where it begins.
 * @returns where to continue (the end of the partial file, or the segment boundary a zero tail
 *   is cut back to), or undefined when no whole segment is left to prove IN the same
 * @throws StreamV2Error `SOURCE_CHANGED` when IN is not the file the partial one was made from;
 *   the spec §7 code of the damage (`AUTH_FAILED`, `DIGEST_MISMATCH`, `BAD_FRAME`) when a
 *   whole segment of the partial file does not decrypt
 */
export async function provePartial(
  partial: string,
  enc: BlobEncryption,
  secret: Secret,
  workers: number | undefined,
): Promise<number | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(partial, 'r');
  } catch (e) {
    throw asIo(e, `cannot read '${partial}'`);
  }
  try {
    const end = (await fh.stat()).size;
    const changed = (why: string) =>
      new StreamV2Error(
        'SOURCE_CHANGED',
        `IN is not the file '${partial}' was made from (${why}); it is left as it was`,
      );
    if (end > enc.size) throw changed('the partial file is longer than the ciphertext of IN');
    const h = parseHeader(enc.header);
    const w = encryptedSize(h.frameSize * h.framesPerSegment, h) - HEADER_SIZE; // a full segment (spec §5)
    const segmentOf = (pos: number) => Math.floor((pos - HEADER_SIZE) / w);
    const m = await firstDifference(fh, partial, end, enc);
    let at = end;
    if (m < end) {
      const k = segmentOf(m);
      if (!(await zerosFrom(fh, partial, m, end))) {
        const segmentEnd = Math.min(HEADER_SIZE + (k + 1) * w, enc.size);
        const damage = segmentEnd <= end ? await damageIn(fh, partial, segmentEnd, secret, workers) : undefined;
        throw damage ?? changed(`segment ${k} differs`);
      }
      at = HEADER_SIZE + k * w; // a lost tail: continue from the start of its segment
    }
    // A whole segment compared equal proves IN the same there (its tags included); less proves nothing.
    return at === enc.size || segmentOf(at) > 0 ? at : undefined;
  } finally {
    await fh.close();
  }
}

/** The first offset past the header where the partial file and `enc` differ, or `end`. */
async function firstDifference(fh: FileHandle, partial: string, end: number, enc: BlobEncryption): Promise<number> {
  if (end <= HEADER_SIZE) return end;
  // The re-sealed ciphertext, a window of segments in flight on the workers; cancelled at `end`.
  const reader = enc.stream({ start: HEADER_SIZE }).getReader();
  try {
    for (let pos = HEADER_SIZE; pos < end; ) {
      const { done, value } = await reader.read();
      if (done) return pos; // not reached: end <= enc.size
      const n = Math.min(value.length, end - pos);
      const expected = Buffer.from(value.buffer, value.byteOffset, n);
      const actual = Buffer.from(await readAt(fh, partial, pos, n));
      if (!expected.equals(actual)) {
        let i = 0;
        while (expected[i] === actual[i]) i++;
        return pos + i;
      }
      pos += n;
    }
    return end;
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** Whether the partial file holds only zero bytes in `[from, end)`. */
async function zerosFrom(fh: FileHandle, partial: string, from: number, end: number): Promise<boolean> {
  for (let pos = from; pos < end; pos += CHUNK) {
    const bytes = await readAt(fh, partial, pos, Math.min(CHUNK, end - pos));
    if (!bytes.every((b) => b === 0)) return false;
  }
  return true;
}

/**
 * Tells damage from another IN when a whole segment of the partial file differs from IN's: the
 * partial file's bytes `[0, segmentEnd)` are decrypted with the secret (spec §6: every tag and
 * digest). The error, when that segment fails: the partial file is damaged. Undefined when it
 * authenticates (then IN is what changed).
 */
async function damageIn(
  fh: FileHandle,
  partial: string,
  segmentEnd: number,
  secret: Secret,
  workers: number | undefined,
): Promise<StreamV2Error | undefined> {
  let pos = 0;
  const bytes = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (pos >= segmentEnd) return controller.close();
        const n = Math.min(CHUNK, segmentEnd - pos);
        controller.enqueue(await readAt(fh, partial, pos, n));
        pos += n;
      },
    },
    { highWaterMark: 0 },
  );
  try {
    await bytes
      .pipeThrough(new DecryptSegmentTransform(secret, workers === undefined ? {} : { workers }))
      .pipeTo(new WritableStream()); // the plaintext goes nowhere
    return undefined;
  } catch (e) {
    if (!StreamV2Error.is(e) || ['TRUNCATED', 'LIMIT_EXCEEDED', 'SOURCE_CHANGED'].includes(e.code)) return undefined;
    if (e.code === 'WORKER_FAILED' || e.code === 'ABORTED') throw e;
    const detail = e.message.startsWith(`${e.code}: `) ? e.message.slice(e.code.length + 2) : e.message;
    return new StreamV2Error(
      e.code,
      `the partial file '${partial}' is damaged: ${detail}; it is left as it was (run without --resume to start afresh)`,
    );
  }
}

/** Exactly `length` bytes of the open file from `offset`. */
async function readAt(fh: FileHandle, path: string, offset: number, length: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  for (let at = 0; at < length; ) {
    const { bytesRead } = await fh.read(buf, at, length - at, offset + at);
    if (bytesRead === 0) throw new CliError('IO', `'${path}' changed while it was read`);
    at += bytesRead;
  }
  return buf;
}
