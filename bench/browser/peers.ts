/**
 * The configurations the page times, each behind one interface: `encrypt(blob)` and
 * `decrypt(blob)` give a ReadableStream of the output bytes. stream-v2 first (its AES default
 * run is the one every ratio is paired with), then the peers in the same page.
 */
import * as age from 'age-encryption';
import * as openpgp from 'openpgp';
import * as before from 'stream-v2-before';
import * as lib from '../../src/browser.js';

/** A timed configuration: its encrypt and decrypt of a Blob, as byte streams. */
export interface Row {
  id: string;
  label: string;
  encrypt(input: Blob): Promise<ReadableStream<Uint8Array>>;
  decrypt(input: Blob): Promise<ReadableStream<Uint8Array>>;
}

type Lib = typeof lib;

/** stream-v2's stream path of `l` (this build, or the `--before` one) with `options`. */
function streamV2(l: Lib, id: string, label: string, options: Record<string, unknown>): Row {
  const key = crypto.getRandomValues(new Uint8Array(32));
  return {
    id,
    label,
    encrypt: async (input) => input.stream().pipeThrough(new l.EncryptSegmentTransform(key, options)),
    decrypt: async (input) => input.stream().pipeThrough(new l.DecryptSegmentTransform(key, options)),
  };
}

/**
 * stream-v2's Blob path (random access), once the library has it: `encryptBlob(blob, secret)`
 * → `{ stream() }`, `openEncrypted(blob, secret)` → `{ stream() }`.
 */
function blobPath(): Row | undefined {
  const l = lib as unknown as Record<string, unknown>;
  if (typeof l.encryptBlob !== 'function' || typeof l.openEncrypted !== 'function') return undefined;
  type Opened = Promise<{ stream(): ReadableStream<Uint8Array> }>;
  const encryptBlob = l.encryptBlob as (b: Blob, k: Uint8Array) => Opened;
  const openEncrypted = l.openEncrypted as (b: Blob, k: Uint8Array) => Opened;
  const key = crypto.getRandomValues(new Uint8Array(32));
  return {
    id: 'v2-blob',
    label: 'stream-v2 Blob path',
    encrypt: async (input) => (await encryptBlob(input, key)).stream(),
    decrypt: async (input) => (await openEncrypted(input, key)).stream(),
  };
}

/** OpenPGP.js v6, RFC 9580 AEAD (SEIPD v2, AES-256-GCM, 256 KiB chunks), streaming, cheapest S2K. */
function openpgpRow(): Row {
  const config = { aeadProtect: true, preferredAEADAlgorithm: openpgp.enums.aead.gcm, s2kIterationCountByte: 0 };
  const passwords = [Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16)).join('')];
  return {
    id: 'openpgp',
    label: 'OpenPGP.js 6 AEAD (GCM)',
    async encrypt(input) {
      const message = await openpgp.createMessage({ binary: input.stream() });
      return openpgp.encrypt({ message, passwords, format: 'binary', config });
    },
    async decrypt(input) {
      const message = await openpgp.readMessage({ binaryMessage: input.stream(), config });
      const { data } = await openpgp.decrypt({ message, passwords, format: 'binary', config });
      return data as ReadableStream<Uint8Array>;
    },
  };
}

/** typage (age-encryption): age's STREAM, ChaCha20-Poly1305 (noble, this thread), X25519 recipient. */
async function ageRow(): Promise<Row> {
  const identity = await age.generateX25519Identity();
  const recipient = await age.identityToRecipient(identity);
  return {
    id: 'age',
    label: 'typage (age)',
    encrypt(input) {
      const e = new age.Encrypter();
      e.addRecipient(recipient);
      return e.encrypt(input.stream());
    },
    decrypt(input) {
      const d = new age.Decrypter();
      d.addIdentity(identity);
      return d.decrypt(input.stream());
    },
  };
}

/**
 * A pool of the default size whose workers stay up between rounds: the default pool stops
 * idle workers after 2 s, so other rows' runs would make each round time worker start-up.
 */
const warmPool = (l: Lib) => new l.WorkerPool({ size: lib.getDefaultPool().size, idleTimeoutMs: 3_600_000 });

/** No crypto: the Blob's own stream into the sink, the most any row reading a Blob can do. */
const blobRead: Row = {
  id: 'blob-read',
  label: 'Blob.stream() alone (no crypto)',
  encrypt: async (input) => input.stream(),
  decrypt: async (input) => input.stream(),
};

/** Every row this build can run, stream-v2 AES defaults first. */
export async function rows(): Promise<Row[]> {
  const pool = warmPool(lib);
  await pool.start(); // every worker answered before any timed round
  const all: (Row | undefined)[] = [
    streamV2(lib, 'v2-aes', 'stream-v2 AES, default pool', { workers: pool }),
    streamV2(lib, 'v2-aes-w0', 'stream-v2 AES, workers: 0', { workers: 0 }),
    streamV2(lib, 'v2-chacha', 'stream-v2 ChaCha20, default pool', { suite: 'chacha20-poly1305', workers: pool }),
    blobPath(),
  ];
  const b = before as Partial<Lib>;
  if (typeof b.EncryptSegmentTransform === 'function') {
    const old = warmPool(b as Lib);
    await old.start?.(); // an older build may not have start()
    all.push(streamV2(b as Lib, 'before-aes', 'stream-v2 AES, default pool (before)', { workers: old }));
    all.push(streamV2(b as Lib, 'before-aes-w0', 'stream-v2 AES, workers: 0 (before)', { workers: 0 }));
  }
  all.push(openpgpRow(), await ageRow(), blobRead);
  return all.filter((r): r is Row => r !== undefined);
}

/** The default pool's size: the ceiling runs that many workers. */
export const poolSize = (): number => lib.getDefaultPool().size;
