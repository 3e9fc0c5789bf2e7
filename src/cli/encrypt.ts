/**
 * `stream-v2 encrypt`, and `encrypt --resume`. A regular file IN takes the Blob path
 * (`encryptBlob`: the library reads the segments itself); stdin and pipes the stream path. With
 * `-o OUT` and a file IN, the ciphertext goes to `.OUT.stream-v2-partial`, which a signal or a
 * crash leaves behind: ciphertext is deterministic under a given header (spec §5, §8), so
 * `--resume` proves what that file holds a prefix of IN's encryption (resume.ts), and appends
 * the rest.
 */
import {
  type BlobEncryption,
  type EncryptBlobOptions,
  EncryptSegmentTransform,
  encryptBlob,
  LIMITS,
  parseHeader,
  SUITES,
  type SuiteName,
} from '../node.js';
import { type Args, hasFlag, inputPath, intFlag, outputPath, stringFlag } from './args.js';
import { pipeOut, transformFile, workersFlag } from './commands.js';
import { usage } from './errors.js';
import { fileBlob } from './io.js';
import { lockPartial } from './lock.js';
import { partialPath } from './output.js';
import { encryptSecret, hasRecipients } from './recipients.js';
import { checkFlagsAgainst, partialHeader, resumePartial } from './resume.js';
import { readSecret } from './secrets.js';

/** `stream-v2 encrypt [SECRET] [--suite S] [--frame-size N] [--frames-per-segment N] [--log-n N] [--workers N] [--resume] [-o OUT] [IN]` */
export async function encryptCommand(args: Args): Promise<void> {
  const suite = stringFlag(args, 'suite');
  if (suite !== undefined && !(SUITES as readonly string[]).includes(suite)) {
    throw usage(`--suite must be one of ${SUITES.join(', ')}`, args.command);
  }
  // The library's bounds, checked here so that errors name the flag.
  const options = {
    ...(suite !== undefined ? { suite: suite as SuiteName } : {}),
    frameSize: intFlag(args, 'frame-size', 1, LIMITS.frameSize),
    framesPerSegment: intFlag(args, 'frames-per-segment', 1, LIMITS.framesPerSegment),
    logN: intFlag(args, 'log-n', 1, LIMITS.logN),
    workers: workersFlag(args),
  };
  const out = outputPath(args);
  const resume = hasFlag(args, 'resume');
  if (resume && out === undefined) throw usage('--resume needs -o OUT (the file to continue)', args.command);
  if (resume && hasRecipients(args)) {
    throw usage(
      '--resume cannot resume an encryption to recipients yet (the library can: encryptBlob with { identity } and { resume }); run without --resume',
      args.command,
    );
  }
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
      async (onProgress) => new EncryptSegmentTransform(await encryptSecret(args, true), { ...options, onProgress }),
    );
  }
  const partial = out === undefined ? undefined : partialPath(out);
  // Claimed before the partial file is read or written: one run per OUT (issue 20, F2).
  const lock = partial === undefined ? undefined : await lockPartial(partial);
  let enc: BlobEncryption | undefined;
  try {
    const header = resume && partial !== undefined ? await partialHeader(partial) : undefined;
    if (header !== undefined) checkFlagsAgainst(header, args, options);
    let at = 0;
    if (header !== undefined && partial !== undefined) {
      // A passphrase is asked for once on resume: the partial file's header_mac checks it.
      const secret = await readSecret(args, false);
      const resumed = await resumePartial(partial, header, blob, secret, options.workers);
      if (resumed === undefined) {
        // Nothing proves IN the source of that header: sealing IN under its salt could reuse
        // another plaintext's nonces (spec §8). A new header, the same layout.
        process.stderr.write(
          `note: '${partial}' holds no whole segment to prove IN is the file it was made from; ` +
            'starting afresh under a new salt\n',
        );
        enc = await encryptBlob(blob, secret, { ...layoutOf(header), workers: options.workers });
      } else ({ enc, at } = resumed);
    } else enc = await encryptBlob(blob, await encryptSecret(args, true), options);
    const ciphertext = enc;
    const continued = at;
    const to = {
      total: enc.ciphertextSize,
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

/** The encoder options a header was made with (spec §2). */
function layoutOf(header: Uint8Array): EncryptBlobOptions {
  const h = parseHeader(header);
  return {
    suite: h.suite,
    frameSize: h.frameSize,
    framesPerSegment: h.framesPerSegment,
    ...(h.kdf === 'scrypt' ? { logN: h.logN } : {}),
  };
}
