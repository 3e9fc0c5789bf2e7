/** docs/FORMAT.md, shipped in the npm package, is the normative spec word for word. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const spec = fileURLToPath(new URL('../../../shared/spec/stream_v2.md', import.meta.url));
const copy = fileURLToPath(new URL('../../docs/FORMAT.md', import.meta.url));

it.skipIf(!existsSync(spec))('docs/FORMAT.md equals ../shared/spec/stream_v2.md', () => {
  expect(readFileSync(copy, 'utf8')).toBe(readFileSync(spec, 'utf8'));
});
