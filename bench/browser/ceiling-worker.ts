/**
 * The ceiling's Web Worker: seals and SHA-256-hashes 64 KiB frames with WebCrypto, no streams,
 * no hand-off: the most a page's workers can do with the same primitives as stream-v2's
 * AES-256-GCM frames (spec §4: frame_hash = SHA-256 of the sealed frame). `depth` frames are
 * in flight at once (WebCrypto answers asynchronously). Frames are read in turn from an 8 MiB
 * buffer, as stream-v2's workers read fresh 1 MiB items: one 64 KiB frame sealed over and over
 * would stay in the CPU's cache and overstate the ceiling.
 */
type Bytes = Uint8Array<ArrayBuffer>;

interface Job {
  bytes: number;
  frameSize: number;
  depth: number;
}

const subtle = crypto.subtle;
let key: CryptoKey | undefined;
const SOURCE = 8 * 1024 * 1024;
let source: Bytes | undefined;

async function setUp(): Promise<Bytes> {
  key ??= await subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt']);
  if (!source) {
    source = new Uint8Array(SOURCE);
    for (let i = 0; i < SOURCE; i += 65536) crypto.getRandomValues(source.subarray(i, i + 65536));
  }
  return source;
}

/** Seals and hashes `bytes` in frames of `frameSize`, `depth` at a time. */
async function run({ bytes, frameSize, depth }: Job): Promise<void> {
  const src = await setUp();
  const frames = Math.ceil(bytes / frameSize);
  const perSource = Math.floor(SOURCE / frameSize);
  const aad = new Uint8Array(72);
  let next = 0;
  const lane = async () => {
    while (next < frames) {
      const i = next++;
      const iv = new Uint8Array(12);
      new DataView(iv.buffer).setUint32(8, i);
      const at = (i % perSource) * frameSize;
      const frame = src.subarray(at, at + frameSize);
      const sealed = await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad }, key as CryptoKey, frame);
      await subtle.digest('SHA-256', sealed);
    }
  };
  await Promise.all(Array.from({ length: depth }, lane));
}

self.onmessage = async (e: MessageEvent<Job>) => {
  await run(e.data);
  self.postMessage('done');
};
