export declare const HEADER_SIZE = 80;
declare const SUITE: {
	readonly "chacha20-poly1305": 1;
	readonly "aes-256-gcm": 2;
};
export type SuiteName = keyof typeof SUITE;
export declare const DEFAULTS: {
	readonly suite: SuiteName;
	readonly frameSize: 65536;
	readonly framesPerSegment: 16;
	readonly logN: 17;
	readonly maxSegmentBytes: number;
	readonly maxLogN: 20;
};
export declare const LIMITS: {
	readonly frameSize: number;
	readonly framesPerSegment: 65536;
	readonly segmentBytes: number;
	readonly logN: 30;
};
export declare const SUITES: readonly SuiteName[];
export interface StreamHeader {
	readonly version: number;
	readonly suite: SuiteName;
	readonly kdf: "raw" | "scrypt";
	readonly logN: number;
	readonly frameSize: number;
	readonly framesPerSegment: number;
	readonly salt: Uint8Array;
	readonly bytes: Uint8Array;
}
export interface DecoderLimits {
	maxSegmentBytes?: number;
	maxLogN?: number;
}
export declare function parseHeader(bytes: Uint8Array): StreamHeader;
export type Secret = Uint8Array | {
	passphrase: string;
};
export interface RangeSource {
	readonly size: number;
	read(offset: number, length: number): Promise<Uint8Array>;
}
export type RandomAccessSource = Blob | RangeSource;
export interface WorkerPoolOptions {
	size?: number;
	idleTimeoutMs?: number;
	budgetBytes?: number;
}
export declare class WorkerPool {
	readonly size: number;
	private readonly platform;
	private readonly idleTimeoutMs;
	private readonly slots;
	private failedStarts;
	private retryAt;
	private retryMs;
	private terminated;
	constructor(opts?: WorkerPoolOptions);
	get budgetBytes(): number;
	get heldBytes(): number;
	get peakHeldBytes(): number;
	get isTerminated(): boolean;
	start(): Promise<void>;
	private refusal;
	private runOn;
	terminate(): Promise<void>;
	private busy;
	private idle;
	private pick;
	private spawn;
	private onDeath;
	private kill;
}
export type RecipientType = "x25519" | "x-wing";
export interface Recipients {
	readonly recipients: readonly string[];
}
export interface Identity {
	readonly identity: string | readonly string[];
}
export interface Passkey {
	readonly passkey: true;
}
export interface IdentityKeys {
	readonly type: RecipientType;
	readonly publicKey: string;
	readonly secretKey: string;
}
export interface OpenedEnvelope {
	readonly fileKey: Uint8Array;
	readonly header: StreamHeader;
}
export interface LayoutParams {
	frameSize: number;
	framesPerSegment: number;
}
export declare function ciphertextSize(plaintextBytes: number, params?: Partial<LayoutParams>): number;
export declare function plaintextSize(ciphertextBytes: number, params?: Partial<LayoutParams>): number;
export type WorkersOption = number | WorkerPool;
export interface Progress {
	readonly segments: number;
	readonly plaintextBytes: number;
	readonly ciphertextBytes: number;
	readonly heldBytes: number;
	readonly peakHeldBytes: number;
}
export interface StreamOptions {
	workers?: WorkersOption;
	onProgress?: (progress: Progress) => void;
}
export interface EncoderOptions {
	suite?: SuiteName;
	frameSize?: number;
	framesPerSegment?: number;
	logN?: number;
}
export interface ResumeState {
	readonly version: 1;
	readonly header: string;
	readonly plaintextSize: number;
	readonly lastModified?: number;
	readonly digests: Readonly<Record<string, string>>;
	readonly envelope?: string;
}
export interface EncryptBlobOptions extends EncoderOptions {
	workers?: StreamOptions["workers"];
	resume?: ResumeState;
}
export interface BlobEncryption {
	readonly header: StreamHeader;
	readonly ciphertextSize: number;
	stream(options?: {
		start?: number;
		signal?: AbortSignal;
	}): ReadableStream<Uint8Array>;
	read(start: number, end: number, options?: {
		signal?: AbortSignal;
	}): Promise<Uint8Array>;
	resumeState(): ResumeState;
	close(): void;
}
export declare const SPEC_ERROR_CODES: readonly [
	"BAD_HEADER",
	"UNSUPPORTED",
	"LIMIT_EXCEEDED",
	"WRONG_KEY",
	"BAD_FRAME",
	"AUTH_FAILED",
	"DIGEST_MISMATCH",
	"TRUNCATED",
	"TRAILING_DATA"
];
export declare const IMPLEMENTATION_ERROR_CODES: readonly [
	"BAD_ARGUMENT",
	"WORKER_FAILED",
	"ABORTED",
	"SOURCE_CHANGED",
	"SOURCE_FAILED",
	"NOT_REGISTERED"
];
export type ErrorCode = (typeof SPEC_ERROR_CODES)[number] | (typeof IMPLEMENTATION_ERROR_CODES)[number];
export interface ErrorPosition {
	segmentIndex?: number;
	frameIndex?: number;
}
export declare class StreamV2Error extends Error {
	readonly code: ErrorCode;
	readonly segmentIndex: number | undefined;
	readonly frameIndex: number | undefined;
	constructor(code: ErrorCode, message: string, position?: ErrorPosition, options?: ErrorOptions);
	static is(value: unknown): value is StreamV2Error;
}
export interface RandomAccessOptions {
	workers?: StreamOptions["workers"];
	limits?: DecoderLimits;
	signal?: AbortSignal;
}
export interface PlaintextRange {
	start?: number;
	end?: number;
	signal?: AbortSignal;
}
export interface EncryptedFile {
	readonly header: StreamHeader;
	readonly plaintextSize: number;
	stream(range?: PlaintextRange): ReadableStream<Uint8Array>;
	read(start: number, end: number, options?: {
		signal?: AbortSignal;
	}): Promise<Uint8Array>;
	close(): void;
}
export interface ResumeStateFromOptions {
	workers?: StreamOptions["workers"];
	limits?: DecoderLimits;
}
export interface VerifyOptions {
	workers?: StreamOptions["workers"];
	limits?: DecoderLimits;
	onProgress?: (progress: VerifyProgress) => void;
}
export interface VerifyProgress {
	readonly segments: number;
	readonly plaintextBytes: number;
	readonly ciphertextBytes: number;
}
export interface VerifyResult {
	readonly ok: boolean;
	readonly segments: number;
	readonly plaintextSize: number;
	readonly header?: StreamHeader;
	readonly stanzas?: number;
	readonly failure?: StreamV2Error;
}
export interface HttpRangeSourceOptions {
	readonly idleTimeoutMs?: number;
}
export declare function httpRangeSource(url: string | URL, init?: RequestInit, options?: HttpRangeSourceOptions): Promise<RangeSource>;
export declare function createPasskey(options?: {
	name?: string;
}): Promise<string>;
declare abstract class SegmentTransform extends TransformStream<Uint8Array, Uint8Array> {
	private readonly streams;
	get progress(): Progress;
}
export interface DecryptOptions extends StreamOptions {
	limits?: DecoderLimits;
}
export declare class DecryptSegmentTransform extends SegmentTransform {
	get header(): StreamHeader | undefined;
	private readonly opener;
	constructor(secret: Secret | Identity | Passkey, opts?: DecryptOptions);
}
export interface EncryptOptions extends StreamOptions, EncoderOptions {
}
export declare class EncryptSegmentTransform extends SegmentTransform {
	constructor(secret: Secret | Recipients, opts?: EncryptOptions);
}
export declare function getDefaultPool(): WorkerPool;
export declare function encryptBlob(blob: Blob, secret: Secret | Recipients | Identity | Passkey, options?: EncryptBlobOptions): Promise<BlobEncryption>;
export declare function resumeStateFrom(partial: RandomAccessSource, plaintext: Blob, options?: ResumeStateFromOptions): Promise<ResumeState>;
export declare function openEncrypted(source: RandomAccessSource, secret: Secret | Identity | Passkey, options?: RandomAccessOptions): Promise<EncryptedFile>;
export declare function verifyDigests(input: ReadableStream<Uint8Array> | RandomAccessSource, options?: VerifyOptions): Promise<VerifyResult>;
export declare function generateIdentity(options?: {
	pq?: boolean;
}): Promise<IdentityKeys>;
export declare function sealEnvelope(fileKey: Uint8Array, header: Uint8Array, recipients: readonly string[]): Promise<Uint8Array>;
export declare function openEnvelope(envelope: Uint8Array, identity: string | readonly string[] | Passkey): Promise<OpenedEnvelope>;
export declare function rewrap(envelope: Uint8Array, identity: string | readonly string[] | Passkey, recipients: readonly string[]): Promise<Uint8Array>;
export declare function openFile(path: string): Promise<Blob>;
export {};
