/**
 * The one error class of stream-v2. Every failure carries a stable machine-readable `code`:
 * the spec §7 codes for format failures, plus a few codes of this implementation for
 * failures the wire format does not know about (bad arguments, dead workers, aborts).
 * Messages never contain key or plaintext bytes.
 */

/** Failure codes from spec §7. */
export const SPEC_ERROR_CODES = [
  'BAD_HEADER',
  'UNSUPPORTED',
  'LIMIT_EXCEEDED',
  'WRONG_KEY',
  'BAD_FRAME',
  'AUTH_FAILED',
  'DIGEST_MISMATCH',
  'TRUNCATED',
  'TRAILING_DATA',
] as const;

/** Codes of this implementation that are not about the wire format. */
export const IMPLEMENTATION_ERROR_CODES = [
  /** An argument or option is invalid (wrong type, out of range). */
  'BAD_ARGUMENT',
  /** A worker died or could not start; the in-flight work was dropped. */
  'WORKER_FAILED',
  /** The stream was aborted or cancelled, or the pool was terminated. */
  'ABORTED',
  /**
   * The source is not the one the stream was made from: a Blob that changed after it was
   * picked (size, lastModified, a browser's NotReadableError), or, when resuming an encryption,
   * a segment whose DIGEST value differs from the one recorded (spec §8).
   */
  'SOURCE_CHANGED',
  /** A random-access source could not be read as asked (I/O error, a server that ignored Range, a short body). */
  'SOURCE_FAILED',
  /**
   * A Service Worker URL of stream-v2 (`stream-v2/service-worker`) that the worker holds no key
   * for: never registered, revoked, expired, or forgotten when the browser restarted the worker.
   */
  'NOT_REGISTERED',
] as const;

/** A stable, machine-readable failure code. */
export type ErrorCode = (typeof SPEC_ERROR_CODES)[number] | (typeof IMPLEMENTATION_ERROR_CODES)[number];

const ALL_CODES: ReadonlySet<string> = new Set([...SPEC_ERROR_CODES, ...IMPLEMENTATION_ERROR_CODES]);

/** Where in the stream a failure happened, when known. */
export interface ErrorPosition {
  /** Index of the segment (spec §5) the failure belongs to. */
  segmentIndex?: number;
  /** Index of the frame inside its segment (spec §4). */
  frameIndex?: number;
}

/** The error thrown (or used to error a stream) by every part of stream-v2. */
export class StreamV2Error extends Error {
  /** Stable failure code (spec §7, or one of {@link IMPLEMENTATION_ERROR_CODES}). */
  readonly code: ErrorCode;
  /** Segment the failure belongs to, when known. */
  readonly segmentIndex: number | undefined;
  /** Frame (inside its segment) the failure belongs to, when known. */
  readonly frameIndex: number | undefined;

  /**
   * @param code - stable failure code
   * @param message - human-readable detail; must never contain key or plaintext bytes
   * @param position - segment and frame index, when known
   * @param options - standard `cause`
   */
  constructor(code: ErrorCode, message: string, position: ErrorPosition = {}, options?: ErrorOptions) {
    const where = describePosition(position);
    super(`${code}: ${message}${where}`, options);
    this.name = 'StreamV2Error';
    this.code = code;
    this.segmentIndex = position.segmentIndex;
    this.frameIndex = position.frameIndex;
  }

  /** True when `value` looks like a StreamV2Error (also across realms and bundles). */
  static is(value: unknown): value is StreamV2Error {
    return (
      value instanceof StreamV2Error ||
      (value instanceof Error &&
        value.name === 'StreamV2Error' &&
        ALL_CODES.has((value as { code?: string }).code ?? ''))
    );
  }
}

function describePosition({ segmentIndex, frameIndex }: ErrorPosition): string {
  if (segmentIndex === undefined) return '';
  return frameIndex === undefined ? ` (segment ${segmentIndex})` : ` (segment ${segmentIndex}, frame ${frameIndex})`;
}

/** Wraps any thrown value into a StreamV2Error, keeping StreamV2Errors as they are. */
export function toStreamV2Error(value: unknown, fallback: ErrorCode = 'WORKER_FAILED'): StreamV2Error {
  if (StreamV2Error.is(value)) return value;
  const detail = value instanceof Error ? value.message : String(value);
  return new StreamV2Error(fallback, detail, {}, { cause: value });
}

/**
 * Checks that `value`, when given, is an integer in `[min, max]`.
 * @throws StreamV2Error `BAD_ARGUMENT`
 */
export function checkInt(name: string, value: unknown, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new StreamV2Error('BAD_ARGUMENT', `${name} must be an integer in ${min}..${max}`);
  }
}

/** Options of 0.x that 1.0 removed, with what to do instead (CHANGELOG.md). */
const REMOVED: Readonly<Record<string, string>> = {
  salt: 'no option chooses the salt (a reused salt reuses nonces, spec §8); to continue a stream use encryptBlob with resume',
  backend: 'the platform chooses the crypto backend',
  itemBytes: 'a worker seals or opens a whole segment',
  readableHighWaterMark: 'a segment goes out when the reader asks for it; the pool budgets the rest (budgetBytes)',
  writableHighWaterMark: "the writable side queues 1 MiB of the caller's chunks",
};

/**
 * An options argument: `{}` when not given; the object otherwise. Options that 0.x had and 1.0
 * removed are refused with what to do instead: `salt` above all must not seem to work. Other
 * keys are left alone (one options object may serve both transforms).
 * @param keys - the options this call knows (named in the message)
 * @throws StreamV2Error `BAD_ARGUMENT` for `null`, anything that is not an object, or a removed option
 */
export function optionsOf<T extends object>(value: T | undefined, what: string, keys: readonly string[]): T {
  if (value === undefined) return {} as T;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new StreamV2Error('BAD_ARGUMENT', `${what} must be an object`);
  }
  for (const k of Object.keys(value)) {
    const instead = Object.hasOwn(REMOVED, k) && !keys.includes(k) ? REMOVED[k] : undefined;
    if (instead !== undefined)
      throw new StreamV2Error('BAD_ARGUMENT', `${what}: '${k}' was removed in 1.0: ${instead}`);
  }
  return value;
}

/**
 * Checks an optional `signal` option.
 * @throws StreamV2Error `BAD_ARGUMENT` for a value that is not an AbortSignal; `ABORTED` when it already aborted
 */
export function checkSignal(signal: unknown): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (typeof AbortSignal === 'undefined' || !(signal instanceof AbortSignal)) {
    throw new StreamV2Error('BAD_ARGUMENT', 'signal must be an AbortSignal');
  }
  if (signal.aborted) throw abortedBy(signal);
  return signal;
}

/** The error of an operation its caller's `signal` aborted (the signal's reason as its cause). */
export function abortedBy(signal: AbortSignal): StreamV2Error {
  return new StreamV2Error('ABORTED', "aborted by the caller's signal", {}, { cause: signal.reason });
}

/** `p`, or an `ABORTED` rejection as soon as `signal` aborts (the work itself is not stopped). */
export function untilAborted<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortedBy(signal));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
