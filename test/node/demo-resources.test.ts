/**
 * The demo server's resources under load (issue 20, F4 and F5): aborted downloads close their
 * file, and /api/stats stays small however many (and however odd) requests it has seen.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abortedGet, type DemoServer, eventually, openDescriptors, startServer, upload } from './demo-harness.js';

describe('demo server: aborted downloads (F4)', () => {
  let server: DemoServer;
  let id: string;
  let stored: string;

  beforeAll(async () => {
    server = await startServer();
    // Larger than what loopback socket buffers take at once, so each answer is cut mid-file.
    id = await upload(server.url, randomBytes(16 * 1024 * 1024));
    stored = join(server.data, id);
  });
  afterAll(() => server?.stop());

  it('200 downloads cut by the client (whole and ranged) leave no descriptor open on the stored file', async () => {
    const baseline = openDescriptors(server.pid, stored);
    expect(baseline).toBe(0);
    const url = `${server.url}/files/${id}`;
    for (let round = 0; round < 20; round++) {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          abortedGet(url, i % 2 ? { Range: `bytes=${1000 * i}-` } : i % 4 ? {} : { Range: 'bytes=-8000000' }),
        ),
      );
    }
    const back = await eventually(() => openDescriptors(server.pid, stored) === baseline);
    expect(openDescriptors(server.pid, stored), 'descriptors still open on the stored file').toBe(baseline);
    expect(back).toBe(true);
    expect(server.output()).not.toContain('download '); // a cut download is no error to log
    // And the server still answers.
    expect((await fetch(`${url}`, { headers: { Range: 'bytes=0-9' } })).status).toBe(206);
  });
});
