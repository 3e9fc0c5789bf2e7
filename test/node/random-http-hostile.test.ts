/**
 * httpRangeSource against hostile loopback servers (issue 20, F1 and F8): a body longer than
 * asked (an endless one) and a gzip bomb fail with SOURCE_FAILED in bounded memory; servers
 * that stall the headers or the body, or drip the body a byte at a time, fail with
 * SOURCE_FAILED within the idle timeout; the caller's own signal gives ABORTED, never a raw
 * DOMException. Every case is bounded in time (short idle timeouts, `within`).
 */
import type { ServerResponse } from 'node:http';
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRangeSource, StreamV2Error } from '#lib';
import { seededBytes, within } from '../helpers.js';
import { answerRange, type Handler, probeThen, rangeOf, startServer, type TestServer, timed } from './http-servers.js';

const BODY = seededBytes(1000, 20);
/** Short, so that each stalled case ends quickly; the default (30 s) is in the README. */
const IDLE = 300;
/** A stalled case must end within the idle timeout plus this (slow CI, timer granularity). */
const SLACK = 1500;
const MiB = 1024 * 1024;
/** What a read of 80 bytes may add to the peak RSS: a chunk or two of the transport, not the body. */
const MEMORY_BOUND = 48 * MiB;

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

/** A 206 for the asked range (Content-Range honest), then the body as `write` sends it. */
function partial(
  headers: Record<string, string | number>,
  write: (res: ServerResponse, length: number) => void,
): Handler {
  return probeThen(BODY, (req, res) => {
    const [a, b] = rangeOf(req) ?? [0, 0];
    res.writeHead(206, { 'content-range': `bytes ${a}-${b}/${BODY.length}`, ...headers });
    write(res, b - a + 1);
  });
}

/** `total` bytes of zeros in 64 KiB writes, waiting for the socket (an endless body, as far as a client can tell). */
function endless(res: ServerResponse, total: number): void {
  const chunk = new Uint8Array(64 * 1024);
  let sent = 0;
  const more = (): void => {
    while (sent < total && !res.destroyed) {
      sent += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', more);
        return;
      }
    }
    res.end();
  };
  more();
}

/** Zeros, gzipped in 64 KiB pieces (the compressed bomb is ~0.1 % of `size`, built without holding `size` bytes). */
async function gzipBomb(size: number): Promise<Uint8Array> {
  const gzip = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gzip.on('data', (b: Buffer) => out.push(b));
  const done = new Promise((resolve) => gzip.on('end', resolve));
  const zeros = new Uint8Array(64 * 1024);
  for (let n = 0; n < size; n += zeros.length) {
    if (!gzip.write(zeros)) await new Promise((r) => gzip.once('drain', r));
  }
  gzip.end();
  await done;
  return Buffer.concat(out);
}

/** The peak RSS growth while `p` runs (sampled every 5 ms, and at the end). */
async function peakGrowth(p: () => Promise<unknown>): Promise<{ growth: number; error: unknown }> {
  const before = process.memoryUsage.rss();
  let peak = before;
  const sample = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  const { error } = await timed(within(p(), 20_000, 'the read'));
  clearInterval(sample);
  peak = Math.max(peak, process.memoryUsage.rss());
  return { growth: peak - before, error };
}

const codeOfError = (e: unknown) => (StreamV2Error.is(e) ? e.code : `not a StreamV2Error: ${String(e)}`);

describe('httpRangeSource: bodies longer than asked, in bounded memory (F1)', () => {
  it('an endless body for an 80-byte read is SOURCE_FAILED after at most length + 1 bytes', async () => {
    let written = 0;
    server.routes.set(
      '/endless',
      partial({}, (res) => {
        const write = res.write.bind(res);
        res.write = ((c: Uint8Array, ...rest: never[]) => {
          written += c.length;
          return write(c, ...rest);
        }) as typeof res.write;
        endless(res, 256 * MiB);
      }),
    );
    const source = await httpRangeSource(`${server.base}/endless`);
    const { growth, error } = await peakGrowth(() => source.read(0, 80));
    expect(codeOfError(error)).toBe('SOURCE_FAILED');
    expect(growth, `peak RSS grew by ${(growth / MiB).toFixed(0)} MiB`).toBeLessThan(MEMORY_BOUND);
    // The client stopped reading: the server could not push the 256 MiB through.
    expect(written).toBeLessThan(64 * MiB);
  });

  it('a gzip body (Content-Encoding: gzip) is refused with SOURCE_FAILED, not inflated; the request asks for identity', async () => {
    const bomb = await gzipBomb(256 * MiB);
    server.routes.set(
      '/bomb',
      partial({ 'content-encoding': 'gzip', 'content-length': bomb.length }, (res) => res.end(bomb)),
    );
    const source = await httpRangeSource(`${server.base}/bomb`);
    const { growth, error } = await peakGrowth(() => source.read(0, 80));
    expect(codeOfError(error)).toBe('SOURCE_FAILED');
    expect(growth, `peak RSS grew by ${(growth / MiB).toFixed(0)} MiB`).toBeLessThan(MEMORY_BOUND);
    expect(String(error)).toContain('gzip');
    const asked = server.seen.at(-1)?.['accept-encoding'] ?? '';
    expect(asked.split(',').map((s) => s.trim())).not.toContain('gzip');
  });

  it('a body one byte longer than asked (Content-Length honest) is SOURCE_FAILED', async () => {
    server.routes.set(
      '/longer',
      probeThen(BODY, (req, res) => {
        const [a, b] = rangeOf(req) ?? [0, 0];
        const part = BODY.subarray(a, b + 2);
        res.writeHead(206, { 'content-range': `bytes ${a}-${b}/${BODY.length}`, 'content-length': part.length });
        res.end(part);
      }),
    );
    const source = await httpRangeSource(`${server.base}/longer`);
    expect(codeOfError((await timed(source.read(10, 80))).error)).toBe('SOURCE_FAILED');
  });
});

describe('httpRangeSource: stalled and slow servers fail within the idle timeout (F8)', () => {
  const options = { idleTimeoutMs: IDLE };
  const stalls: Array<[string, Handler, 'probe' | 'read']> = [
    ['headers stalled on the size probe', () => {}, 'probe'],
    ['headers stalled on a read', probeThen(BODY, () => {}), 'read'],
    [
      'body stalled after 10 of 80 bytes',
      partial({ 'content-length': 80 }, (res) => res.write(BODY.subarray(0, 10))),
      'read',
    ],
    [
      // Faster than the idle timeout: a plain "no byte for N ms" timer would wait 80 × 100 ms.
      'body dripped one byte per 100 ms (slow loris)',
      partial({ 'content-length': 80 }, (res, length) => {
        let i = 0;
        const drip = setInterval(() => {
          if (res.destroyed || i >= length) clearInterval(drip);
          else res.write(BODY.subarray(i, ++i));
        }, 100);
      }),
      'read',
    ],
  ];
  it.each(stalls)('%s: SOURCE_FAILED', async (name, handler, when) => {
    const path = `/stall-${name.replace(/\W+/g, '-')}`;
    server.routes.set(path, handler);
    const run = async () => {
      const source = await httpRangeSource(`${server.base}${path}`, {}, options);
      return when === 'read' ? source.read(0, 80) : source;
    };
    const { ms, error } = await timed(within(run(), IDLE * 4 + SLACK, name));
    expect(codeOfError(error)).toBe('SOURCE_FAILED');
    expect(String(error)).toContain(`${IDLE} ms`);
    expect(ms).toBeLessThan(IDLE * 4 + SLACK);
  });

  it('a server that answers within the timeout each time is read whole', async () => {
    server.routes.set(
      '/steady',
      probeThen(BODY, (req, res) => setTimeout(() => answerRange(req, res, BODY), IDLE / 3)),
    );
    const source = await httpRangeSource(`${server.base}/steady`, undefined, options);
    expect((await source.read(100, 900)).length).toBe(900);
  });
});

describe("httpRangeSource: the caller's signal (F8)", () => {
  const abortAfter = (ms: number) => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), ms);
    return controller.signal;
  };
  it('an abort while the headers are awaited is ABORTED', async () => {
    server.routes.set('/abort-headers', () => {});
    const { error } = await timed(
      within(httpRangeSource(`${server.base}/abort-headers`, { signal: abortAfter(50) }), 5000),
    );
    expect(codeOfError(error)).toBe('ABORTED');
  });
  it('an abort while the body is read is ABORTED', async () => {
    server.routes.set(
      '/abort-body',
      partial({ 'content-length': 80 }, (res) => res.write(BODY.subarray(0, 10))),
    );
    const source = await httpRangeSource(`${server.base}/abort-body`, { signal: abortAfter(150) });
    const { error } = await timed(within(source.read(0, 80), 5000));
    expect(codeOfError(error)).toBe('ABORTED');
  });
  it('a signal aborted before the call is ABORTED, with its reason as the cause', async () => {
    server.routes.set('/ok', (req, res) => answerRange(req, res, BODY));
    const reason = new Error('user left');
    const { error } = await timed(httpRangeSource(`${server.base}/ok`, { signal: AbortSignal.abort(reason) }));
    expect(codeOfError(error)).toBe('ABORTED');
    expect((error as Error).cause).toBe(reason);
  });
});
