declare const SPEC_ERROR_CODES: readonly [
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
declare const IMPLEMENTATION_ERROR_CODES: readonly [
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
export interface DecoderLimits {
	maxSegmentBytes?: number;
	maxLogN?: number;
}
export interface RangeSource {
	readonly size: number;
	read(offset: number, length: number): Promise<Uint8Array>;
}
export interface FetchEventLike {
	readonly request: Request;
	respondWith(response: Response | Promise<Response>): void;
}
export interface MessageEventLike {
	readonly data: unknown;
	readonly ports: ReadonlyArray<MessagePort>;
	waitUntil?(promise: Promise<unknown>): void;
}
export interface ServiceWorkerScopeLike {
	readonly registration: {
		readonly scope: string;
	};
	readonly clients: {
		matchAll(options: {
			type: "window";
			includeUncontrolled: boolean;
		}): Promise<ReadonlyArray<{
			postMessage(message: unknown): void;
		}>>;
	};
	addEventListener(type: "fetch" | "message", listener: (event: any) => void): void;
}
export interface ServeDecryptedOptions {
	readonly prefix?: string;
	readonly reregisterTimeoutMs?: number;
	readonly limits?: DecoderLimits;
	readonly source?: (url: string, init: RequestInit) => Promise<RangeSource>;
}
export interface DecryptingServiceWorker {
	readonly prefix: string;
	handleFetch(event: FetchEventLike): boolean;
	handleMessage(event: MessageEventLike): boolean;
	listen(): void;
	close(): void;
}
export declare function serveDecrypted(scope: ServiceWorkerScopeLike, options?: ServeDecryptedOptions): DecryptingServiceWorker;
export {};
