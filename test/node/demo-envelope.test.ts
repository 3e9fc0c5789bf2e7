/**
 * The demo server's key envelopes (issue 22, demo/envelopes.ts): a file encrypted to recipients
 * is a plain stream under a file key, and its envelope an object of its own beside it. Only the
 * uploader (the owner token whose SHA-256 the tus creation carried) stores or replaces it; a
 * body too large, a framing that breaks docs/RECIPIENTS.md §2 or a header copy of another
 * stream is refused with a clear 4xx and nothing stored; a re-wrap leaves the ciphertext as it was.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptBlob, generateIdentity, openEnvelope, rewrap, sealEnvelope } from '#lib';
import { codeOf } from '../random-helpers.js';
import { type DemoServer, startServer, upload } from './demo-harness.js';

/** A stream under `fileKey` and the envelope that seals it to `recipients`. */
async function sealed(
  fileKey: Uint8Array,
  recipients: string[],
): Promise<{ stream: Uint8Array; envelope: Uint8Array }> {
  const enc = await encryptBlob(new Blob([randomBytes(3000)]), fileKey, { workers: 0 });
  try {
    const stream = await enc.read(0, enc.ciphertextSize);
    return { stream, envelope: await sealEnvelope(fileKey, stream.subarray(0, 80), recipients) };
  } finally {
    enc.close();
  }
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

describe('demo server: key envelopes', () => {
  let server: DemoServer;
  let alice: { publicKey: string; secretKey: string };
  let bob: { publicKey: string; secretKey: string };
  const token = randomBytes(32).toString('hex');
  const fileKey = randomBytes(32);
  let file: { stream: Uint8Array; envelope: Uint8Array };
  let id: string;
  let unowned: string;

  beforeAll(async () => {
    server = await startServer();
    [alice, bob] = await Promise.all([generateIdentity(), generateIdentity({ pq: true })]);
    file = await sealed(fileKey, [alice.publicKey]);
    id = await upload(server.url, file.stream, file.stream.length, { owner: hashOf(token) });
    unowned = await upload(server.url, file.stream);
  });
  afterAll(() => server?.stop());

  const at = (which: string) => `${server.url}/api/files/${which}/envelope`;
  const put = (body: Uint8Array, auth = `Bearer ${token}`, which = id) =>
    fetch(at(which), { method: 'PUT', headers: { Authorization: auth }, body: body as Uint8Array<ArrayBuffer> });

  async function expectCode(res: Response, status: number, code: string): Promise<string> {
    const body = (await res.json()) as { code: string; message: string };
    expect([res.status, body.code]).toEqual([status, code]);
    return body.message;
  }
  /** Nothing was stored: GET says there is no envelope, and the file info has none. */
  async function expectNone(which = id): Promise<void> {
    await expectCode(await fetch(at(which)), 404, 'NOT_FOUND');
    const info = (await (await fetch(`${server.url}/api/files/${which}`)).json()) as { envelope?: number };
    expect(info.envelope).toBeUndefined();
  }

  it('refuses without the owner token, with another one, and on an upload made without one (403, nothing stored)', async () => {
    await expectCode(await put(file.envelope, ''), 403, 'OWNER_ONLY');
    await expectCode(await put(file.envelope, `Bearer ${randomBytes(32).toString('hex')}`), 403, 'OWNER_ONLY');
    await expectCode(await put(file.envelope, `Bearer ${hashOf(token)}`), 403, 'OWNER_ONLY'); // the hash is no token
    await expectCode(await put(file.envelope, `Bearer ${token}`, unowned), 403, 'OWNER_ONLY');
    await expectNone();
    await expectNone(unowned);
  });

  it('refuses a body larger than the largest envelope (75,162 bytes), declared or not (413, nothing stored)', async () => {
    const big = new Uint8Array(75_163);
    big.set(file.envelope);
    expect(await expectCode(await put(big), 413, 'ENVELOPE_TOO_LARGE')).toMatch(/75162 bytes/);
    // Chunked, no Content-Length: the server counts and stops at the limit.
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(at(id), { method: 'PUT', headers: { Authorization: `Bearer ${token}` } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode as number, body }));
      });
      req.on('error', reject);
      for (let i = 0; i < 20; i++) req.write(new Uint8Array(8192));
      req.end();
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).code).toBe('ENVELOPE_TOO_LARGE');
    await expectNone();
  });

  it('refuses a framing that breaks docs/RECIPIENTS.md §2, with the library code in the sentence (422, nothing stored)', async () => {
    const cases: Array<[Uint8Array, string]> = [
      [file.envelope.slice(0, 9), 'TRUNCATED'],
      [Uint8Array.of(0x58, ...file.envelope.subarray(1)), 'BAD_HEADER'], // magic
      [Uint8Array.of(...file.envelope.subarray(0, 4), 2, ...file.envelope.subarray(5)), 'UNSUPPORTED'], // version
      [file.envelope.slice(0, file.envelope.length - 1), 'TRUNCATED'],
      [Uint8Array.of(...file.envelope, 0), 'TRAILING_DATA'],
      [new Uint8Array(0), 'TRUNCATED'],
    ];
    const stanzaType = file.envelope.slice();
    stanzaType[90] = 9;
    cases.push([stanzaType, 'UNSUPPORTED']);
    for (const [body, code] of cases) {
      expect(await expectCode(await put(body), 422, 'BAD_ENVELOPE')).toContain(`(${code})`);
    }
    await expectNone();
  });

  it("refuses an envelope whose header copy is another stream's (409 ENVELOPE_MISMATCH, nothing stored)", async () => {
    const other = await sealed(fileKey, [alice.publicKey]); // the same key, a fresh salt: another header
    await expectCode(await put(other.envelope), 409, 'ENVELOPE_MISMATCH');
    await expectNone();
  });

  it('stores the envelope, serves it, and takes a re-wrap from the owner; the ciphertext does not change', async () => {
    const stored = join(server.data, id);
    const before = readFileSync(stored);
    expect((await put(file.envelope)).status).toBe(201);
    const got = new Uint8Array(await (await fetch(at(id))).arrayBuffer());
    expect(got).toEqual(new Uint8Array(file.envelope));
    expect(((await (await fetch(`${server.url}/api/files/${id}`)).json()) as { envelope?: number }).envelope).toBe(
      file.envelope.length,
    );

    const rewrapped = await rewrap(got, alice.secretKey, [bob.publicKey]);
    const res = await put(rewrapped);
    expect([res.status, await res.json()]).toEqual([200, { size: rewrapped.length, replaced: true }]);
    const now = new Uint8Array(await (await fetch(at(id))).arrayBuffer());
    expect((await openEnvelope(now, bob.secretKey)).fileKey).toEqual(new Uint8Array(fileKey));
    expect(await codeOf(openEnvelope(now, alice.secretKey))).toBe('WRONG_KEY');
    expect(readFileSync(stored).equals(before)).toBe(true);

    // A refused replacement keeps the stored envelope as it was.
    const other = await sealed(fileKey, [alice.publicKey]);
    await expectCode(await put(other.envelope), 409, 'ENVELOPE_MISMATCH');
    expect(new Uint8Array(await (await fetch(at(id))).arrayBuffer())).toEqual(now);
  });

  it('an unknown id: 404; an unfinished upload takes no envelope (409)', async () => {
    await expectCode(await fetch(at('0'.repeat(32))), 404, 'NOT_FOUND');
    const partial = await upload(server.url, file.stream, 100, { owner: hashOf(token) });
    await expectCode(await put(file.envelope, `Bearer ${token}`, partial), 409, 'UPLOAD_UNFINISHED');
  });
});

it('with DEMO_DELETE=1, removing an upload removes its envelope too', async () => {
  const server = await startServer({ DEMO_DELETE: '1' });
  try {
    const [alice] = [await generateIdentity()];
    const token = randomBytes(32).toString('hex');
    const file = await sealed(randomBytes(32), [alice.publicKey]);
    const id = await upload(server.url, file.stream, file.stream.length, { owner: hashOf(token) });
    const at = `${server.url}/api/files/${id}/envelope`;
    const body = file.envelope as Uint8Array<ArrayBuffer>;
    expect((await fetch(at, { method: 'PUT', headers: { Authorization: `Bearer ${token}` }, body })).status).toBe(201);
    expect(existsSync(join(server.data, `${id}.envelope`))).toBe(true);
    const gone = await fetch(`${server.url}/files/${id}`, { method: 'DELETE', headers: { 'Tus-Resumable': '1.0.0' } });
    expect(gone.status).toBe(204);
    expect(existsSync(join(server.data, `${id}.envelope`))).toBe(false);
    expect((await fetch(at)).status).toBe(404);
  } finally {
    await server.stop();
  }
});
