/**
 * The demo server's HTTP answers (issue 20, F13): unfinished uploads are neither served as whole
 * files nor tampered with, and Range follows RFC 9110 §14 (a case-insensitive unit; a Range
 * header the server does not use is ignored, not refused; 416 only when no byte can be sent).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoServer, startServer, upload } from './demo-harness.js';

const N = 1000;

describe('demo server: protocol answers', () => {
  let server: DemoServer;
  const bytes = randomBytes(N);
  let done: string;
  let partial: string;

  beforeAll(async () => {
    server = await startServer({ DEMO_TAMPER: '1' });
    done = await upload(server.url, bytes);
    partial = await upload(server.url, randomBytes(N), N / 2);
  });
  afterAll(() => server?.stop());

  const url = (id: string) => `${server.url}/files/${id}`;
  const range = (value: string) => fetch(url(done), { headers: { Range: value } });

  async function expectCode(res: Response, status: number, code: string): Promise<void> {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { code: string; message: string };
    expect(body.code).toBe(code);
    expect(body.message).toMatch(/\S/);
  }

  it('an unfinished upload is not served as a file: 409 with a code, for GET, HEAD and a Range', async () => {
    await expectCode(await fetch(url(partial)), 409, 'UPLOAD_UNFINISHED');
    await expectCode(await fetch(url(partial), { headers: { Range: 'bytes=0-9' } }), 409, 'UPLOAD_UNFINISHED');
    const head = await fetch(url(partial), { method: 'HEAD' });
    expect(head.status).toBe(409);
  });

  it('the tus HEAD of an unfinished upload still answers its offset (resume works)', async () => {
    const res = await fetch(url(partial), { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('upload-offset')).toBe(String(N / 2));
    expect(res.headers.get('upload-length')).toBe(String(N));
  });

  it('the bytes an unfinished upload holds so far: /api/files/<id>/received, with Range (for resumeStateFrom)', async () => {
    const held = `${server.url}/api/files/${partial}/received`;
    const whole = await fetch(held);
    expect(whole.status).toBe(200);
    expect(Number(whole.headers.get('content-length'))).toBe(N / 2);
    const part = await fetch(held, { headers: { Range: 'bytes=0-9' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-9/${N / 2}`);
    expect((await part.arrayBuffer()).byteLength).toBe(10);
    expect((await fetch(held, { headers: { Range: `bytes=${N / 2}-` } })).status).toBe(416);
    await expectCode(await fetch(`${server.url}/api/files/${'0'.repeat(32)}/received`), 404, 'NOT_FOUND');
  });

  it('tamper and verify of an unfinished upload: 409 with a code, not a 500', async () => {
    await expectCode(
      await fetch(`${server.url}/api/files/${partial}/tamper`, { method: 'POST' }),
      409,
      'UPLOAD_UNFINISHED',
    );
    await expectCode(
      await fetch(`${server.url}/api/files/${partial}/verify`, { method: 'POST' }),
      409,
      'UPLOAD_UNFINISHED',
    );
  });

  it('tamper of a finished file that is not stream-v2: 422 with a code, not a 500', async () => {
    await expectCode(await fetch(`${server.url}/api/files/${done}/tamper`, { method: 'POST' }), 422, 'BAD_HEADER');
  });

  it('an unknown id: 404 with a code', async () => {
    await expectCode(await fetch(url('0'.repeat(32))), 404, 'NOT_FOUND');
    await expectCode(
      await fetch(`${server.url}/api/files/${'0'.repeat(32)}/tamper`, { method: 'POST' }),
      404,
      'NOT_FOUND',
    );
  });

  it('a finished upload: 200 with the whole file and Accept-Ranges', async () => {
    const res = await fetch(url(done));
    expect(res.status).toBe(200);
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it.each([
    ['bytes=0-0', 0, 1],
    ['bytes=2-5', 2, 6],
    ['BYTES=2-5', 2, 6],
    ['Bytes=-3', N - 3, N],
    ['bytes=990-5000', 990, N],
    ['bytes=990-', 990, N],
    ['bytes=-5000', 0, N],
    ['bytes=00010-00019', 10, 20],
    ['bytes=3-4,', 3, 5], // an empty list element is no element (RFC 9110 §5.6.1)
  ])('Range %s: 206 with bytes [%i, %i)', async (value, start, end) => {
    const res = await range(value);
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end - 1}/${N}`);
    expect(res.headers.get('content-length')).toBe(String(end - start));
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes.subarray(start, end))).toBe(true);
  });

  it.each([
    'bytes=10-5', // reversed: an invalid range-spec, which a server may ignore
    'bytes=0-1,4-5', // more than one range: no multipart answers here, so the whole file
    'bytes=0-1, 900-',
    'items=0-5', // a unit the server does not know: MUST be ignored
    'bytes=abc',
    'bytes=-',
    'bytes=1-2-3',
    'bytes = 1-2',
  ])('Range %s: ignored, 200 with the whole file', async (value) => {
    const res = await range(value);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-range')).toBe(null);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it.each(['bytes=1000-', 'bytes=5000-6000', 'bytes=-0', 'BYTES=1000-1001'])(
    'Range %s: 416 with the length, no byte of the file',
    async (value) => {
      const res = await range(value);
      expect(res.status).toBe(416);
      expect(res.headers.get('content-range')).toBe(`bytes */${N}`);
      expect((await res.arrayBuffer()).byteLength).toBeLessThan(200);
    },
  );

  it('HEAD with a Range: the head of the 206, no body', async () => {
    const res = await fetch(url(done), { method: 'HEAD', headers: { Range: 'bytes=0-9' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-length')).toBe('10');
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });
});
