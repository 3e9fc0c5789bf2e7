/**
 * The page side of the Service Worker (src/service-worker/link.ts) against stand-in workers: a
 * registration posted to a worker that is replaced before it answers (the demo's e2e test 3,
 * after test 5 registered another worker script: the page's own registration installs a new
 * worker, which claims the page while the old one is still opening the file) goes to the new
 * worker too, and register() takes that answer instead of waiting REGISTER_MS (120 s).
 */
import { afterEach, expect, it, vi } from 'vitest';
import { connectServiceWorker } from '../../src/service-worker/link.js';

/** A stand-in worker: keeps the register messages it got, answers when told. */
class Worker {
  readonly got: { message: { type: string; id: string }; port: MessagePort }[] = [];
  postMessage(message: { type: string; id: string }, ports: MessagePort[] = []): void {
    if (message.type === 'register') this.got.push({ message, port: ports[0] as MessagePort });
  }
  answer(plaintextSize: number): void {
    for (const { port } of this.got) port.postMessage({ type: 'registered', plaintextSize });
  }
}

class Container extends EventTarget {
  constructor(public controller: Worker | null) {
    super();
  }
  switchTo(worker: Worker): void {
    this.controller = worker;
    this.dispatchEvent(new Event('controllerchange'));
  }
}

const registration = { scope: 'https://app.test/' } as ServiceWorkerRegistration;
const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, no) => setTimeout(() => no(new Error(`no answer in ${ms} ms`)), ms))]);

afterEach(() => {
  vi.unstubAllGlobals();
});

it('a registration whose worker is replaced before it answers is posted to the new worker, and its answer taken', async () => {
  const old = new Worker();
  const container = new Container(old);
  vi.stubGlobal('navigator', { serviceWorker: container });
  const link = await connectServiceWorker({ registration });
  const registering = link.register('https://app.test/files/abc', new Uint8Array(32), { filename: 'tone.wav' });
  await new Promise((r) => setTimeout(r, 10));
  expect(old.got).toHaveLength(1); // the old worker has it, and is replaced without answering
  const next = new Worker();
  container.switchTo(next);
  await new Promise((r) => setTimeout(r, 10));
  expect(next.got.map((g) => g.message.id)).toEqual([old.got[0]?.message.id]);
  next.answer(1234);
  const url = await within(registering, 2000);
  expect(url.plaintextSize).toBe(1234);
  expect(url.url).toMatch(/^https:\/\/app\.test\/stream-v2\/[0-9a-f]{32}\/tone\.wav$/);
  old.answer(99); // the replaced worker's late answer goes nowhere (its channel was closed)
  link.close();
});

it('an answer of the worker it went to is taken as before, and a worker replaced later gets it again', async () => {
  const first = new Worker();
  const container = new Container(first);
  vi.stubGlobal('navigator', { serviceWorker: container });
  const link = await connectServiceWorker({ registration });
  const registering = link.register('https://app.test/files/abc', new Uint8Array(32));
  await new Promise((r) => setTimeout(r, 10));
  first.answer(7);
  expect((await within(registering, 2000)).plaintextSize).toBe(7);
  const next = new Worker();
  container.switchTo(next); // registered ids go to a new worker (as before this change)
  expect(next.got).toHaveLength(1);
  link.close();
});
