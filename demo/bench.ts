/**
 * The baselines of the speed e2e (e2e/speed.spec.ts), in the page itself so they run in the
 * same browser as the demo: a plain tus upload of the same File (no encryption), and
 * encryptBlob().stream() read to its end (no upload). Loaded only with `?bench` in the address.
 */
import { Upload } from 'tus-js-client';
import { encryptBlob } from '../src/browser.js';
import { CHUNK } from './upload.js';

/** The file the test picked into the bench's own file input. */
function picked(): File {
  const file = (document.getElementById('bench-file') as HTMLInputElement | null)?.files?.[0];
  if (!file) throw new Error('no file in #bench-file');
  return file;
}

/** Uploads the picked File as it is, as the demo does (same chunk size); its upload URL and seconds. */
function plainUpload(): Promise<{ url: string; seconds: number }> {
  const file = picked();
  const t0 = performance.now();
  return new Promise((ok, fail) => {
    const upload = new Upload(file, {
      endpoint: '/files/',
      chunkSize: CHUNK,
      metadata: { filename: `plain-${file.name}` },
      storeFingerprintForResuming: false,
      onSuccess: () => ok({ url: upload.url as string, seconds: (performance.now() - t0) / 1000 }),
      onError: fail,
    });
    upload.start();
  });
}

/** Encrypts the picked File and reads the ciphertext stream to its end; bytes and seconds. */
async function encryptOnly(): Promise<{ bytes: number; seconds: number }> {
  const file = picked();
  const t0 = performance.now();
  const enc = await encryptBlob(file, crypto.getRandomValues(new Uint8Array(32)));
  let bytes = 0;
  const reader = enc.stream().getReader();
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    bytes += r.value.length;
  }
  enc.close();
  return { bytes, seconds: (performance.now() - t0) / 1000 };
}

const input = document.createElement('input');
input.type = 'file';
input.id = 'bench-file';
input.hidden = true;
document.body.append(input);
Object.assign(globalThis, { demoBench: { plainUpload, encryptOnly } });
