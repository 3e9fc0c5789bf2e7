/**
 * `stream-v2 verify [SECRET] [IN]`. Without a secret: the keyless check of spec §4 (structure
 * of every frame, and every segment's DIGEST value recomputed from the wire bytes). With a
 * secret: a full decryption (spec §6) into a sink that discards the plaintext.
 */
import type { WireSegment } from '../codec/reader.js';
import { checkDigest } from '../codec/segment.js';
import { nodeBackend } from '../crypto/node.js';
import type { StreamHeader } from '../format/header.js';
import { dataFrameWireSize } from '../format/sizes.js';
import { DecryptSegmentTransform, type Telemetry } from '../node.js';
import { newTelemetry } from '../stream/options.js';
import { type Args, hasFlag, inputPath } from './args.js';
import { cancelInput, limitsFlags, pipeAll, workersFlag } from './commands.js';
import { toFailure } from './errors.js';
import { type Input, openInput } from './io.js';
import { formatBytes, Progress } from './progress.js';
import { scanWire } from './scan.js';
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
    else await verifyKeyless(input, progress, limits);
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
  let last: Telemetry = newTelemetry();
  // The latest line written: the sink waits for it, so a slow stdout slows the check, and a
  // failed one (it fails every later write too) stops it.
  let written = Promise.resolve();
  const transform = new DecryptSegmentTransform(secret, {
    limits,
    workers,
    onProgress: (t) => {
      // One call per released (verified) segment.
      written = say(
        `segment ${t.segments - 1}: ${t.dataFrames - last.dataFrames} data frames, ` +
          `${t.plaintextBytes - last.plaintextBytes} plaintext bytes, authenticated`,
      );
      written.catch(() => {}); // handled: the sink's next write (or the end) reports it
      last = t; // a snapshot: onProgress gets a copy of the telemetry
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
 * Reads the header and every segment without a key; checks frame structure (spec §5, §6.2)
 * and recomputes each DIGEST value (spec §4). Cannot check header_mac or any AEAD tag.
 */
async function verifyKeyless(input: Input, progress: Progress, limits: ReturnType<typeof limitsFlags>): Promise<void> {
  let header: StreamHeader | undefined;
  let plaintext = 0;
  let segments = 0;
  const source = input.stream.getReader();
  try {
    for await (const ev of scanWire(source, limits)) {
      if (ev.kind === 'header') header = ev.header;
      else if (ev.kind === 'chunk') progress.update(input.bytesRead());
      else {
        const seg = ev.segment;
        await checkSegmentDigest(header as StreamHeader, seg);
        await say(
          `segment ${seg.segmentIndex}: ${seg.dataFrames} data frames, ` +
            `${seg.plaintextLength} plaintext bytes, digest ok${seg.final ? ', final' : ''}`,
        );
        segments++;
        plaintext += seg.plaintextLength;
      }
    }
  } finally {
    source.releaseLock();
  }
  await say(
    `OK: ${segments} segments, ${plaintext} plaintext bytes (${formatBytes(plaintext)}), ` +
      'structure and digests intact (keyless check: not authenticated, give a secret for that)',
  );
}

/** spec §4: recompute the DIGEST value from the DATA frames' wire bytes and compare. */
async function checkSegmentDigest(header: StreamHeader, seg: WireSegment): Promise<void> {
  const full = dataFrameWireSize(header.frameSize);
  const hashes = new Uint8Array(seg.dataFrames * 32);
  for (let i = 0; i < seg.dataFrames; i++) {
    const start = i * full;
    // Every DATA frame but the last is full; the last ends where the DIGEST frame starts.
    const end = i === seg.dataFrames - 1 ? seg.tailOffset : start + full;
    hashes.set(await nodeBackend.sha256(seg.bytes.subarray(start, end)), i * 32);
  }
  await checkDigest(nodeBackend.sha256, header.bytes, seg.bytes, seg.tailOffset, seg.segmentIndex, hashes);
}
