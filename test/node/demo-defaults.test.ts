/**
 * The demo server's defaults (issue 20, F10): an upload size limit, tampering and tus DELETE off
 * unless an environment variable turns them on, the file list that DEMO_LIST=0 turns off.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptBlob } from '#lib';
import { createUpload, type DemoServer, runToExit, startServer, upload } from './demo-harness.js';

const GiB = 2 ** 30;
const TUS = { 'Tus-Resumable': '1.0.0' };

/** A small, valid stream-v2 file (the keyless check passes, so a tamper has something to break). */
async function ciphertext(): Promise<Uint8Array> {
  const enc = await encryptBlob(new Blob([randomBytes(100_000)]), randomBytes(32), { workers: 0 });
  try {
    return new Uint8Array(await new Response(enc.stream()).arrayBuffer());
  } finally {
    enc.close();
  }
}

/** An error answer: JSON with a code and a sentence, never a stack. */
async function errorOf(res: Response): Promise<{ code: string; message: string }> {
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await res.json()) as { code: string; message: string };
  expect(body.code).toMatch(/^[A-Z_]+$/);
  expect(typeof body.message).toBe('string');
  expect(body.message).not.toMatch(/\n\s+at /);
  return body;
}

describe('demo server: the default environment', () => {
  let server: DemoServer;
  let id: string;

  beforeAll(async () => {
    server = await startServer();
    id = await upload(server.url, await ciphertext());
  });
  afterAll(() => server?.stop());

  it('refuses an Upload-Length of 2^53 − 1 with 413, and anything over 1 GiB; 1 GiB itself is taken', async () => {
    const huge = await createUpload(server.url, Number.MAX_SAFE_INTEGER);
    expect(huge.status).toBe(413);
    expect(await huge.text()).toContain(`at most ${GiB} bytes`);
    expect((await createUpload(server.url, GiB + 1)).status).toBe(413);
    expect((await createUpload(server.url, GiB)).status).toBe(201);
  });

  it('says its limit and its extensions: Tus-Max-Size, no termination, no deferred length', async () => {
    const res = await fetch(`${server.url}/files/`, { method: 'OPTIONS', headers: TUS });
    expect(res.headers.get('tus-max-size')).toBe(String(GiB));
    const extensions = (res.headers.get('tus-extension') ?? '').split(',').map((s) => s.trim());
    expect(extensions).toContain('creation');
    expect(extensions).not.toContain('termination');
    expect(extensions).not.toContain('creation-defer-length');
  });

  it('refuses to tamper (403 with a code) and leaves the file as it was', async () => {
    const res = await fetch(`${server.url}/api/files/${id}/tamper`, { method: 'POST' });
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe('TAMPER_OFF');
    const verdict = await (await fetch(`${server.url}/api/files/${id}/verify`, { method: 'POST' })).json();
    expect(verdict.ok).toBe(true);
  });

  it('refuses tus DELETE (405 with a code) and keeps the file', async () => {
    const res = await fetch(`${server.url}/files/${id}`, { method: 'DELETE', headers: TUS });
    expect(res.status).toBe(405);
    expect((await errorOf(res)).code).toBe('DELETE_OFF');
    expect(existsSync(join(server.data, id))).toBe(true);
    expect((await fetch(`${server.url}/files/${id}`)).status).toBe(200);
  });

  it('says its settings at /api/config', async () => {
    const config = await (await fetch(`${server.url}/api/config`)).json();
    expect(config).toEqual({ maxSize: GiB, tamper: false, delete: false, list: true });
  });

  it('lists the stored files (the page is a shared board; DEMO_LIST=0 turns it off)', async () => {
    const list = (await (await fetch(`${server.url}/api/files`)).json()) as Array<{ id: string }>;
    expect(list.map((f) => f.id)).toContain(id);
  });
});

describe('demo server: the switches', () => {
  const started: DemoServer[] = [];
  afterAll(() => Promise.all(started.map((s) => s.stop())));
  const start = async (env: Record<string, string>) => {
    const s = await startServer(env);
    started.push(s);
    return s;
  };

  it('DEMO_MAX_SIZE sets the limit (bytes, or with a KiB/MiB/GiB suffix)', async () => {
    const s = await start({ DEMO_MAX_SIZE: '1000' });
    expect((await createUpload(s.url, 1001)).status).toBe(413);
    expect((await createUpload(s.url, 1000)).status).toBe(201);
    const m = await start({ DEMO_MAX_SIZE: '2 MiB' });
    expect((await createUpload(m.url, 2 * 2 ** 20 + 1)).status).toBe(413);
    expect((await createUpload(m.url, 2 * 2 ** 20)).status).toBe(201);
  });

  it.each(['abc', '0', '-5', '1.5', '1e3', '9007199254740992'])('DEMO_MAX_SIZE=%s: refuses to start', async (v) => {
    const { code, output } = await runToExit({ DEMO_MAX_SIZE: v });
    expect(code).not.toBe(0);
    expect(code).not.toBe(null); // it exited by itself, not killed after it started
    expect(output).toContain('DEMO_MAX_SIZE');
  });

  it('DEMO_TAMPER=1 turns tampering on', async () => {
    const s = await start({ DEMO_TAMPER: '1' });
    const id = await upload(s.url, await ciphertext());
    const res = await fetch(`${s.url}/api/files/${id}/tamper`, { method: 'POST' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { flipped: number; verdict: { ok: boolean; code: string } };
    expect(body.verdict.ok).toBe(false);
    expect((await (await fetch(`${s.url}/api/config`)).json()).tamper).toBe(true);
  });

  it('DEMO_DELETE=1 turns tus DELETE on', async () => {
    const s = await start({ DEMO_DELETE: '1' });
    const id = await upload(s.url, randomBytes(1000));
    const res = await fetch(`${s.url}/files/${id}`, { method: 'DELETE', headers: TUS });
    expect(res.status).toBe(204);
    expect(existsSync(join(s.data, id))).toBe(false);
    expect((await fetch(`${s.url}/files/${id}`)).status).toBe(404);
  });

  it('DEMO_LIST=0 turns the list off; one file is still there for whoever knows its id', async () => {
    const s = await start({ DEMO_LIST: '0' });
    const id = await upload(s.url, randomBytes(1000));
    const res = await fetch(`${s.url}/api/files`);
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe('LIST_OFF');
    const one = await fetch(`${s.url}/api/files/${id}`);
    expect(one.status).toBe(200);
    expect(((await one.json()) as { id: string }).id).toBe(id);
  });

  it.each([
    ['DEMO_TAMPER', 'yes'],
    ['DEMO_DELETE', 'true'],
    ['DEMO_LIST', 'off'],
  ])('%s=%s (neither 0 nor 1): refuses to start', async (name, value) => {
    const { code, output } = await runToExit({ [name]: value });
    expect(code).not.toBe(null);
    expect(code).not.toBe(0);
    expect(output).toContain(name);
  });
});
