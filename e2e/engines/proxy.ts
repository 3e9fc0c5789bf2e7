/**
 * A loopback HTTP proxy in front of the demo server that can cut the network mid-upload, for the
 * resume test in engines without DevTools network emulation (e2e/demo.spec.ts uses Chromium's):
 * unthrottled on loopback a small upload is over before a test could catch it halfway. The page is
 * loaded through the proxy, so every request of the page and its Service Worker goes through it;
 * the browser itself is not told anything (no driver feature is needed).
 */
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface CuttingProxy {
  /** http://127.0.0.1:<port>: the demo, through the proxy. */
  url: string;
  /**
   * The next PATCH passes `bytes` of its body to the server, then the network is cut: that
   * request's connections are dropped, and so is every request after it until {@link online}.
   * Resolves when the cut happened.
   */
  cutNextPatch(bytes: number): Promise<void>;
  /** Requests pass again. */
  online(): void;
  close(): Promise<void>;
}

export async function startProxy(target: string): Promise<CuttingProxy> {
  const to = new URL(target);
  let offline = false;
  let cut: { bytes: number; done: () => void } | undefined;
  const sockets = new Set<Socket>();

  const pass = (req: IncomingMessage, res: ServerResponse) => {
    if (offline) return void req.socket.destroy();
    const up = request({
      host: to.hostname,
      port: to.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
    });
    up.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.on('error', () => req.socket.destroy());
    res.on('close', () => {
      if (!res.writableFinished) up.destroy(); // the page went away mid-answer: so does the request
    });
    const armed = req.method === 'PATCH' ? cut : undefined;
    if (!armed) return void req.pipe(up);
    cut = undefined;
    let sent = 0;
    req.on('data', (chunk: Buffer) => {
      if (offline) return;
      const part = chunk.subarray(0, Math.max(0, armed.bytes - sent));
      sent += part.length;
      if (sent < armed.bytes) return void up.write(part);
      offline = true;
      req.socket.destroy();
      // Handed to the server's socket, then dropped: the server keeps what it received of a body cut short.
      up.write(part, () => {
        up.destroy();
        armed.done();
      });
    });
    req.on('end', () => up.end());
  };

  const server = createServer(pass);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    cutNextPatch: (bytes) =>
      new Promise<void>((done) => {
        cut = { bytes, done };
      }),
    online() {
      offline = false;
    },
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        server.close(() => ok());
      }),
  };
}
