/** The options the Node platform starts its workers with (src/platform/node.ts). */
import { describe, expect, it } from 'vitest';
import { WORKER_YOUNG_GENERATION_MB, workerOptions } from '../../src/platform/node.js';

describe('workerOptions', () => {
  it('gives every worker a small young generation (docs/BENCHMARKS.md, Memory by Node version)', () => {
    expect(WORKER_YOUNG_GENERATION_MB).toBeLessThanOrEqual(2);
    for (const parent of [[], ['--expose-gc'], ['--input-type=module', '--expose-gc'], ['-e', 'code']]) {
      expect(workerOptions(parent).resourceLimits).toEqual({ maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB });
    }
  });

  it("inherits the parent's flags implicitly, or lists them without those describing the parent's entry", () => {
    expect(workerOptions(['--expose-gc']).execArgv).toBeUndefined();
    expect(workerOptions(['--input-type=module', '--expose-gc']).execArgv).toEqual(['--expose-gc']);
    expect(workerOptions(['--eval', 'x', '--trace-gc']).execArgv).toEqual(['--trace-gc']);
  });
});
