/**
 * `stream-v2 decrypt [--range START-END]`. A regular file IN takes the Blob path
 * (`openEncrypted`: the end of the stream is checked first, then only the segments covering
 * the range are read, several at once on the workers); stdin and pipes the stream path.
 */
import { DecryptSegmentTransform, openEncrypted, type PlaintextRange } from '../node.js';
import { type Args, inputPath, stringFlag } from './args.js';
import { limitsFlags, pipeOut, transformFile, workersFlag } from './commands.js';
import { usage } from './errors.js';
import { fileBlob } from './io.js';
import { decryptSecret } from './recipients.js';

/**
 * `--range START-END`: plaintext bytes `[START, END)`; `START-` runs to the end, `-END` starts
 * at 0. Non-negative decimal integers, START ≤ END.
 * @throws CliError `USAGE` for anything else
 */
export function rangeFlag(args: Args): PlaintextRange | undefined {
  const v = stringFlag(args, 'range');
  if (v === undefined) return undefined;
  const m = /^(\d*)-(\d*)$/.exec(v);
  const start = m?.[1] ? Number(m[1]) : 0;
  const end = m?.[2] ? Number(m[2]) : undefined;
  if (!m || !Number.isSafeInteger(start) || (end !== undefined && (!Number.isSafeInteger(end) || end < start))) {
    throw usage(
      `--range must be START-END (plaintext bytes, END exclusive, START <= END; either may be omitted), got '${v}'`,
      args.command,
    );
  }
  return end === undefined ? { start } : { start, end };
}

/** `stream-v2 decrypt [SECRET] [--max-segment-bytes N] [--max-log-n N] [--workers N] [--range START-END] [-o OUT] [IN]` */
export async function decryptCommand(args: Args): Promise<void> {
  const options = { limits: limitsFlags(args), workers: workersFlag(args) };
  const range = rangeFlag(args);
  const blob = await fileBlob(inputPath(args));
  if (blob === undefined) {
    if (range)
      throw usage(
        '--range needs IN to be a regular file whose size stat tells (a pipe, a device or a /proc file cannot be read from an offset)',
        args.command,
      );
    return transformFile(
      args,
      'plaintext',
      async (onProgress) => new DecryptSegmentTransform(await decryptSecret(args), { ...options, onProgress }),
    );
  }
  const file = await openEncrypted(blob, await decryptSecret(args), options);
  try {
    const start = range?.start ?? 0;
    const end = range?.end ?? file.plaintextSize;
    if (end > file.plaintextSize || start > end) {
      throw usage(
        `--range ${stringFlag(args, 'range')} is outside the plaintext (${file.plaintextSize} bytes)`,
        args.command,
      );
    }
    await pipeOut(args, 'plaintext', { total: end - start }, () => file.stream({ start, end }));
  } finally {
    file.close();
  }
}
