/**
 * Loopback HTTP servers for the httpRangeSource tests: an honest single-range answer to build
 * on, and a route table so that each test can misbehave in its own way. 127.0.0.1 only: the
 * tests never reach the network.
 */
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How one route answers. */
export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A server on 127.0.0.1 whose routes the test sets; `close` also drops stalled connections. */
export interface TestServer {
  readonly base: string;
  readonly routes: Map<string, Handler>;
  /** The request headers of every request, in order (to check what the client sent). */
  readonly seen: Array<IncomingMessage['headers']>;
  close(): Promise<void>;
}

/** Starts a {@link TestServer}. */
export async function startServer(): Promise<TestServer> {
  const routes = new Map<string, Handler>();
  const seen: Array<IncomingMessage['headers']> = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    const route = routes.get(req.url ?? '');
    if (route) route(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    routes,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The `[start, end]` (inclusive) of a `Range: bytes=a-b` request, or undefined. */
export function rangeOf(req: IncomingMessage): [number, number] | undefined {
  const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** Answers the request's range of `body` as RFC 9110 §14 says (206), with `headers` added. */
export function answerRange(
  req: IncomingMessage,
  res: ServerResponse,
  body: Uint8Array,
  headers: OutgoingHttpHeaders = {},
): void {
  const range = rangeOf(req);
  if (!range) {
    res.writeHead(200, { ...headers, 'content-length': body.length }).end(body);
    return;
  }
  const [a, wanted] = range;
  const b = Math.min(wanted, body.length - 1);
  const part = body.subarray(a, b + 1);
  res.writeHead(206, { ...headers, 'content-range': `bytes ${a}-${b}/${body.length}`, 'content-length': part.length });
  res.end(part);
}

/** The object's size probe (`bytes=0-0`) answered honestly, every other request by `then`. */
export function probeThen(body: Uint8Array, then: Handler, headers: OutgoingHttpHeaders = {}): Handler {
  return (req, res) => (req.headers.range === 'bytes=0-0' ? answerRange(req, res, body, headers) : then(req, res));
}

/** Milliseconds a promise took to settle, and the StreamV2Error code it rejected with. */
export async function timed(p: Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const started = performance.now();
  try {
    await p;
    return { ms: performance.now() - started, error: undefined };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}
