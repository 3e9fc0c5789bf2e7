export type Secret = Uint8Array | {
	passphrase: string;
};
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
export type Disposition = "attachment" | "inline";
export interface ConnectOptions {
	readonly registration?: ServiceWorkerRegistration;
	readonly prefix?: string;
	readonly timeoutMs?: number;
}
export type ServedEvent = {
	readonly type: "start";
	readonly request: number;
	readonly status: number;
	readonly start: number;
	readonly end: number;
} | {
	readonly type: "progress" | "done" | "cancelled";
	readonly request: number;
	readonly sent: number;
} | {
	readonly type: "failed";
	readonly request: number;
	readonly sent: number;
	readonly error: StreamV2Error;
};
export interface RegisterOptions {
	readonly filename?: string;
	readonly type?: string;
	readonly disposition?: Disposition;
	readonly expiresInMs?: number;
	readonly headers?: Record<string, string>;
	readonly credentials?: RequestCredentials;
	readonly onEvent?: (event: ServedEvent) => void;
}
export interface DecryptedUrl {
	readonly url: string;
	readonly plaintextSize: number;
	readonly expiresAt: number;
	revoke(): void;
}
export interface ServiceWorkerLink {
	register(ciphertext: string | URL, secret: Secret, options?: RegisterOptions): Promise<DecryptedUrl>;
	close(): void;
}
export declare function connectServiceWorker(options?: ConnectOptions): Promise<ServiceWorkerLink>;
export type SaveMethod = "picker" | "service-worker" | "blob";
export interface SaveProgress {
	readonly bytes: number;
	readonly total: number;
}
export interface SaveOptions {
	readonly filename: string;
	readonly type?: string;
	readonly picker?: boolean;
	readonly link?: ServiceWorkerLink;
	readonly maxBlobBytes?: number;
	readonly onProgress?: (progress: SaveProgress) => void;
	readonly signal?: AbortSignal;
	readonly workers?: number | WorkerPool;
	readonly headers?: Record<string, string>;
}
export interface SaveResult {
	readonly method: SaveMethod;
	readonly bytes: number;
}
export declare function saveDecrypted(ciphertext: string | URL, secret: Secret, options: SaveOptions): Promise<SaveResult>;
export {};
