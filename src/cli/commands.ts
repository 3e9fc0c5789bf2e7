/** `encrypt`, `decrypt` and `keygen`: the core transforms between the CLI's input and output. */
import { randomBytes } from 'node:crypto';
import { MAX_RUNNABLE_LOG_N } from '../codec/keys.js';
import {
  MAX_DECODER_SEGMENT_BYTES,
  MAX_FRAME_SIZE,
  MAX_FRAMES_PER_SEGMENT,
  SUITE,
  type SuiteName,
} from '../format/constants.js';
import { DecryptSegmentTransform, EncryptSegmentTransform } from '../node.js';
import { type Args, hasFlag, inputPath, intFlag, outputPath, stringFlag } from './args.js';
import { usage } from './errors.js';
import { type Input, openInput } from './io.js';
import { type Output, openOutput } from './output.js';
import { Progress } from './progress.js';
import { readSecret } from './secrets.js';

const SUITES: readonly string[] = Object.keys(SUITE);

/** `--workers N`: 0 runs inline; absent uses the library's shared pool (idle workers are unref'd). */
export function workersFlag(args: Args): number | undefined {
  return intFlag(args, 'workers', 0, 256);
}

/**
 * `--max-segment-bytes` and `--max-log-n`: decoder limits (spec §2), at most what this
 * implementation can allocate (a segment is one buffer) and run (scrypt).
 */
export function limitsFlags(args: Args): { maxSegmentBytes?: number; maxLogN?: number } {
  const maxSegmentBytes = intFlag(args, 'max-segment-bytes', 1, MAX_DECODER_SEGMENT_BYTES);
  const maxLogN = intFlag(args, 'max-log-n', 1, MAX_RUNNABLE_LOG_N);
  return {
    ...(maxSegmentBytes !== undefined ? { maxSegmentBytes } : {}),
    ...(maxLogN !== undefined ? { maxLogN } : {}),
  };
}

/** Cancels an input whose stream was never piped (it closes the file or stdin). */
export async function cancelInput(input: Input): Promise<void> {
  if (!input.stream.locked) await input.stream.cancel().catch(() => {});
}

/**
 * Pipes `input` through `transform` into `sink`. A failing sink (a full disk, a closed pipe)
 * is the failure reported: the transform is cancelled here, and whatever that cancel throws
 * (a transform stopped mid-flush) is swallowed, where `pipeTo` would report it instead.
 */
export async function pipeAll(
  input: Input,
  transform: TransformStream<Uint8Array, Uint8Array>,
  sink: WritableStream<Uint8Array>,
): Promise<void> {
  const readable = input.stream.pipeThrough(transform);
  try {
    await readable.pipeTo(sink, { preventCancel: true });
  } catch (e) {
    await readable.cancel(e).catch(() => {});
    throw e;
  }
}

/**
 * Pipes IN through `make()`'s transform to OUT. OUT is committed only when the whole stream
 * verified; on any failure the temporary file is removed (stdout keeps what was released).
 */
async function transformFile(
  args: Args,
  what: 'ciphertext' | 'plaintext',
  make: (onProgress: () => void) => Promise<TransformStream<Uint8Array, Uint8Array>>,
): Promise<void> {
  const input = await openInput(inputPath(args));
  let output: Output | undefined;
  const progress = new Progress(hasFlag(args, 'quiet'), input.size);
  try {
    output = await openOutput(outputPath(args), {
      what,
      force: hasFlag(args, 'force'),
      mode: what === 'plaintext' ? 0o600 : 0o666,
    });
    const transform = await make(() => progress.update(input.bytesRead()));
    await pipeAll(input, transform, output.writable);
    await output.commit();
    progress.done();
  } catch (e) {
    progress.clear();
    await cancelInput(input);
    await output?.discard();
    throw e;
  }
}

/** `stream-v2 encrypt [SECRET] [--suite S] [--frame-size N] [--frames-per-segment N] [--log-n N] [--workers N] [-o OUT] [IN]` */
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
  await transformFile(
    args,
    'ciphertext',
    async (onProgress) => new EncryptSegmentTransform(await readSecret(args, true), { ...options, onProgress }),
  );
}

/** `stream-v2 decrypt [SECRET] [--max-segment-bytes N] [--max-log-n N] [--workers N] [-o OUT] [IN]` */
export async function decryptCommand(args: Args): Promise<void> {
  const options = { limits: limitsFlags(args), workers: workersFlag(args) };
  await transformFile(
    args,
    'plaintext',
    async (onProgress) => new DecryptSegmentTransform(await readSecret(args, false), { ...options, onProgress }),
  );
}

/** `stream-v2 keygen [-o FILE]`: 32 random bytes as 64 lowercase hex characters and a newline. */
export async function keygenCommand(args: Args): Promise<void> {
  const output = await openOutput(outputPath(args), { what: 'key', force: hasFlag(args, 'force'), mode: 0o600 });
  try {
    const writer = output.writable.getWriter();
    await writer.write(new TextEncoder().encode(`${randomBytes(32).toString('hex')}\n`));
    await writer.close();
    await output.commit();
  } catch (e) {
    await output.discard();
    throw e;
  }
}
