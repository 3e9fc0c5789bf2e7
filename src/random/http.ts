/** httpRangeSource: a RangeSource over HTTP Range requests (RFC 9110 §14). */
import { StreamV2Error } from '../errors.js';
import type { RangeSource } from '../source/source.js';

/**
 * A {@link RangeSource} that reads `url` with `Range` requests through `fetch`. The size comes
 * from the first response (`Content-Range` of a one-byte range request). A server that ignores
 * `Range` (status 200 instead of 206) or sends a body shorter than asked fails with
 * `SOURCE_FAILED`, never with wrong bytes.
 *
 * @param url - the object to read
 * @param init - extra `fetch` options (headers such as Authorization, credentials, signal)
 * @throws StreamV2Error `SOURCE_FAILED` when the server does not answer with a usable range
 */
export async function httpRangeSource(url: string | URL, init: RequestInit = {}): Promise<RangeSource> {
  const first = await rangeFetch(url, init, 0, 1);
  const total = /\/(\d+)\s*$/.exec(first.headers.get('content-range') ?? '')?.[1];
  await first.body?.cancel();
  if (total === undefined) {
    throw new StreamV2Error('SOURCE_FAILED', `${url}: no total size in Content-Range`);
  }
  const size = Number(total);
  return {
    size,
    async read(offset, length) {
      if (length === 0) return new Uint8Array(0);
      const res = await rangeFetch(url, init, offset, length);
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (bytes.length !== length) {
        throw new StreamV2Error(
          'SOURCE_FAILED',
          `${url}: asked for ${length} bytes at ${offset}, the server sent ${bytes.length}`,
        );
      }
      return bytes;
    },
  };
}

async function rangeFetch(url: string | URL, init: RequestInit, offset: number, length: number): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('Range', `bytes=${offset}-${offset + length - 1}`);
  let res: Response;
  try {
    res = await fetch(url, { ...init, headers });
  } catch (e) {
    throw new StreamV2Error('SOURCE_FAILED', `${url}: ${e instanceof Error ? e.message : String(e)}`, {}, { cause: e });
  }
  if (res.status !== 206) {
    await res.body?.cancel();
    const why = res.status === 200 ? 'the server ignored Range (status 200, not 206)' : `status ${res.status}`;
    throw new StreamV2Error('SOURCE_FAILED', `${url}: ${why}`);
  }
  return res;
}
