/**
 * The demo server's upload path (issue 23): well-formed PATCH bodies go straight to the file
 * (demo/patch.ts) under tus's lock, the last PATCH is answered before the keyless check runs,
 * every PATCH the direct path would refuse gets tus's own answer, a cut body keeps what
 * arrived, and a HEAD still takes the lock from a PATCH that hangs.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type ClientRequest, request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptBlob } from '#lib';
import {
  checked,
  createUpload,
  type DemoServer,
  eventually,
  fileInfo,
  openDescriptors,
  startServer,
} from './demo-harness.js';

const MiB = 2 ** 20;
const TUS = { 'Tus-Resumable': '1.0.0' };
const PATCH_HEADERS = { ...TUS, 'Content-Type': 'application/offset+octet-stream' };

/** A valid stream-v2 file of `n` plaintext bytes, so the keyless check has something to pass. */
async function ciphertext(n: number): Promise<Uint8Array> {
  const enc = await encryptBlob(new Blob([randomBytes(n)]), randomBytes(32), { workers: 0 });
  try {
    return new Uint8Array(await new Response(enc.stream()).arrayBuffer());
  } finally {
    enc.close();
  }
}

async function created(server: DemoServer, size: number): Promise<string> {
  const res = await createUpload(server.url, size);
  expect(res.status).toBe(201);
  return (res.headers.get('location') as string).split('/').pop() as string;
}

function patch(server: DemoServer, id: string, offset: number, body: Uint8Array, headers = {}): Promise<Response> {
  return fetch(`${server.url}/files/${id}`, {
    method: 'PATCH',
    headers: { ...PATCH_HEADERS, 'Upload-Offset': String(offset), ...headers },
    body: body as Uint8Array<ArrayBuffer>,
  });
}

async function head(server: DemoServer, id: string): Promise<number> {
  const res = await fetch(`${server.url}/files/${id}`, { method: 'HEAD', headers: TUS });
  expect(res.status).toBe(200);
  return Number(res.headers.get('upload-offset'));
}

/** A PATCH announcing `length` bytes of which `part` are sent; the request stays open. */
function openPatch(server: DemoServer, id: string, length: number, part: Uint8Array): ClientRequest {
  const req = request(`${server.url}/files/${id}`, {
    method: 'PATCH',
    agent: false,
    headers: { ...PATCH_HEADERS, 'Upload-Offset': '0', 'Content-Length': String(length) },
  });
  req.on('error', () => {}); // the cut we cause, or the server's
  req.write(part);
  return req;
}

describe('demo server: the upload path', () => {
  let server: DemoServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server?.stop());

  it('a PATCH in three parts: stored exactly; the last is answered before the check, which then closes its files', async () => {
    const bytes = await ciphertext(24 * MiB);
    const id = await created(server, bytes.length);
    const cuts = [0, 7 * MiB + 5, 15 * MiB + 3, bytes.length];
    for (let i = 0; i < 3; i++) {
      const res = await patch(server, id, cuts[i] as number, bytes.subarray(cuts[i], cuts[i + 1]));
      expect(res.status).toBe(204);
      expect(res.headers.get('upload-offset')).toBe(String(cuts[i + 1]));
      expect(res.headers.get('tus-resumable')).toBe('1.0.0');
    }
    // Answered first: no verdict yet when the answer is in (the check of 24 segments takes longer).
    const right = await fileInfo(server.url, id);
    expect(right.verdict).toBeUndefined();
    expect(right.checking).toBe(true);
    const info = await checked(server.url, id);
    expect(info.verdict?.ok).toBe(true);
    expect(info.verdict?.segments).toBe(24);
    expect(info.received).toBe(bytes.length);
    expect(readFileSync(join(server.data, id)).equals(bytes)).toBe(true);
    expect(await eventually(() => openDescriptors(server.pid, join(server.data, id)) === 0)).toBe(true);
  });

  it('PATCHes the direct path does not take get tus’s own answers, and change nothing', async () => {
    const id = await created(server, 1000);
    const body = randomBytes(100);
    expect((await patch(server, id, 0, body)).status).toBe(204);
    const refused: Array<[string, Promise<Response>, number]> = [
      ['wrong offset', patch(server, id, 0, body), 409],
      ['past the length', patch(server, id, 100, randomBytes(901)), 413],
      ['no Tus-Resumable', patch(server, id, 100, body, { 'Tus-Resumable': '' }), 412],
      ['another content type', patch(server, id, 100, body, { 'Content-Type': 'application/octet-stream' }), 400],
      ['an unknown id', patch(server, '0'.repeat(32), 0, body), 404],
      // tus's 501 (no deferred length here); the server answers every 5xx as a plain 500.
      ['a deferred length', patch(server, id, 100, body, { 'Upload-Length': '1000' }), 500],
    ];
    for (const [what, res, status] of refused) {
      const answer = await res;
      expect(answer.status, what).toBe(status);
      expect(await answer.text(), what).not.toBe('');
    }
    expect(await head(server, id)).toBe(100);
    expect(readFileSync(join(server.data, id)).equals(body)).toBe(true);
  });

  it('a PATCH cut short keeps what arrived; the upload finishes from the offset HEAD gives', async () => {
    const bytes = randomBytes(8 * MiB);
    const id = await created(server, bytes.length);
    const req = openPatch(server, id, bytes.length, bytes.subarray(0, 3 * MiB + 12345));
    // Loopback delivers it at once; the cut comes after, mid-body.
    await new Promise((r) => setTimeout(r, 300));
    req.destroy();
    let offset = 0;
    for (let i = 0; i < 100 && offset === 0; i++) {
      offset = await head(server, id);
      if (offset === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(offset).toBe(3 * MiB + 12345);
    expect(readFileSync(join(server.data, id)).equals(bytes.subarray(0, offset))).toBe(true);
    expect((await patch(server, id, offset, bytes.subarray(offset))).status).toBe(204);
    expect(readFileSync(join(server.data, id)).equals(bytes)).toBe(true);
    expect((await fileInfo(server.url, id)).received).toBe(bytes.length); // no byte counted twice
  });

  it('a HEAD takes the lock from a PATCH that hangs, within 5 s, and gets what arrived', async () => {
    const bytes = randomBytes(4 * MiB);
    const id = await created(server, bytes.length);
    const req = openPatch(server, id, bytes.length, bytes.subarray(0, MiB + 7));
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    const offset = await head(server, id);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(offset).toBe(MiB + 7);
    req.destroy();
    expect((await patch(server, id, offset, bytes.subarray(offset))).status).toBe(204);
    expect(readFileSync(join(server.data, id)).equals(bytes)).toBe(true);
  });
});
