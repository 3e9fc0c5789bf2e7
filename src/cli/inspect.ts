/**
 * `stream-v2 inspect [--json] [IN]`: the header fields (spec §2) and the segments (spec §5),
 * found by the keyless check (frame structure and DIGEST values, without a key). Nothing is
 * authenticated here; memory stays bounded, whatever the number of segments.
 */
import { ciphertextSize, HEADER_SIZE, type StreamHeader, verifyDigests } from '../node.js';
import { type Args, hasFlag, inputPath } from './args.js';
import { cancelInput, limitsFlags } from './commands.js';
import { toFailure } from './errors.js';
import { openInput } from './io.js';
import { writeStdout } from './stdout.js';

/** spec §2: header_mac, the last 32 of the header's 80 bytes. */
const HEADER_MAC_OFFSET = 48;

/** What inspect found. */
interface Report {
  header?: StreamHeader;
  segments: number;
  plaintextBytes: number;
  ciphertextBytes: number;
  final?: { dataFrames: number; plaintextBytes: number; wireBytes: number };
  /** Stanzas of the key envelope before the stream (a file encrypted to recipients). */
  stanzas?: number;
  complete: boolean;
  error?: unknown;
}

const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** A full segment's plaintext and wire sizes (spec §5), from the public size function. */
function fullSegment(h: StreamHeader): { plaintextBytes: number; wireBytes: number } {
  const plaintextBytes = h.frameSize * h.framesPerSegment;
  return { plaintextBytes, wireBytes: ciphertextSize(plaintextBytes, h) - HEADER_SIZE };
}

/**
 * The inspect command: the library's keyless check (`verifyDigests`: every frame header
 * against its place, every DIGEST value) read as a report. Prints what it found, then throws
 * the failure, if any.
 */
export async function inspectCommand(args: Args): Promise<void> {
  const limits = limitsFlags(args);
  const input = await openInput(inputPath(args));
  const r: Report = { segments: 0, plaintextBytes: 0, ciphertextBytes: 0, complete: false };
  let last = { plaintextBytes: 0, ciphertextBytes: HEADER_SIZE };
  let delta = { plaintextBytes: 0, wireBytes: 0 };
  try {
    const result = await verifyDigests(input.stream, {
      limits,
      onProgress: (p) => {
        delta = {
          plaintextBytes: p.plaintextBytes - last.plaintextBytes,
          wireBytes: p.ciphertextBytes - last.ciphertextBytes,
        };
        last = p;
      },
    });
    if (result.header) r.header = result.header;
    if (result.stanzas !== undefined) r.stanzas = result.stanzas;
    r.segments = result.segments;
    r.plaintextBytes = last.plaintextBytes;
    r.ciphertextBytes = result.header ? last.ciphertextBytes : 0;
    r.complete = result.ok;
    if (result.ok && result.header) {
      const dataFrames = Math.ceil(delta.plaintextBytes / result.header.frameSize);
      r.final = { dataFrames, ...delta };
    }
    if (result.failure) r.error = result.failure;
  } finally {
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
      fullSegment: fullSegment(h),
    });
  }
  if (r.stanzas !== undefined) out['stanzas'] = r.stanzas;
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
  if (r.stanzas !== undefined) row('key envelope', `${r.stanzas} stanzas (recipients), before the stream`);
  if (h) {
    row('version', h.version);
    row('suite', h.suite);
    row('kdf', h.kdf === 'raw' ? 'raw 256-bit key' : `scrypt, log_n ${h.logN}`);
    row('frame size', `${h.frameSize} bytes`);
    row('frames per segment', h.framesPerSegment);
    row('full segment', `${fullSegment(h).plaintextBytes} plaintext bytes, ${fullSegment(h).wireBytes} wire bytes`);
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
  row(
    'complete',
    r.complete ? 'yes (structure and digests; nothing authenticated)' : `no (${toFailure(r.error).code})`,
  );
  return `${lines.join('\n')}\n`;
}
