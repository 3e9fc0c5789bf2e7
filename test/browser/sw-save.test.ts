/**
 * saveDecrypted's streamed download when the worker serving it goes away mid-body: the save
 * fails `ABORTED` instead of waiting forever (a stopped worker's port says nothing more); a
 * worker replaced as it serves, which goes on to the end, completes it.
 */
import { expect, it } from 'vitest';
import type { RegisterOptions, ServiceWorkerLink } from '../../src/service-worker/link.js';
import { saveDecrypted } from '../../src/service-worker/save.js';

/** A link whose "worker" starts the response, sends one progress event, and then nothing. */
function silentAfterStart(revoked: string[]): ServiceWorkerLink {
  return {
    async register(_url, _secret, options: RegisterOptions = {}) {
      setTimeout(() => {
        options.onEvent?.({ type: 'start', request: 1, status: 200, start: 0, end: 1000 });
        options.onEvent?.({ type: 'progress', request: 1, sent: 100 });
      }, 10);
      return {
        url: 'about:blank',
        plaintextSize: 1000,
        expiresAt: Date.now() + 60_000,
        revoke: () => revoked.push('x'),
      };
    },
    close() {},
  };
}

/** A link whose worker's events the test sends itself (`send`), for a file of `size` bytes. */
function drivenLink(size: number): { link: ServiceWorkerLink; send: NonNullable<RegisterOptions['onEvent']> } {
  let onEvent: RegisterOptions['onEvent'];
  const link: ServiceWorkerLink = {
    async register(_u, _s, o: RegisterOptions = {}) {
      onEvent = o.onEvent;
      return { url: 'about:blank', plaintextSize: size, expiresAt: Date.now() + 60_000, revoke() {} };
    },
    close() {},
  };
  return { link, send: (e) => onEvent?.(e) };
}

/** saveDecrypted through `link`, as in a browser without a file picker. */
const saveThrough = (link: ServiceWorkerLink) =>
  saveDecrypted('https://example.invalid/c.sv2', new Uint8Array(32), { filename: 'f.bin', picker: false, link });

it('a download whose Service Worker is replaced after it started, and then falls silent, fails ABORTED within 5 s, and its URL is revoked', async () => {
  const sw = navigator.serviceWorker;
  expect(sw).toBeDefined();
  const revoked: string[] = [];
  const saving = saveDecrypted('https://example.invalid/c.sv2', new Uint8Array(32), {
    filename: 'f.bin',
    picker: false,
    link: silentAfterStart(revoked),
  });
  await new Promise((r) => setTimeout(r, 100)); // started, one progress event, then silence
  sw.dispatchEvent(new Event('controllerchange'));
  const t0 = performance.now();
  await expect(saving).rejects.toMatchObject({ code: 'ABORTED', message: expect.stringMatching(/replaced/) });
  expect(performance.now() - t0).toBeGreaterThan(4_000); // its silence, not the controllerchange itself
  expect(revoked).toEqual(['x']);
}, 10_000);

it('a download whose Service Worker is replaced after it started, and which that worker goes on to finish, resolves', async () => {
  // Chromium: the new worker took over as the old one's response ended, before its `done` came.
  const { link, send } = drivenLink(9);
  const saving = saveThrough(link);
  await new Promise((r) => setTimeout(r, 50));
  send({ type: 'start', request: 1, status: 200, start: 0, end: 9 });
  send({ type: 'progress', request: 1, sent: 4 });
  navigator.serviceWorker.dispatchEvent(new Event('controllerchange'));
  await new Promise((r) => setTimeout(r, 1000));
  send({ type: 'progress', request: 1, sent: 9 });
  send({ type: 'done', request: 1, sent: 9 });
  await expect(saving).resolves.toEqual({ method: 'service-worker', bytes: 9 });
});

it('a controllerchange before the download started does not fail it (the link registers again)', async () => {
  const { link, send } = drivenLink(5);
  const saving = saveThrough(link);
  await new Promise((r) => setTimeout(r, 50));
  navigator.serviceWorker.dispatchEvent(new Event('controllerchange'));
  send({ type: 'start', request: 1, status: 200, start: 0, end: 5 });
  send({ type: 'done', request: 1, sent: 5 });
  await expect(saving).resolves.toEqual({ method: 'service-worker', bytes: 5 });
});

it('without a file picker (Firefox, WebKit) it takes the Service Worker download; with one, the picker', async () => {
  // Feature-detected as saveDecrypted does: Chromium has the picker, which refuses here (no click).
  const hasPicker = typeof (globalThis as { showSaveFilePicker?: unknown }).showSaveFilePicker === 'function';
  let onEvent: RegisterOptions['onEvent'];
  const link: ServiceWorkerLink = {
    async register(_u, _s, o: RegisterOptions = {}) {
      onEvent = o.onEvent;
      setTimeout(() => {
        onEvent?.({ type: 'start', request: 1, status: 200, start: 0, end: 7 });
        onEvent?.({ type: 'done', request: 1, sent: 7 });
      }, 10);
      return { url: 'about:blank', plaintextSize: 7, expiresAt: Date.now() + 60_000, revoke() {} };
    },
    close() {},
  };
  const saving = saveDecrypted('https://example.invalid/c.sv2', new Uint8Array(32), { filename: 'f.bin', link });
  if (hasPicker)
    await expect(saving).rejects.toMatchObject({
      code: 'ABORTED',
      message: expect.stringMatching(/no file was picked/),
    });
  else await expect(saving).resolves.toEqual({ method: 'service-worker', bytes: 7 });
});
