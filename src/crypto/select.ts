/**
 * Backend choice, made once per (platform list, suite) and cached: the first backend of the
 * platform's preference list that can do the job. Nothing else in the code asks "am I in
 * Node?"; the platform hands in its list (node:crypto, WebCrypto, noble in that order).
 */
import { StreamV2Error } from '../errors.js';
import type { SuiteName } from '../format/constants.js';
import type { CryptoBackend, FrameCrypto } from './types.js';

/** The backends chosen for one suite: one for the AEAD, one for SHA-256. */
export interface BackendChoice {
  readonly cipher: CryptoBackend;
  readonly hash: CryptoBackend;
}

const choices = new Map<string, BackendChoice>();

/**
 * Chooses the cipher and hash backends for `suite` from `candidates` (in preference order: the
 * platform's list decides, nothing else).
 */
export function chooseBackends(candidates: readonly CryptoBackend[], suite: SuiteName): BackendChoice {
  const key = `${candidates.map((c) => c.name).join(',')}|${suite}`;
  let choice = choices.get(key);
  if (!choice) {
    choice = preferredChoice(candidates, suite);
    choices.set(key, choice);
  }
  return choice;
}

function preferredChoice(candidates: readonly CryptoBackend[], suite: SuiteName): BackendChoice {
  const cipher = candidates.find((c) => c.supports(suite));
  const hash = candidates.find((c) => c.canHash());
  if (!cipher || !hash) throw new StreamV2Error('UNSUPPORTED', `no backend can do ${suite} here`);
  return { cipher, hash };
}

/** A stream's frame-key session, as sent to workers (spec §3 frame_key, spec §2 header). */
export interface SessionKey {
  /** Random id of the stream; workers cache the imported key under it. */
  readonly id: string;
  readonly suite: SuiteName;
  readonly frameKey: Uint8Array;
  readonly header: Uint8Array;
}

const SESSION_CACHE_SIZE = 16;
const sessions = new Map<string, Promise<FrameCrypto>>();

/** The keyed cipher and hash of a session; imported once, kept for the last few sessions. */
export function frameCryptoFor(candidates: readonly CryptoBackend[], s: SessionKey): Promise<FrameCrypto> {
  let fc = sessions.get(s.id);
  if (fc) {
    sessions.delete(s.id); // refresh its place in the LRU order
  } else {
    const { cipher, hash } = chooseBackends(candidates, s.suite);
    fc = cipher.cipher(s.suite, s.frameKey).then((c) => ({ cipher: c, sha256: (d: Uint8Array) => hash.sha256(d) }));
    fc.catch(() => sessions.delete(s.id));
  }
  sessions.set(s.id, fc);
  if (sessions.size > SESSION_CACHE_SIZE) sessions.delete(sessions.keys().next().value as string);
  return fc;
}

/** Forgets a session's key (called when its stream ends). */
export function forgetSession(id: string): void {
  sessions.delete(id);
}
