/**
 * `encrypt --resume`: continues the partial file an interrupted `encrypt -o OUT` left, with the
 * library's public API only. The proof that the partial file is a prefix of this encryption of
 * IN (spec §8: re-encrypting a segment under the same header with other plaintext reuses its
 * nonces):
 * 1. `resumeStateFrom(partial, IN)`: without the key, the header and every complete segment,
 *    each checked (frame headers, DIGEST value): damage anywhere before the resume point fails
 *    with its code (issue 20, F7);
 * 2. the same segments decrypted with the secret: every tag, so a resumed OUT decrypts;
 * 3. `encryptBlob(IN, secret, { resume })`: header_mac with the secret, then every recorded
 *    segment sealed again from IN and compared (`SOURCE_CHANGED` for another IN).
 * A partial file with no complete segment proves nothing (a header alone is the same whatever
 * the plaintext, and may come from another stream: issue 20, F3): the run starts afresh. A
 * tail of zero bytes (what a file system may leave after a power cut: the size written, not
 * the data) is cut back to the start of the segment where it begins.
 */
import { lstat, open } from 'node:fs/promises';
import {
  type BlobEncryption,
  ciphertextSize,
  DecryptSegmentTransform,
  encryptBlob,
  HEADER_SIZE,
  openFile,
  parseHeader,
  type ResumeState,
  resumeStateFrom,
  type Secret,
  StreamV2Error,
} from '../node.js';
import type { Args } from './args.js';
import { asIo, CliError, usage } from './errors.js';

/** Bytes read at a time while looking for a zero tail. */
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
      const buf = new Uint8Array(HEADER_SIZE);
      const { bytesRead } = await fh.read(buf, 0, HEADER_SIZE, 0);
      if (bytesRead < HEADER_SIZE) throw new CliError('IO', `'${partial}' changed while it was read`);
      parseHeader(buf); // BAD_HEADER / UNSUPPORTED, with the spec's code, for a damaged partial file
      return buf;
    } finally {
      await fh.close();
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw StreamV2Error.is(e) || e instanceof CliError ? e : asIo(e, `cannot read '${partial}'`);
  }
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
 * Proves the partial file a prefix of IN's encryption (steps 1–3 above) and opens that
 * encryption. Nothing is written before this succeeds.
 * @returns the encryption and where to continue (the end of the partial file, or of its last
 *   complete segment when a zero tail was cut), or undefined when no complete segment is there
 *   to prove IN the same
 * @throws StreamV2Error the spec §7 code of damage in the partial file (`DIGEST_MISMATCH`,
 *   `BAD_FRAME`, `AUTH_FAILED`...), `SOURCE_CHANGED` for another IN, `WRONG_KEY`
 */
export async function resumePartial(
  partial: string,
  header: Uint8Array,
  input: Blob,
  secret: Secret,
  workers: number | undefined,
): Promise<{ enc: BlobEncryption; at: number } | undefined> {
  const w = workers === undefined ? {} : { workers };
  const h = parseHeader(header);
  const full = h.frameSize * h.framesPerSegment;
  const wire = ciphertextSize(full, h) - HEADER_SIZE; // W, a full segment's wire size (spec §5)
  const held = await openFile(partial);
  const damaged = (e: unknown) => {
    if (!StreamV2Error.is(e) || ['WORKER_FAILED', 'ABORTED', 'SOURCE_FAILED', 'SOURCE_CHANGED'].includes(e.code))
      return e;
    const detail = e.message.startsWith(`${e.code}: `) ? e.message.slice(e.code.length + 2) : e.message;
    const hint = 'it is left as it was (run without --resume to start afresh)';
    return new StreamV2Error(e.code, `the partial file '${partial}' is damaged: ${detail}; ${hint}`);
  };
  const size = ciphertextSize(input.size, h);
  if (held.size > size) {
    throw new StreamV2Error(
      'SOURCE_CHANGED',
      `IN is not the file '${partial}' was made from (its ciphertext is shorter than the partial file); it is left as it was`,
    );
  }
  let state: ResumeState;
  let heldEnd = held.size; // what of the partial file counts (a zero tail is cut off)
  try {
    state = await resumeStateFrom(held, input, w);
  } catch (e) {
    // A lost tail: cut back to the start of the segment where the zeros begin, and check again.
    const z = StreamV2Error.is(e) && e.segmentIndex !== undefined ? await zeroTail(partial, held.size) : undefined;
    if (z === undefined) throw damaged(e);
    const cut = HEADER_SIZE + Math.floor((z - HEADER_SIZE) / wire) * wire;
    heldEnd = cut;
    state = await resumeStateFrom(held.slice(0, cut), input, w).catch((x: unknown) => {
      throw damaged(x);
    });
  }
  // n complete segments, all full but maybe the last of the stream (spec §5).
  const n = Object.keys(state.digests).length;
  if (n === 0) return undefined;
  const at = n * full >= state.plaintextSize ? size : HEADER_SIZE + n * wire;
  await decryptPrefix(held.slice(0, at), secret, w, n, at === size).catch((e: unknown) => {
    throw damaged(e);
  });
  const changed = (k: number | undefined) =>
    new StreamV2Error(
      'SOURCE_CHANGED',
      `IN is not the file '${partial}' was made from${k === undefined ? '' : ` (segment ${k} differs)`}; it is left as it was`,
    );
  const enc = await encryptBlob(input, secret, { ...w, resume: state }).catch((e: unknown) => {
    throw StreamV2Error.is(e) && e.code === 'SOURCE_CHANGED' ? changed(e.segmentIndex) : e;
  });
  // The bytes past the last complete segment (a segment begun) must be this run's own too: its
  // frames were sealed from IN once already, and sealing other plaintext under them would reuse
  // their nonces beside bytes already written (spec §8).
  let end = heldEnd;
  if (end > at) {
    const want = await enc.read(at, end);
    const have = new Uint8Array(await held.slice(at, end).arrayBuffer());
    const d = want.findIndex((b, i) => b !== have[i]);
    // A lost tail (zeros from the first difference on) is cut back to the segment's start.
    if (d >= 0 && have.subarray(d).every((b) => b === 0)) end = at;
    else if (d >= 0) {
      enc.close();
      throw changed(n); // the segment begun
    }
  }
  return { enc, at: end };
}

/**
 * Where the partial file's trailing run of zero bytes begins (it is at least one byte long, and
 * begins after the header), or undefined when its last byte is not zero.
 */
async function zeroTail(partial: string, end: number): Promise<number | undefined> {
  const fh = await open(partial, 'r');
  try {
    const buf = new Uint8Array(CHUNK);
    for (let pos = end; pos > HEADER_SIZE; ) {
      const n = Math.min(CHUNK, pos - HEADER_SIZE);
      const { bytesRead } = await fh.read(buf, 0, n, pos - n);
      if (bytesRead < n) return undefined;
      let i = n;
      while (i > 0 && buf[i - 1] === 0) i--;
      if (i > 0) return pos - n + i < end ? pos - n + i : undefined;
      pos -= n;
    }
    return HEADER_SIZE;
  } finally {
    await fh.close();
  }
}

/**
 * Decrypts the partial file's first `segments` complete segments with the secret (spec §6:
 * every tag and digest); the plaintext goes nowhere. Without FINAL there the stream ends
 * `TRUNCATED`, which is expected once every segment verified.
 */
async function decryptPrefix(prefix: Blob, secret: Secret, w: { workers?: number }, segments: number, whole: boolean) {
  const t = new DecryptSegmentTransform(secret, w);
  try {
    await prefix.stream().pipeThrough(t).pipeTo(new WritableStream());
  } catch (e) {
    if (!whole && StreamV2Error.is(e) && e.code === 'TRUNCATED' && t.progress.segments === segments) return;
    throw e;
  }
}
