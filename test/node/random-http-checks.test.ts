/**
 * httpRangeSource's diagnosis of a misbehaving server or a replaced object (issue 20, F12) and
 * of malformed arguments (F11): an answer for another range than asked is SOURCE_FAILED, an
 * object that changed between two reads (412 on If-Match / If-Unmodified-Since, another
 * validator or total size) is SOURCE_CHANGED, not BAD_HEADER or AUTH_FAILED as if the file
 * were damaged; bad arguments are BAD_ARGUMENT, never a raw TypeError.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRangeSource, openEncrypted, StreamV2Error } from '#lib';
import { type PositiveVector, positive, vectorPlaintext, vectorSecret } from '../helpers.js';
import { codeOf, sameBytesOrIndex, vectorCiphertext } from '../random-helpers.js';
import { answerRange, type Handler, probeThen, rangeOf, startServer, type TestServer } from './http-servers.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const v = (positive.vectors as PositiveVector[]).find((x) => x.name === 's1-f16x3-p239') as PositiveVector;
const secret = vectorSecret(v);
const plain = vectorPlaintext(v);

/** An object a test can replace, served with its validators; `conditionals` honours If-Match / If-Unmodified-Since. */
interface StoredObject {
  body: Uint8Array;
  etag?: string;
  lastModified?: string;
  conditionals: boolean;
}

function serveObject(o: StoredObject): Handler {
  return (req, res) => {
    const headers: OutgoingHttpHeaders = {};
    if (o.etag !== undefined) headers['etag'] = o.etag;
    if (o.lastModified !== undefined) headers['last-modified'] = o.lastModified;
    const ifMatch = req.headers['if-match'];
    const ifUnmodified = req.headers['if-unmodified-since'];
    // RFC 9110 §13.1.1: If-Match compares strongly, so a weak tag never matches.
    const matchFails = ifMatch !== undefined && (o.etag === undefined || o.etag.startsWith('W/') || ifMatch !== o.etag);
    const unmodifiedFails =
      ifUnmodified !== undefined &&
      o.lastModified !== undefined &&
      Date.parse(o.lastModified) > Date.parse(ifUnmodified);
    if (o.conditionals && (matchFails || unmodifiedFails)) {
      res.writeHead(412, headers).end();
      return;
    }
    answerRange(req, res, o.body, headers);
  };
}

/** The object with one byte flipped in segment 1: same size, another content. */
async function replacedBody(): Promise<Uint8Array> {
  const wire = (await vectorCiphertext(v)).slice();
  wire[80 + 251 + 40] = (wire[80 + 251 + 40] as number) ^ 1;
  return wire;
}

/** Opens the object, replaces it as `replace` says, and returns the code of a read of all of it. */
async function readAfterReplace(path: string, o: StoredObject, replace: (o: StoredObject) => void) {
  server.routes.set(path, serveObject(o));
  const file = await openEncrypted(await httpRangeSource(`${server.base}${path}`), secret, { workers: 0 });
  try {
    replace(o);
    o.body = await replacedBody();
    return await codeOf(file.read(0, plain.length));
  } finally {
    file.close();
  }
}

describe('httpRangeSource: an answer for another range than asked (F12)', () => {
  it('a range shifted by one byte (Content-Range says so) is SOURCE_FAILED, also through openEncrypted', async () => {
    const wire = await vectorCiphertext(v);
    server.routes.set(
      '/shifted',
      probeThen(wire, (req, res) => {
        const [a, b] = rangeOf(req) ?? [0, 0];
        const part = wire.subarray(a + 1, b + 2);
        res.writeHead(206, {
          'content-range': `bytes ${a + 1}-${b + 1}/${wire.length}`,
          'content-length': part.length,
        });
        res.end(part);
      }),
    );
    const source = await httpRangeSource(`${server.base}/shifted`);
    expect(await codeOf(source.read(0, 80))).toBe('SOURCE_FAILED');
    expect(await codeOf(openEncrypted(source, secret, { workers: 0 }))).toBe('SOURCE_FAILED');
  });

  it.each([
    ['no Content-Range', undefined],
    ['a malformed Content-Range', 'bytes 0-79'],
    ['an unknown total', 'bytes 0-79/*'],
    ['an unsatisfied-range form', 'bytes */SIZE'],
  ])('a 206 with %s on a read is SOURCE_FAILED', async (_, contentRange) => {
    const wire = await vectorCiphertext(v);
    server.routes.set(
      '/bad-range',
      probeThen(wire, (_req, res) => {
        res.writeHead(206, {
          'content-length': 80,
          ...(contentRange ? { 'content-range': contentRange.replace('SIZE', String(wire.length)) } : {}),
        });
        res.end(wire.subarray(0, 80));
      }),
    );
    const source = await httpRangeSource(`${server.base}/bad-range`);
    expect(await codeOf(source.read(0, 80))).toBe('SOURCE_FAILED');
  });

  it('a later answer with another total size is SOURCE_CHANGED', async () => {
    const wire = await vectorCiphertext(v);
    server.routes.set(
      '/grown',
      probeThen(wire, (req, res) => {
        const [a, b] = rangeOf(req) ?? [0, 0];
        res.writeHead(206, { 'content-range': `bytes ${a}-${b}/${wire.length + 1}`, 'content-length': b - a + 1 });
        res.end(wire.subarray(a, b + 1));
      }),
    );
    const source = await httpRangeSource(`${server.base}/grown`);
    expect(await codeOf(source.read(0, 80))).toBe('SOURCE_CHANGED');
  });
});

describe('httpRangeSource: an object replaced between two reads is SOURCE_CHANGED (F12)', () => {
  const lastModified = 'Wed, 21 Oct 2015 07:28:00 GMT';
  const later = 'Wed, 21 Oct 2015 07:29:00 GMT';

  it('strong ETag, the server honours If-Match (412)', async () => {
    const o: StoredObject = { body: await vectorCiphertext(v), etag: '"v1"', conditionals: true };
    const seenBefore = server.seen.length;
    expect(await readAfterReplace('/etag-412', o, (x) => Object.assign(x, { etag: '"v2"' }))).toBe('SOURCE_CHANGED');
    // Every read after the size probe pinned the first answer's ETag.
    const reads = server.seen.slice(seenBefore + 1);
    expect(reads.length).toBeGreaterThan(1);
    for (const h of reads) expect(h['if-match']).toBe('"v1"');
  });

  it('strong ETag, the server ignores If-Match but sends the new ETag', async () => {
    const o: StoredObject = { body: await vectorCiphertext(v), etag: '"v1"', conditionals: false };
    expect(await readAfterReplace('/etag-new', o, (x) => Object.assign(x, { etag: '"v2"' }))).toBe('SOURCE_CHANGED');
  });

  it('Last-Modified only, the server honours If-Unmodified-Since (412)', async () => {
    const o: StoredObject = { body: await vectorCiphertext(v), lastModified, conditionals: true };
    const seenBefore = server.seen.length;
    expect(await readAfterReplace('/lm-412', o, (x) => Object.assign(x, { lastModified: later }))).toBe(
      'SOURCE_CHANGED',
    );
    for (const h of server.seen.slice(seenBefore + 1)) expect(h['if-unmodified-since']).toBe(lastModified);
  });

  it('Last-Modified only, the server ignores If-Unmodified-Since but sends the new date', async () => {
    const o: StoredObject = { body: await vectorCiphertext(v), lastModified, conditionals: false };
    expect(await readAfterReplace('/lm-new', o, (x) => Object.assign(x, { lastModified: later }))).toBe(
      'SOURCE_CHANGED',
    );
  });

  it('a weak ETag is compared but not sent in If-Match (it never matches strongly)', async () => {
    const o: StoredObject = { body: await vectorCiphertext(v), etag: 'W/"v1"', conditionals: true };
    server.routes.set('/weak', serveObject(o));
    const file = await openEncrypted(await httpRangeSource(`${server.base}/weak`), secret, { workers: 0 });
    expect(sameBytesOrIndex(await file.read(0, plain.length), plain)).toBe(-1);
    file.close();
    expect(await readAfterReplace('/weak', o, (x) => Object.assign(x, { etag: 'W/"v2"' }))).toBe('SOURCE_CHANGED');
  });

  it('an unchanged object with validators and conditionals honoured reads the plaintext', async () => {
    const o: StoredObject = { body: await vectorCiphertext(v), etag: '"same"', lastModified, conditionals: true };
    server.routes.set('/same', serveObject(o));
    const file = await openEncrypted(await httpRangeSource(`${server.base}/same`), secret, { workers: 0 });
    for (const [a, b] of [
      [0, plain.length],
      [10, 100],
      [200, 239],
    ] as const) {
      expect(sameBytesOrIndex(await file.read(a, b), plain.subarray(a, b))).toBe(-1);
    }
    file.close();
  });
});

describe('httpRangeSource: malformed arguments are BAD_ARGUMENT (F11)', () => {
  const url = () => `${server.base}/args`;
  beforeAll(async () => {
    const body = await vectorCiphertext(v);
    server.routes.set('/args', (req, res) => answerRange(req, res, body));
  });
  const calls: Array<[string, () => Promise<unknown>]> = [
    ['url 42', () => httpRangeSource(42 as never)],
    ['url null', () => httpRangeSource(null as never)],
    ['a relative url (no base here)', () => httpRangeSource('/x')],
    ['init 5', () => httpRangeSource(url(), 5 as never)],
    ['init null', () => httpRangeSource(url(), null as never)],
    ['headers 5', () => httpRangeSource(url(), { headers: 5 as never })],
    ['a bad header name', () => httpRangeSource(url(), { headers: { 'bad name': 'x' } })],
    ['a header pair of one', () => httpRangeSource(url(), { headers: [['a']] as never })],
    ['signal "x"', () => httpRangeSource(url(), { signal: 'x' as never })],
    ['method POST', () => httpRangeSource(url(), { method: 'POST' })],
    ['a body', () => httpRangeSource(url(), { body: 'x' })],
    ['mode "bogus"', () => httpRangeSource(url(), { mode: 'bogus' as never })],
    ['options 5', () => httpRangeSource(url(), {}, 5 as never)],
    ['idleTimeoutMs 0', () => httpRangeSource(url(), {}, { idleTimeoutMs: 0 })],
    ['idleTimeoutMs -1', () => httpRangeSource(url(), {}, { idleTimeoutMs: -1 })],
    ['idleTimeoutMs 1.5', () => httpRangeSource(url(), {}, { idleTimeoutMs: 1.5 })],
    ['idleTimeoutMs NaN', () => httpRangeSource(url(), {}, { idleTimeoutMs: Number.NaN })],
    ['idleTimeoutMs "30"', () => httpRangeSource(url(), {}, { idleTimeoutMs: '30' as never })],
    ['idleTimeoutMs 2^31', () => httpRangeSource(url(), {}, { idleTimeoutMs: 2 ** 31 })],
  ];
  it.each(calls)('%s', async (_, call) => {
    let error: unknown;
    try {
      await call();
    } catch (e) {
      error = e;
    }
    expect(StreamV2Error.is(error), String(error)).toBe(true);
    expect((error as StreamV2Error).code).toBe('BAD_ARGUMENT');
    expect((error as StreamV2Error).message.length).toBeGreaterThan('BAD_ARGUMENT: '.length);
  });

  it('reads outside the object or with non-integer arguments are BAD_ARGUMENT', async () => {
    const source = await httpRangeSource(url());
    for (const [a, b] of [
      [-1, 1],
      [0.5, 1],
      [0, -1],
      [0, source.size + 1],
      [source.size, 1],
      ['0', 1],
      [Number.NaN, 1],
    ]) {
      expect(await codeOf(() => source.read(a as number, b as number)), `read(${a}, ${b})`).toBe('BAD_ARGUMENT');
    }
    expect((await source.read(source.size, 0)).length).toBe(0);
    expect(await codeOf(httpRangeSource(url(), {}, { idleTimeoutMs: Number.POSITIVE_INFINITY }))).toBeUndefined();
  });
});
