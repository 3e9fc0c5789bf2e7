/**
 * The demo server's settings, read once from the environment. The defaults are the safe ones
 * (README, "The demo"): loopback only, a size limit, no tampering, no tus DELETE. A value that
 * does not parse stops the server at start, so a typo never leaves a switch silently on or off.
 */

/** What the demo server does, and does not, allow. */
export interface Config {
  port: number;
  host: string;
  /** The storage folder. */
  data: string;
  /** The largest tus Upload-Length accepted, in bytes of ciphertext. */
  maxSize: number;
  /** POST /api/files/<id>/tamper flips a stored byte (DEMO_TAMPER=1). */
  tamper: boolean;
  /** tus DELETE (termination) removes an upload (DEMO_DELETE=1). */
  delete: boolean;
  /** GET /api/files lists every stored file, id and name (DEMO_LIST=0 turns it off). */
  list: boolean;
}

/** The settings the page may know (GET /api/config). */
export type PublicConfig = Pick<Config, 'maxSize' | 'tamper' | 'delete' | 'list'>;

/** The default upload limit: 1 GiB of ciphertext (with the default layout, about 1023.4 MiB of plaintext). */
export const DEFAULT_MAX_SIZE = 2 ** 30;

/** A setting that cannot be used; its message names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const UNITS: Record<string, number> = { '': 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40 };

/** Bytes, or a whole number of KiB, MiB, GiB or TiB (`512 MiB`). */
function size(name: string, value: string): number {
  const m = /^(\d+)\s*(KiB|MiB|GiB|TiB)?$/.exec(value.trim());
  const n = m ? Number(m[1]) * (UNITS[m[2] ?? ''] as number) : Number.NaN;
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new ConfigError(
      `${name} must be a positive whole number of bytes, or of KiB, MiB, GiB or TiB (e.g. 512 MiB); got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/** `0` or `1`; unset or empty: the default. */
function flag(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (value === '0' || value === '1') return value === '1';
  throw new ConfigError(`${name} must be 0 or 1; got ${JSON.stringify(value)}`);
}

function port(value: string | undefined): number {
  if (value === undefined || value === '') return 8080;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new ConfigError(`PORT must be a port number (0-65535); got ${value}`);
  return n;
}

/**
 * The settings in `env`.
 *
 * @param defaultData - the storage folder when DEMO_DATA is unset
 * @throws ConfigError naming the variable that does not parse
 */
export function readConfig(env: NodeJS.ProcessEnv, defaultData: string): Config {
  const maxSize = env['DEMO_MAX_SIZE'];
  return {
    port: port(env['PORT']),
    host: env['HOST'] || '127.0.0.1',
    data: env['DEMO_DATA'] || defaultData,
    maxSize: maxSize === undefined || maxSize === '' ? DEFAULT_MAX_SIZE : size('DEMO_MAX_SIZE', maxSize),
    tamper: flag('DEMO_TAMPER', env['DEMO_TAMPER'], false),
    delete: flag('DEMO_DELETE', env['DEMO_DELETE'], false),
    list: flag('DEMO_LIST', env['DEMO_LIST'], true),
  };
}

/** The settings the page may know: not the folder, the host or the port. */
export function publicConfig(c: Config): PublicConfig {
  return { maxSize: c.maxSize, tamper: c.tamper, delete: c.delete, list: c.list };
}
