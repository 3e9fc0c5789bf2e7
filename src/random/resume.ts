/**
 * The resume state of a Blob encryption: JSON, no key material. It names the stream (its
 * header, hence its salt), the source it was made from (size, lastModified), and the DIGEST
 * value of every segment released so far: the proof, segment by segment, that a resumed
 * encryption seals the same plaintext under the same nonces (spec §8).
 */
import { StreamV2Error } from '../errors.js';
import { HEADER_SIZE } from '../format/constants.js';
import { checkLimits, parseHeader, type StreamHeader } from '../format/header.js';
import type { Source } from '../source/source.js';

/** What {@link BlobEncryption.resumeState} returns; `JSON.stringify` it as is. */
export interface ResumeState {
  /** Format of this object. */
  readonly version: 1;
  /** The stream header, 80 bytes in hex (no key material: the salt and header_mac are public). */
  readonly header: string;
  /** The plaintext size of the source. */
  readonly plaintextSize: number;
  /** The source's `lastModified` (a File), or its mtime in ms (a Blob of `openFile`); compared on resume. */
  readonly lastModified?: number;
  /** Segment index → the 32-byte DIGEST value (hex) of every segment released so far. */
  readonly digests: Readonly<Record<string, string>>;
}

const HEX = /^[0-9a-f]*$/;

/** Bytes → lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * Checks a resume state against the source: shape, header structure, and that the source has
 * the recorded size and lastModified.
 * @returns the state's header and its recorded digests
 * @throws StreamV2Error `BAD_ARGUMENT` (malformed state), `BAD_HEADER`/`UNSUPPORTED`/`LIMIT_EXCEEDED`
 *   (its header), `SOURCE_CHANGED` (another size or lastModified)
 */
export function checkResumeState(
  state: ResumeState,
  source: Source,
): { header: StreamHeader; digests: Map<number, string> } {
  const s = state as Partial<ResumeState> | null;
  const digests = s?.digests;
  if (
    s?.version !== 1 ||
    typeof s.header !== 'string' ||
    s.header.length !== 2 * HEADER_SIZE ||
    !HEX.test(s.header) ||
    !Number.isSafeInteger(s.plaintextSize) ||
    (s.lastModified !== undefined && typeof s.lastModified !== 'number') ||
    typeof digests !== 'object' ||
    digests === null
  ) {
    throw new StreamV2Error('BAD_ARGUMENT', 'not a resume state of stream-v2 (version 1)');
  }
  const map = new Map<number, string>();
  for (const [k, v] of Object.entries(digests)) {
    const index = Number(k);
    if (!Number.isSafeInteger(index) || index < 0 || typeof v !== 'string' || v.length !== 64 || !HEX.test(v)) {
      throw new StreamV2Error('BAD_ARGUMENT', `resume state: bad digest entry for segment ${k}`);
    }
    map.set(index, v);
  }
  const header = parseHeader(fromHex(s.header));
  checkLimits(header);
  if (source.size !== s.plaintextSize) {
    throw new StreamV2Error('SOURCE_CHANGED', `the source has ${source.size} bytes, the state ${s.plaintextSize}`);
  }
  if (s.lastModified !== undefined && source.lastModified !== s.lastModified) {
    throw new StreamV2Error('SOURCE_CHANGED', 'the source was modified since the state was taken (lastModified)');
  }
  return { header, digests: map };
}
