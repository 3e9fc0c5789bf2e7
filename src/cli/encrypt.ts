/**
 * `stream-v2 encrypt`, and `encrypt --resume`. A regular file IN takes the Blob path
 * (`encryptBlob`: the library reads the segments itself); stdin and pipes the stream path. With
 * `-o OUT` and a file IN, the ciphertext goes to `.OUT.stream-v2-partial`, which a signal or a
 * crash leaves behind: ciphertext is deterministic under a given header (spec §5, §8), so
 * `--resume` re-seals where that file ends, compares, and appends the rest.
 */
import { open, stat } from 'node:fs/promises';
import { MAX_RUNNABLE_LOG_N } from '../codec/keys.js';
import { StreamV2Error } from '../errors.js';
import { HEADER_SIZE, MAX_FRAME_SIZE, MAX_FRAMES_PER_SEGMENT, SUITE, type SuiteName } from '../format/constants.js';
import { parseHeader } from '../format/header.js';
import { fullSegmentWireSize } from '../format/sizes.js';
import { type BlobEncryption, EncryptSegmentTransform, encryptBlob, resumeEncryption } from '../node.js';
import { type Args, hasFlag, inputPath, intFlag, outputPath, stringFlag } from './args.js';
import { pipeOut, transformFile, workersFlag } from './commands.js';
import { asIo, CliError, usage } from './errors.js';
import { fileBlob } from './io.js';
import { lockPartial } from './lock.js';
import { partialPath } from './output.js';
import { readSecret } from './secrets.js';

const SUITES: readonly string[] = Object.keys(SUITE);

/** `stream-v2 encrypt [SECRET] [--suite S] [--frame-size N] [--frames-per-segment N] [--log-n N] [--workers N] [--resume] [-o OUT] [IN]` */
export async function encryptCommand(args: Args): Promise<void> {
  const suite = stringFlag(args, 'suite');
  if (suite !== undefined && !SUITES.includes(suite)) {
    throw usage(`--suite must be one of ${SUITES.join(', ')}`, args.command);
  }
  // The library's bounds, checked here so that errors name the flag.
  const options = {
    ...(suite !== undefined ? { suite: suite as SuiteName } : {}),
    frameSize: intFlag(args, 'frame-size', 1, MAX_FRAME_SIZE),
    framesPerSegment: intFlag(args, 'frames-per-segment', 1, MAX_FRAMES_PER_SEGMENT),
    logN: intFlag(args, 'log-n', 1, MAX_RUNNABLE_LOG_N),
    workers: workersFlag(args),
  };
  const out = outputPath(args);
  const resume = hasFlag(args, 'resume');
  if (resume && out === undefined) throw usage('--resume needs -o OUT (the file to continue)', args.command);
  const blob = await fileBlob(inputPath(args));
  if (blob === undefined) {
    if (resume)
      throw usage(
        '--resume needs IN to be a regular file whose size stat tells (a pipe, a device or a /proc file cannot be read again)',
        args.command,
      );
    return transformFile(
      args,
      'ciphertext',
      async (onProgress) => new EncryptSegmentTransform(await readSecret(args, true), { ...options, onProgress }),
    );
  }
  const partial = out === undefined ? undefined : partialPath(out);
  // Claimed before the partial file is read or written: one run per OUT (issue 20, F2).
  const lock = partial === undefined ? undefined : await lockPartial(partial);
  let enc: BlobEncryption | undefined;
  try {
    const header = resume && partial !== undefined ? await partialHeader(partial) : undefined;
    if (header !== undefined) checkFlagsAgainst(header, args, options);
    const secret = await readSecret(args, header === undefined);
    let at = 0;
    if (header !== undefined && partial !== undefined) {
      enc = await resumeEncryption(blob, secret, resumeStateOf(header, blob.size), { workers: options.workers });
      at = await provePartial(partial, enc);
    } else enc = await encryptBlob(blob, secret, options);
    const ciphertext = enc;
    const continued = at;
    const to = {
      total: enc.size,
      done: at,
      partial: at > 0 ? { at } : ('replace' as const),
      ...(lock ? { lock } : {}),
    };
    await pipeOut(args, 'ciphertext', to, () => ciphertext.stream({ start: continued }));
  } finally {
    enc?.close();
    await lock?.release();
  }
}

/**
 * The header of the partial file, when it holds one whole: undefined when there is no partial
 * file or fewer than 80 bytes of it (nothing to continue: the run starts anew).
 * @throws CliError `IO` when it cannot be read or is not a regular file
 */
async function partialHeader(partial: string): Promise<Uint8Array | undefined> {
  try {
    const st = await stat(partial);
    if (!st.isFile()) throw new CliError('IO', `'${partial}' is not a regular file`);
    if (st.size < HEADER_SIZE) return undefined;
    return await readAt(partial, 0, HEADER_SIZE);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw asIo(e, `cannot read '${partial}'`);
  }
}

/** A resume state with no recorded digests: the proof is the comparison in {@link provePartial}. */
function resumeStateOf(header: Uint8Array, plaintextSize: number) {
  parseHeader(header); // BAD_HEADER / UNSUPPORTED here, with the spec's code, for a damaged partial file
  return { version: 1 as const, header: Buffer.from(header).toString('hex'), plaintextSize, digests: {} };
}

/**
 * Proves that the partial file is a prefix of this encryption of IN: the header_mac already
 * verified with the secret (`resumeEncryption`), and the segment where the file ends, with the
 * whole segment before it when there is one, re-sealed and compared byte for byte. Nothing is
 * written before this succeeds. A tail of zero bytes that differs (what a file system may
 * leave after a power cut: the size written, not the data) is cut back to the start of its
 * segment, and the proof made again there.
 * @returns where to continue: the end of the partial file, or the segment boundary it is cut to
 * @throws StreamV2Error `SOURCE_CHANGED` when IN is not the file the partial one was made from
 */
async function provePartial(partial: string, enc: BlobEncryption, size?: number): Promise<number> {
  const end = size ?? (await stat(partial)).size;
  const changed = (why: string) =>
    new StreamV2Error('SOURCE_CHANGED', `IN is not the file '${partial}' was made from (${why}); it is left as it was`);
  if (end > enc.size) throw changed('the partial file is longer than the ciphertext of IN');
  if (end === HEADER_SIZE) return end;
  const w = fullSegmentWireSize(parseHeader(enc.header));
  const k = Math.floor((end - 1 - HEADER_SIZE) / w); // the segment where the file ends
  const from = HEADER_SIZE + Math.max(0, k - 1) * w;
  const [expected, actual] = await Promise.all([enc.slice(from, end), readAt(partial, from, end - from)]);
  const m = Buffer.from(expected).compare(Buffer.from(actual)) === 0 ? -1 : firstDifference(expected, actual);
  if (m < 0) return end;
  if (!actual.subarray(m).every((b) => b === 0))
    throw changed(`segment ${Math.floor((from + m - HEADER_SIZE) / w)} differs`);
  // A lost tail: continue from the start of the segment where it begins.
  return provePartial(partial, enc, HEADER_SIZE + Math.floor((from + m - HEADER_SIZE) / w) * w);
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i;
}

/**
 * With `--resume`, the encoder flags must agree with the partial file's header (which fixes
 * them); given ones that differ are a usage error rather than silently ignored.
 * @throws CliError `USAGE`
 */
function checkFlagsAgainst(header: Uint8Array, args: Args, options: Record<string, unknown>): void {
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

/** Exactly `length` bytes of `path` from `offset`. */
async function readAt(path: string, offset: number, length: number): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const buf = new Uint8Array(length);
    for (let at = 0; at < length; ) {
      const { bytesRead } = await fh.read(buf, at, length - at, offset + at);
      if (bytesRead === 0) throw new CliError('IO', `'${path}' changed while it was read`);
      at += bytesRead;
    }
    return buf;
  } finally {
    await fh.close();
  }
}
