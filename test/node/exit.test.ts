/** A Node process that used the default pool exits on its own when its streams are done. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

// Workers inherit the parent's flags: entry flags (--input-type, -e) must be dropped, and V8
// flags (--expose-gc) must not make Node refuse to start them.
it.each([[[]], [['--expose-gc']], [['--enable-source-maps', '--expose-gc']]])(
  'exits by itself after using the default pool (package self-reference import, flags %j)',
  (flags: string[]) => {
    const script = `
    import { EncryptSegmentTransform, DecryptSegmentTransform } from 'stream-v2';
    const key = new Uint8Array(32);
    const chunks = [];
    await new Blob([new Uint8Array(3 << 20)]).stream()
      .pipeThrough(new EncryptSegmentTransform(key))
      .pipeThrough(new DecryptSegmentTransform(key))
      .pipeTo(new WritableStream({ write(c) { chunks.push(c.length); } }));
    console.log('done', chunks.length);
  `;
    const started = Date.now();
    const r = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', script], {
      cwd: root,
      timeout: 20_000,
    });
    expect(r.stderr.toString()).toBe('');
    expect(r.stdout.toString().trim()).toBe('done 3');
    expect(r.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  },
);
