/**
 * The peers of the `peers` section: stream-v2 and other libraries' streaming encryption, each
 * behind one interface so that bench/lib/peer-run.mjs can time them alike.
 *
 * A peer is `{ label, pipe, input, load() }`; `load()` imports the library and makes a key,
 * and returns `{ encrypt(input), decrypt(input) }`, each a promise of a ReadableStream of bytes.
 * `input` is a ReadableStream of 64 KiB chunks, or a Blob for peers with `input: 'blob'`.
 * `pipe: false` peers have no encrypt → decrypt pipe (a Blob path cannot stream into itself).
 * Every peer gets a fresh random key (or identity, or password) per process.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KiB } from './util.mjs';

/** Record size of the peers that frame the stream themselves (libsodium), as in its docs. */
export const RECORD = 64 * KiB;

/** Splits a byte stream into `size`-byte pieces (the last one shorter), copying only across chunk edges. */
class Rechunker {
  constructor(size) {
    this.size = size;
    this.buf = new Uint8Array(size);
    this.used = 0;
  }
  /** Calls `emit(piece)` for every whole piece `chunk` completes. */
  push(chunk, emit) {
    let c = chunk;
    if (this.used > 0) {
      const n = Math.min(this.size - this.used, c.length);
      this.buf.set(c.subarray(0, n), this.used);
      this.used += n;
      c = c.subarray(n);
      if (this.used < this.size) return;
      emit(this.buf.slice());
      this.used = 0;
    }
    while (c.length >= this.size) {
      emit(c.subarray(0, this.size));
      c = c.subarray(this.size);
    }
    this.buf.set(c, 0);
    this.used = c.length;
  }
  /** The bytes left over (a copy). */
  rest() {
    return this.buf.slice(0, this.used);
  }
}

/** libsodium secretstream (XChaCha20-Poly1305), 64 KiB records, the last one tagged FINAL. */
async function loadSodium() {
  const { default: sodium } = await import('libsodium-wrappers');
  await sodium.ready;
  const key = sodium.crypto_secretstream_xchacha20poly1305_keygen();
  const { TAG_MESSAGE, TAG_FINAL, ABYTES, HEADERBYTES } = {
    TAG_MESSAGE: sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE,
    TAG_FINAL: sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL,
    ABYTES: sodium.crypto_secretstream_xchacha20poly1305_ABYTES,
    HEADERBYTES: sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES,
  };
  const push = (state, m, tag) => sodium.crypto_secretstream_xchacha20poly1305_push(state, m, null, tag);
  const encrypt = async (input) => {
    const { state, header } = sodium.crypto_secretstream_xchacha20poly1305_init_push(key);
    const pieces = new Rechunker(RECORD);
    let held; // the last whole record is held back: it may be the FINAL one
    return input.pipeThrough(
      new TransformStream({
        start: (c) => c.enqueue(header),
        transform(chunk, c) {
          pieces.push(chunk, (m) => {
            if (held) c.enqueue(push(state, held, TAG_MESSAGE));
            held = m;
          });
        },
        flush(c) {
          const rest = pieces.rest();
          if (held && rest.length === 0) return c.enqueue(push(state, held, TAG_FINAL));
          if (held) c.enqueue(push(state, held, TAG_MESSAGE));
          c.enqueue(push(state, rest, TAG_FINAL));
        },
      }),
    );
  };
  const decrypt = async (input) => {
    let state;
    let head = new Uint8Array(0); // the stream header, until it is whole
    let done = false;
    const records = new Rechunker(RECORD + ABYTES);
    const open = (r, c) => {
      if (done) throw new Error('secretstream: data after the FINAL record');
      const out = sodium.crypto_secretstream_xchacha20poly1305_pull(state, r, null);
      if (!out) throw new Error('secretstream: a record failed to authenticate');
      if (out.tag === TAG_FINAL) done = true;
      c.enqueue(out.message);
    };
    return input.pipeThrough(
      new TransformStream({
        transform(chunk, c) {
          let rest = chunk;
          if (!state) {
            const all = Buffer.concat([head, chunk]);
            if (all.length < HEADERBYTES) {
              head = all;
              return;
            }
            state = sodium.crypto_secretstream_xchacha20poly1305_init_pull(all.subarray(0, HEADERBYTES), key);
            rest = all.subarray(HEADERBYTES);
          }
          records.push(rest, (r) => open(r, c));
        },
        flush(c) {
          const last = records.rest();
          if (last.length > 0) open(last, c);
          if (!done) throw new Error('secretstream: truncated (no FINAL record)');
        },
      }),
    );
  };
  return { encrypt, decrypt };
}

/** typage (age-encryption): age's STREAM, ChaCha20-Poly1305, to a fresh X25519 identity. */
async function loadAge() {
  const age = await import('age-encryption');
  const identity = await age.generateX25519Identity();
  const recipient = await age.identityToRecipient(identity);
  return {
    encrypt(input) {
      const e = new age.Encrypter();
      e.addRecipient(recipient);
      return e.encrypt(input);
    },
    decrypt(input) {
      const d = new age.Decrypter();
      d.addIdentity(identity);
      return d.decrypt(input);
    },
  };
}

/**
 * OpenPGP.js v6, RFC 9580 AEAD (SEIPD v2, AES-256-GCM, its default 256 KiB chunks), streaming,
 * to a password with the cheapest S2K: the bench measures the stream, not key derivation.
 */
async function loadOpenpgp() {
  const openpgp = await import('openpgp');
  const config = { aeadProtect: true, preferredAEADAlgorithm: openpgp.enums.aead.gcm, s2kIterationCountByte: 0 };
  const passwords = [randomBytes(16).toString('hex')];
  return {
    async encrypt(input) {
      const message = await openpgp.createMessage({ binary: input });
      return openpgp.encrypt({ message, passwords, format: 'binary', config });
    },
    async decrypt(input) {
      const message = await openpgp.readMessage({ binaryMessage: input, config });
      const { data } = await openpgp.decrypt({ message, passwords, format: 'binary', config });
      return data;
    },
  };
}

/**
 * Node's createCipheriv('aes-256-gcm') over the whole stream: no framing, one tag appended at
 * the end (decrypt holds back the last 16 bytes and releases plaintext before it verified).
 * The speed of "no stream security".
 */
async function loadNodeGcm() {
  const key = randomBytes(32);
  const iv = randomBytes(12);
  return {
    async encrypt(input) {
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      return input.pipeThrough(
        new TransformStream({
          transform: (chunk, c) => c.enqueue(cipher.update(chunk)),
          flush(c) {
            cipher.final();
            c.enqueue(cipher.getAuthTag());
          },
        }),
      );
    },
    async decrypt(input) {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      let tail = new Uint8Array(0); // the last 16 bytes seen: maybe the tag
      return input.pipeThrough(
        new TransformStream({
          transform(chunk, c) {
            // no copy of the chunk: only the 16 held-back bytes are carried over
            const all = chunk.length < 16 ? Buffer.concat([tail, chunk]) : chunk;
            if (all === chunk && tail.length) c.enqueue(decipher.update(tail));
            const cut = all.length - 16;
            if (cut > 0) c.enqueue(decipher.update(all.subarray(0, cut)));
            tail = all.subarray(Math.max(0, cut)).slice();
          },
          flush() {
            decipher.setAuthTag(tail);
            decipher.final(); // throws if the tag does not verify
          },
        }),
      );
    },
  };
}

/** stream-v2's stream path with `options` (defaults: the default pool). */
async function loadStreamV2(options) {
  const lib = await import('stream-v2');
  const key = new Uint8Array(randomBytes(32));
  return {
    lib,
    encrypt: async (input) => input.pipeThrough(new lib.EncryptSegmentTransform(key, options)),
    decrypt: async (input) => input.pipeThrough(new lib.DecryptSegmentTransform(key, options)),
    key,
    // Before the pipe's idle RSS: the default pool's workers all started (none with workers: 0).
    ready: async () => options?.workers === 0 || (await lib.getDefaultPool().start?.()),
  };
}

/**
 * stream-v2's Blob path (random access): decrypt with `openEncrypted(blob).stream()`; encrypt
 * with `encryptBlob` where the library has it, else the stream path.
 */
async function loadStreamV2Blob() {
  const v2 = await loadStreamV2(undefined);
  const { lib, key } = v2;
  return {
    async encrypt(input) {
      if (typeof lib.encryptBlob !== 'function') return v2.encrypt(input.stream());
      // encryptBlob(blob, secret) → { size, header, stream() } (the random-access branch)
      return (await lib.encryptBlob(input, key)).stream();
    },
    async decrypt(input) {
      const file = await lib.openEncrypted(input, key);
      return file.stream();
    },
  };
}

/** Every peer, stream-v2 defaults first (the run every other peer's runs are paired with). */
export const PEERS = {
  'stream-v2': { label: 'stream-v2 (defaults)', pipe: true, load: () => loadStreamV2(undefined) },
  'stream-v2-w0': { label: 'stream-v2 workers:0', pipe: true, load: () => loadStreamV2({ workers: 0 }) },
  'stream-v2-blob': {
    label: 'stream-v2 Blob path',
    pipe: false,
    input: 'blob',
    available: (lib) => typeof lib.openEncrypted === 'function',
    load: loadStreamV2Blob,
  },
  openpgp: { label: 'OpenPGP.js 6 AEAD (GCM)', pipe: true, load: loadOpenpgp },
  libsodium: { label: 'libsodium secretstream', pipe: true, load: loadSodium },
  age: { label: 'typage (age)', pipe: true, load: loadAge },
  'node-gcm': { label: 'Node createCipheriv GCM', pipe: true, load: loadNodeGcm },
};

/** The peers this build can run (the Blob path only once the library exports it). */
export async function availablePeers() {
  const lib = await import('stream-v2');
  return Object.keys(PEERS).filter((p) => PEERS[p].available?.(lib) ?? true);
}
