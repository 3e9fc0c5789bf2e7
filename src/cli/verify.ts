/**
 * `stream-v2 verify [SECRET] [IN]`. Without a secret: the library's keyless check,
 * `verifyDigests` (structure of every frame, and every segment's DIGEST value recomputed from
 * the wire bytes, spec §4). With a secret: a full decryption (spec §6) into a sink that
 * discards the plaintext.
 */
import { DecryptSegmentTransform, type Progress as Done, verifyDigests } from '../node.js';
import { type Args, hasFlag, inputPath } from './args.js';
import { cancelInput, limitsFlags, pipeAll, workersFlag } from './commands.js';
import { toFailure } from './errors.js';
import { fileBlob, type Input, openInput } from './io.js';
import { formatBytes, Progress } from './progress.js';
import { hasSecret, readSecret } from './secrets.js';
import { writeStdout } from './stdout.js';

/**
 * Writes a line of the summary to stdout.
 * @throws CliError `IO` when stdout cannot be written (a closed pipe ends the check)
 */
function say(line: string): Promise<void> {
  return writeStdout(`${line}\n`);
}

/** The verify command: prints a line per segment and a final verdict; throws on failure. */
export async function verifyCommand(args: Args): Promise<void> {
  const limits = limitsFlags(args);
  const workers = workersFlag(args);
  const input = await openInput(inputPath(args));
  const progress = new Progress(hasFlag(args, 'quiet'), input.size);
  try {
    if (hasSecret(args)) await verifyKeyed(args, input, progress, limits, workers);
    else await verifyKeyless(args, input, progress, limits, workers);
    progress.done();
  } catch (e) {
    progress.clear();
    await cancelInput(input);
    await say(`FAILED: ${toFailure(e).code}`).catch(() => {}); // stdout may be what failed
    throw e;
  }
}

async function verifyKeyed(
  args: Args,
  input: Input,
  progress: Progress,
  limits: ReturnType<typeof limitsFlags>,
  workers: number | undefined,
): Promise<void> {
  const secret = await readSecret(args, false);
  let last: Pick<Done, 'segments' | 'plaintextBytes'> = { segments: 0, plaintextBytes: 0 };
  // The latest line written: the sink waits for it, so a slow stdout slows the check, and a
  // failed one (it fails every later write too) stops it.
  let written = Promise.resolve();
  const transform = new DecryptSegmentTransform(secret, {
    limits,
    workers,
    onProgress: (t) => {
      // One call per released (verified) segment: its frames follow from its size (spec §5).
      const bytes = t.plaintextBytes - last.plaintextBytes;
      const frames = Math.ceil(bytes / (transform.header?.frameSize ?? 1));
      written = say(`segment ${t.segments - 1}: ${frames} data frames, ${bytes} plaintext bytes, authenticated`);
      written.catch(() => {}); // handled: the sink's next write (or the end) reports it
      last = t; // a snapshot: onProgress gets one of its own
      progress.update(input.bytesRead()); // input read: decrypt telemetry's wire count lags with workers
    },
  });
  await pipeAll(input, transform, new WritableStream({ write: () => written }));
  await written;
  const suite = transform.header?.suite ?? '?';
  await say(
    `OK: ${last.segments} segments, ${last.plaintextBytes} plaintext bytes (${formatBytes(last.plaintextBytes)}), ` +
      `${suite}, header, every frame and digest authenticated`,
  );
}

/**
 * The keyless check of `verifyDigests` (spec §4, §5, §6.2): a regular file IN is checked as a
 * Blob (its end first, then its segments in parallel on the workers); stdin and pipes as a
 * stream. Cannot check header_mac or any AEAD tag.
 */
async function verifyKeyless(
  args: Args,
  input: Input,
  progress: Progress,
  limits: ReturnType<typeof limitsFlags>,
  workers: number | undefined,
): Promise<void> {
  const blob = await fileBlob(inputPath(args));
  let source: Blob | ReadableStream<Uint8Array>;
  if (blob !== undefined) {
    await cancelInput(input); // the library reads the file itself
    source = blob;
  } else {
    source = input.stream.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          progress.update(input.bytesRead());
          controller.enqueue(chunk);
        },
      }),
    );
  }
  const r = await verifyDigests(source, { limits, ...(workers !== undefined ? { workers } : {}) });
  if (r.failure) throw r.failure;
  await say(
    `OK: ${r.segments} segments, ${r.plaintextSize} plaintext bytes (${formatBytes(r.plaintextSize)}), ` +
      'structure and digests intact (keyless check: not authenticated, give a secret for that)',
  );
}
