/**
 * The ceiling's Web Worker: seals and SHA-256-hashes 64 KiB frames with WebCrypto, no streams,
 * no hand-off: the most a page's workers can do with the same primitives as stream-v2's
 * AES-256-GCM frames (spec §4: frame_hash = SHA-256 of the sealed frame). `depth` frames are
 * in flight at once (WebCrypto answers asynchronously).
 */
type Bytes = Uint8Array<ArrayBuffer>;

interface Job {
  bytes: number;
  frameSize: number;
  depth: number;
}

const subtle = crypto.subtle;
let key: CryptoKey | undefined;
let plaintext: Bytes | undefined;

async function setUp(frameSize: number): Promise<void> {
  key ??= await subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt']);
  if (plaintext?.length !== frameSize) {
    plaintext = new Uint8Array(frameSize);
    crypto.getRandomValues(plaintext);
  }
}

/** Seals and hashes `bytes` in frames of `frameSize`, `depth` at a time. */
async function run({ bytes, frameSize, depth }: Job): Promise<void> {
  await setUp(frameSize);
  const frames = Math.ceil(bytes / frameSize);
  const aad = new Uint8Array(72);
  let next = 0;
  const lane = async () => {
    while (next < frames) {
      const i = next++;
      const iv = new Uint8Array(12);
      new DataView(iv.buffer).setUint32(8, i);
      const sealed = await subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: aad },
        key as CryptoKey,
        plaintext as Bytes,
      );
      await subtle.digest('SHA-256', sealed);
    }
  };
  await Promise.all(Array.from({ length: depth }, lane));
}

self.onmessage = async (e: MessageEvent<Job>) => {
  await run(e.data);
  self.postMessage('done');
};
