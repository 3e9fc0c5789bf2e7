/**
 * What `encrypt` and `decrypt` share (flags, the stream path of pipes, the Blob path's output),
 * and `keygen`.
 */
import { randomBytes } from 'node:crypto';
import { LIMITS } from '../node.js';
import { type Args, hasFlag, inputPath, intFlag, outputPath } from './args.js';
import { usage } from './errors.js';
import { type Input, openInput } from './io.js';
import { type Output, type OutputOptions, openOutput, writeKeyFile } from './output.js';
import { Progress } from './progress.js';
import { keygenRecipient } from './recipients.js';

/** `--workers N`: 0 runs inline; absent uses the library's shared pool (idle workers are unref'd). */
export function workersFlag(args: Args): number | undefined {
  return intFlag(args, 'workers', 0, 256);
}

/**
 * `--max-segment-bytes` and `--max-log-n`: decoder limits (spec §2), at most what this
 * implementation can allocate (a segment is one buffer) and run (scrypt).
 */
export function limitsFlags(args: Args): { maxSegmentBytes?: number; maxLogN?: number } {
  const maxSegmentBytes = intFlag(args, 'max-segment-bytes', 1, LIMITS.segmentBytes);
  const maxLogN = intFlag(args, 'max-log-n', 1, LIMITS.logN);
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
export async function transformFile(
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

/** What {@link pipeOut} writes: sizes for progress, and where `-o` writes. */
export interface PipeOutOptions {
  /** Bytes of the whole output (progress). */
  total: number;
  /** Bytes already in the partial file (`--resume`). */
  done?: number;
  /** The partial file of `encrypt -o OUT` ({@link OutputOptions.partial}). */
  partial?: OutputOptions['partial'];
  /** This run's lock on that partial file. */
  lock?: OutputOptions['lock'];
}

/**
 * Writes the library's output stream (the Blob path) to OUT: committed only when the stream
 * ended; on any failure the source is cancelled and the temporary file removed.
 */
export async function pipeOut(
  args: Args,
  what: 'ciphertext' | 'plaintext',
  o: PipeOutOptions,
  make: () => ReadableStream<Uint8Array>,
): Promise<void> {
  const output = await openOutput(outputPath(args), {
    what,
    force: hasFlag(args, 'force'),
    mode: what === 'plaintext' ? 0o600 : 0o666,
    ...(o.partial && outputPath(args) !== undefined ? { partial: o.partial } : {}),
    ...(o.lock ? { lock: o.lock } : {}),
  });
  const progress = new Progress(hasFlag(args, 'quiet'), o.total);
  let count = o.done ?? 0;
  try {
    const counted = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        count += chunk.length;
        progress.update(count);
        controller.enqueue(chunk);
      },
    });
    await make().pipeThrough(counted).pipeTo(output.writable);
    await output.commit();
    progress.done();
  } catch (e) {
    progress.clear();
    await output.discard();
    throw e;
  }
}

/**
 * `stream-v2 keygen [-o FILE]`: 32 random bytes as 64 lowercase hex characters and a newline;
 * with `--recipient [--pq]`, an identity (recipients.ts).
 */
export async function keygenCommand(args: Args): Promise<void> {
  if (hasFlag(args, 'recipient')) return keygenRecipient(args);
  if (hasFlag(args, 'pq')) throw usage('--pq goes with --recipient (an X-Wing identity)', args.command);
  await writeKeyFile(outputPath(args), hasFlag(args, 'force'), `${randomBytes(32).toString('hex')}\n`);
}
