/**
 * `stream-v2 inspect [--json] [IN]`: the header fields (spec §2) and the segments (spec §5),
 * found by walking the frame structure without a key. Nothing is authenticated here; memory
 * stays bounded (one segment buffer), whatever the number of segments.
 */
import { HEADER_MAC_OFFSET, HEADER_SIZE } from '../format/constants.js';
import type { StreamHeader } from '../format/header.js';
import { fullSegmentWireSize, segmentPlaintextSize } from '../format/sizes.js';
import { type Args, hasFlag, inputPath } from './args.js';
import { cancelInput, limitsFlags } from './commands.js';
import { toFailure } from './errors.js';
import { openInput } from './io.js';
import { scanWire } from './scan.js';
import { writeStdout } from './stdout.js';

/** What inspect found. */
interface Report {
  header?: StreamHeader;
  segments: number;
  plaintextBytes: number;
  ciphertextBytes: number;
  final?: { dataFrames: number; plaintextBytes: number; wireBytes: number };
  complete: boolean;
  error?: unknown;
}

const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The inspect command. Prints what it found, then throws the structural failure, if any. */
export async function inspectCommand(args: Args): Promise<void> {
  const limits = limitsFlags(args);
  const input = await openInput(inputPath(args));
  const r: Report = { segments: 0, plaintextBytes: 0, ciphertextBytes: 0, complete: false };
  const source = input.stream.getReader();
  try {
    for await (const ev of scanWire(source, limits)) {
      if (ev.kind === 'header') {
        r.header = ev.header;
        r.ciphertextBytes = HEADER_SIZE;
      } else if (ev.kind === 'segment') {
        const seg = ev.segment;
        r.segments++;
        r.plaintextBytes += seg.plaintextLength;
        r.ciphertextBytes += seg.bytes.length;
        if (seg.final) {
          r.final = { dataFrames: seg.dataFrames, plaintextBytes: seg.plaintextLength, wireBytes: seg.bytes.length };
        }
      }
    }
    r.complete = true;
  } catch (e) {
    r.error = e;
  } finally {
    source.releaseLock();
    await cancelInput(input);
  }
  await writeStdout(hasFlag(args, 'json') ? `${JSON.stringify(toJson(r), null, 2)}\n` : toText(r));
  if (r.error !== undefined) throw r.error;
}

function toJson(r: Report): Record<string, unknown> {
  const h = r.header;
  const out: Record<string, unknown> = {};
  if (h) {
    Object.assign(out, {
      version: h.version,
      suite: h.suite,
      kdf: h.kdf,
      logN: h.logN,
      frameSize: h.frameSize,
      framesPerSegment: h.framesPerSegment,
      salt: hexOf(h.salt),
      headerMac: hexOf(h.bytes.subarray(HEADER_MAC_OFFSET, HEADER_SIZE)),
      fullSegment: { plaintextBytes: segmentPlaintextSize(h), wireBytes: fullSegmentWireSize(h) },
    });
  }
  Object.assign(out, {
    segments: r.segments,
    finalSegment: r.final ?? null,
    plaintextBytes: r.plaintextBytes,
    ciphertextBytes: r.ciphertextBytes,
    complete: r.complete,
  });
  if (r.error !== undefined) {
    const f = toFailure(r.error);
    out['error'] = { code: f.code, message: f.message };
  }
  return out;
}

function toText(r: Report): string {
  const lines: string[] = [];
  const row = (k: string, v: string | number) => lines.push(`${`${k}:`.padEnd(20)}${v}`);
  const h = r.header;
  if (h) {
    row('version', h.version);
    row('suite', h.suite);
    row('kdf', h.kdf === 'raw' ? 'raw 256-bit key' : `scrypt, log_n ${h.logN}`);
    row('frame size', `${h.frameSize} bytes`);
    row('frames per segment', h.framesPerSegment);
    row('full segment', `${segmentPlaintextSize(h)} plaintext bytes, ${fullSegmentWireSize(h)} wire bytes`);
    row('salt', hexOf(h.salt));
  }
  row('segments', r.segments);
  if (r.final) {
    row(
      'final segment',
      `${r.final.dataFrames} data frames, ${r.final.plaintextBytes} plaintext bytes, ${r.final.wireBytes} wire bytes`,
    );
  }
  row('plaintext bytes', r.plaintextBytes);
  row('ciphertext bytes', r.ciphertextBytes);
  row('complete', r.complete ? 'yes (structure only; nothing authenticated)' : `no (${toFailure(r.error).code})`);
  return `${lines.join('\n')}\n`;
}
