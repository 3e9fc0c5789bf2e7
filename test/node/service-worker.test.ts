/**
 * The Service Worker side (dist/service-worker.js, the package's build) driven with stand-in
 * events in Node: Range answers byte-equal to the plaintext, covering segments only and one
 * segment ahead of the reader at most, a damaged segment errors the body after exactly the
 * verified segments, wrong keys are refused at registration, revoke, expiry, and a worker that
 * lost its keys asks the pages and answers once one registers again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { encryptBlob, type RangeSource } from '#lib';
import { type DecryptingServiceWorker, serveDecrypted } from '../../dist/service-worker.js';
import { fullSegmentWire, seededBytes } from '../helpers.js';

const TAG = 'stream-v2/service-worker@1';
const FRAME = 1024;
const FRAMES = 4;
const S = FRAME * FRAMES; // plaintext per segment
const SIZE = 13 * S + 777; // 14 segments
const key = seededBytes(32, 7);
const plain = seededBytes(SIZE, 1);
const ct = await (async () => {
  const e = await encryptBlob(new Blob([plain as Uint8Array<ArrayBuffer>]), key, {
    frameSize: FRAME,
    framesPerSegment: FRAMES,
    workers: 0,
  });
  return new Uint8Array(await new Response(e.stream()).arrayBuffer());
})();
const W = fullSegmentWire(FRAME, FRAMES); // a whole segment's wire bytes
const ORIGIN = 'https://app.test';
const ID = 'ab'.repeat(16);

/** A source over `bytes` that records every read. */
function source(bytes: Uint8Array) {
  const reads: Array<[number, number]> = [];
  const src: RangeSource = {
    size: bytes.length,
    read: async (o, n) => {
      reads.push([o, n]);
      return bytes.slice(o, o + n);
    },
  };
  return { src, reads, bytes: () => reads.reduce((a, [, n]) => a + n, 0) };
}

interface Rig {
  sw: DecryptingServiceWorker;
  broadcasts: unknown[];
  events: Array<Record<string, unknown>>;
  reads: ReturnType<typeof source>;
}
const open: MessagePort[] = [];
afterEach(() => {
  for (const p of open.splice(0)) p.close();
});

function rig(bytes = ct, reregisterTimeoutMs = 300): Rig {
  const broadcasts: unknown[] = [];
  const reads = source(bytes);
  const scope = {
    registration: { scope: `${ORIGIN}/` },
    clients: { matchAll: async () => [{ postMessage: (m: unknown) => broadcasts.push(m) }] },
    addEventListener: () => undefined,
  };
  const sw = serveDecrypted(scope, { source: async () => reads.src, reregisterTimeoutMs });
  return { sw, broadcasts, events: [], reads };
}

const until = async (ok: () => boolean, ms = 5000) => {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

async function register(r: Rig, extra: Record<string, unknown> = {}, id = ID) {
  const { port1, port2 } = new MessageChannel();
  open.push(port1, port2);
  const n = r.events.length;
  port1.onmessage = (e) => r.events.push(e.data as Record<string, unknown>);
  const message = {
    tag: TAG,
    type: 'register',
    id,
    url: 'https://store.test/files/1',
    headers: [],
    secret: key.slice(),
    expiresAt: Date.now() + 60_000,
    contentType: 'video/webm',
    disposition: 'inline',
    filename: 'clip.webm',
    ...extra,
  };
  expect(r.sw.handleMessage({ data: message, ports: [port2] })).toBe(true);
  await until(() => r.events.slice(n).some((e) => e.type === 'registered' || e.type === 'refused'));
  return { message, answer: r.events.slice(n).find((e) => e.type === 'registered' || e.type === 'refused') };
}

function get(r: Rig, headers: Record<string, string> = {}, id = ID, method = 'GET'): Promise<Response> {
  let answer: Promise<Response> | undefined;
  const handled = r.sw.handleFetch({
    request: new Request(`${ORIGIN}/stream-v2/${id}/clip.webm`, { headers, method }),
    respondWith: (p) => {
      answer = Promise.resolve(p);
    },
  });
  expect(handled).toBe(true);
  return answer as Promise<Response>;
}

const body = async (res: Response) => new Uint8Array(await res.arrayBuffer());

describe('Range answers', () => {
  it.each([
    [undefined, 200, undefined, 0, SIZE],
    ['bytes=0-0', 206, `bytes 0-0/${SIZE}`, 0, 1],
    ['bytes=5000-9999', 206, `bytes 5000-9999/${SIZE}`, 5000, 10000],
    [`bytes=${S - 3}-`, 206, `bytes ${S - 3}-${SIZE - 1}/${SIZE}`, S - 3, SIZE],
    ['bytes=-100', 206, `bytes ${SIZE - 100}-${SIZE - 1}/${SIZE}`, SIZE - 100, SIZE],
    ['bytes=0-1, 10-20', 200, undefined, 0, SIZE], // several ranges: the whole file
  ])('%s: %i, byte-equal to the plaintext slice', async (range, status, contentRange, a, b) => {
    const r = rig();
    await register(r);
    const res = await get(r, range ? { Range: range } : {});
    expect(res.status).toBe(status);
    expect(res.headers.get('content-range')).toBe(contentRange ?? null);
    expect(res.headers.get('content-length')).toBe(String(b - a));
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('content-type')).toBe('video/webm');
    expect(res.headers.get('content-disposition')).toBe(`inline; filename="clip.webm"; filename*=UTF-8''clip.webm`);
    expect(Buffer.from(await body(res)).equals(Buffer.from(plain.subarray(a, b)))).toBe(true);
  });

  it('outside the file: 416 with the size; HEAD: the headers only; POST: 405; If-Range with another tag: 200', async () => {
    const r = rig();
    await register(r, { disposition: 'attachment', filename: 'Été.bin' });
    const out = await get(r, { Range: `bytes=${SIZE}-` });
    expect(out.status).toBe(416);
    expect(out.headers.get('content-range')).toBe(`bytes */${SIZE}`);
    const head = await get(r, { Range: 'bytes=1-2' }, ID, 'HEAD');
    expect([head.status, head.headers.get('content-length'), head.body]).toEqual([206, '2', null]);
    expect(head.headers.get('content-disposition')).toBe(
      `attachment; filename="_t_.bin"; filename*=UTF-8''%C3%89t%C3%A9.bin`,
    );
    expect((await get(r, {}, ID, 'POST')).status).toBe(405);
    const other = await get(r, { Range: 'bytes=1-2', 'If-Range': '"another"' });
    expect(other.status).toBe(200);
    const same = await get(r, { Range: 'bytes=1-2', 'If-Range': other.headers.get('etag') as string });
    expect(same.status).toBe(206);
    await other.body?.cancel();
  });

  it('a URL outside the prefix is left to the network', () => {
    const r = rig();
    const res = r.sw.handleFetch({ request: new Request(`${ORIGIN}/files/1`), respondWith: () => undefined });
    expect(res).toBe(false);
    expect(r.sw.handleMessage({ data: { hello: 1 }, ports: [] })).toBe(false);
  });
});

describe('reads', () => {
  it('only the covering segments of a range, and one segment ahead of a reader that stops', async () => {
    const r = rig();
    await register(r);
    const opened = r.reads.bytes(); // the header and the end, checked at registration
    expect(opened).toBeLessThan(W + 200);
    const before = r.reads.reads.length;
    await body(await get(r, { Range: `bytes=${5 * S + 10}-${6 * S + 9}` })); // segments 5 and 6
    expect(r.reads.reads.slice(before).map(([o]) => o)).toHaveLength(2);
    expect(r.reads.bytes() - opened).toBeLessThanOrEqual(2 * W + 34);
    // The whole file, read one chunk then left: the worker reads no further ahead.
    const mark = r.reads.bytes();
    const res = await get(r);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    expect((await reader.read()).value?.length).toBe(S);
    await new Promise((t) => setTimeout(t, 100));
    expect(r.reads.bytes() - mark).toBeLessThanOrEqual(2 * W + 34);
    await reader.cancel();
    await until(() => r.events.some((e) => e.type === 'cancelled'));
  });

  it('a damaged segment errors the body after exactly the verified segments before it; the page hears code and segment', async () => {
    const bad = ct.slice();
    bad[80 + 5 * W + 40] = (bad[80 + 5 * W + 40] as number) ^ 1; // inside segment 5
    const r = rig(bad);
    await register(r);
    const reader = ((await get(r)).body as ReadableStream<Uint8Array>).getReader();
    const got: Uint8Array[] = [];
    let failure: unknown;
    for (;;) {
      try {
        const { done, value } = await reader.read();
        if (done) break;
        got.push(value);
      } catch (e) {
        failure = e;
        break;
      }
    }
    const sent = Buffer.concat(got);
    expect(sent.length).toBe(5 * S);
    expect(sent.equals(Buffer.from(plain.subarray(0, 5 * S)))).toBe(true);
    expect((failure as { code?: string }).code).toMatch(/^(AUTH_FAILED|DIGEST_MISMATCH)$/);
    await until(() => r.events.some((e) => e.type === 'failed'));
    const ev = r.events.find((e) => e.type === 'failed') as {
      sent: number;
      error: { code: string; segmentIndex: number };
    };
    expect(ev.sent).toBe(5 * S);
    expect(ev.error.segmentIndex).toBe(5);
    expect(ev.error.code).toMatch(/^(AUTH_FAILED|DIGEST_MISMATCH)$/);
  });
});

describe('registrations', () => {
  it('a wrong key is refused at registration (no request is answered with bytes); the secret is wiped', async () => {
    const r = rig();
    const wrong = seededBytes(32, 8);
    const { answer, message } = await register(r, { secret: wrong });
    expect(answer).toMatchObject({ type: 'refused', error: { code: 'WRONG_KEY' } });
    expect((message.secret as Uint8Array).every((b) => b === 0)).toBe(true);
    const res = await get(r);
    expect(res.status).toBe(404);
    expect(res.headers.get('x-stream-v2-error')).toBe('NOT_REGISTERED');
  });

  it('a malformed registration is refused with BAD_ARGUMENT', async () => {
    for (const extra of [
      { id: 'xyz' },
      { url: 'ftp://x/' },
      { contentType: 'a\nb' },
      { disposition: 'open' },
      { secret: 'k' },
    ]) {
      const { answer } = await register(rig(), extra, typeof extra.id === 'string' ? extra.id : ID);
      expect(answer, JSON.stringify(extra)).toMatchObject({ type: 'refused', error: { code: 'BAD_ARGUMENT' } });
    }
  });

  it('revoke: new requests get NOT_REGISTERED at once, a response under way fails with ABORTED', async () => {
    const r = rig();
    await register(r);
    const reader = ((await get(r)).body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    r.sw.handleMessage({ data: { tag: TAG, type: 'revoke', id: ID }, ports: [] });
    await expect(
      (async () => {
        for (;;) if ((await reader.read()).done) return;
      })(),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    const t0 = Date.now();
    const res = await get(r);
    expect(Date.now() - t0).toBeLessThan(100); // no wait for a page
    expect([res.status, res.headers.get('x-stream-v2-error')]).toEqual([404, 'NOT_REGISTERED']);
    expect(((await res.json()) as { message: string }).message).toContain('revoked');
    expect(r.broadcasts).toEqual([]);
  });

  it('expiry: new requests are refused after it, a response begun before it completes', async () => {
    const r = rig();
    await register(r, { expiresAt: Date.now() + 150 });
    const res = await get(r);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await new Promise((t) => setTimeout(t, 250));
    let n = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      n += value.length;
    }
    expect(n).toBe(SIZE);
    const late = await get(r);
    expect(late.status).toBe(404);
    expect(((await late.json()) as { message: string }).message).toContain('expired');
  });

  it('a restarted worker (no keys) asks its pages, and answers once one registers again', async () => {
    const r = rig(ct, 3000);
    const pending = get(r, { Range: 'bytes=0-9' });
    await until(() => r.broadcasts.length > 0);
    expect(r.broadcasts).toEqual([{ tag: TAG, type: 'unknown', id: ID }]);
    await register(r); // what the page side does when it hears `unknown`
    const res = await pending;
    expect(res.status).toBe(206);
    expect(Buffer.from(await body(res)).equals(Buffer.from(plain.subarray(0, 10)))).toBe(true);
  });

  it('no page registers again: NOT_REGISTERED after the wait, not a hang', async () => {
    const r = rig(ct, 200);
    const t0 = Date.now();
    const res = await get(r);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    expect([res.status, res.headers.get('x-stream-v2-error')]).toEqual([404, 'NOT_REGISTERED']);
  });
});
