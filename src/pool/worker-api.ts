/** The worker side of the protocol: the pure codec, keyed per session, over transferred buffers. */
import { scrypt } from '@noble/hashes/scrypt.js';
import { transfer } from 'comlink';
import { openDataFrames, sealDataFrames } from '../codec/segment.js';
import { frameCryptoFor } from '../crypto/select.js';
import type { CryptoBackend } from '../crypto/types.js';
import './comlink-errors.js';
import type { ItemResult, OpenItem, SealItem, WorkerApi } from './protocol.js';

/** scrypt maxmem for a given log_n: 128·N·r bytes plus slack. */
export function scryptMaxmem(logN: number): number {
  return 2 * 128 * 8 * 2 ** logN + 1024 * 1024;
}

/** Builds the API a worker exposes, over the platform's backends. */
export function createWorkerApi(backends: readonly CryptoBackend[], die: () => void): WorkerApi {
  let armed = false; // crashForTesting: die on the next item, as a crash mid-work would
  const crashIfArmed = () => {
    if (!armed) return;
    setTimeout(die, 0);
    return new Promise<never>(() => {}); // never answers: only the death notice can end the call
  };
  const result = (buffer: ArrayBuffer, length: number, hashes: Uint8Array, plaintextLength: number) =>
    transfer<ItemResult>({ data: { buffer, length }, hashes, plaintextLength }, [buffer, hashes.buffer as ArrayBuffer]);
  return {
    async seal({ session, range, data }: SealItem) {
      await crashIfArmed();
      const fc = await frameCryptoFor(backends, session);
      const bytes = new Uint8Array(data.buffer, 0, data.length);
      const hashes = await sealDataFrames(fc, session.header, bytes, range);
      return result(data.buffer, data.length, hashes, 0);
    },
    async open({ session, range, data }: OpenItem) {
      await crashIfArmed();
      const fc = await frameCryptoFor(backends, session);
      const bytes = new Uint8Array(data.buffer, 0, data.length);
      const { hashes, plaintextLength } = await openDataFrames(fc, session.header, bytes, range);
      return result(data.buffer, data.length, hashes, plaintextLength);
    },
    async scrypt(password, salt, logN) {
      return scrypt(password, salt, { N: 2 ** logN, r: 8, p: 1, dkLen: 32, maxmem: scryptMaxmem(logN) });
    },
    crashForTesting() {
      armed = true;
    },
  };
}
