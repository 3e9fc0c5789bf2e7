/**
 * The demo-only tamper switch (DEMO_TAMPER=1): flips one byte of a stored ciphertext where the
 * keyless check and the keyed read can both name the segment it broke.
 */
import { open, stat } from 'node:fs/promises';
import { ciphertextSize, parseHeader } from 'stream-v2';

/**
 * Flips one byte in the middle of the stored ciphertext at `path`, inside a DATA frame body of
 * the middle segment, so earlier segments still verify and that one does not.
 *
 * @returns the offset of the flipped byte
 * @throws StreamV2Error from parseHeader when the file has no stream-v2 header
 */
export async function flipByte(path: string): Promise<number> {
  const { size } = await stat(path);
  const fh = await open(path, 'r+');
  try {
    const header = new Uint8Array(80);
    await fh.read(header, 0, 80, 0);
    const at = pickTamperOffset(size, header);
    const b = new Uint8Array(1);
    await fh.read(b, 0, 1, at);
    b[0] = (b[0] as number) ^ 0x01;
    await fh.write(b, 0, 1, at);
    return at;
  } finally {
    await fh.close();
  }
}

/** An offset 10 bytes into the first DATA frame body of the middle segment (spec §5 sizes). */
function pickTamperOffset(size: number, headerBytes: Uint8Array): number {
  const layout = parseHeader(headerBytes);
  const s = layout.frameSize * layout.framesPerSegment;
  const w = ciphertextSize(2 * s, layout) - ciphertextSize(s, layout); // a full segment's wire size
  const segments = Math.max(1, Math.ceil((size - 80) / w));
  const k = Math.floor((segments - 1) / 2);
  return Math.min(80 + k * w + 18 + 10, size - 1);
}
