import { configDefaults, defineConfig } from 'vitest/config';
import { scaledTimeout } from './test/support/machine-speed.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The Lambda-shaped run has its own command and config (vitest.lambda.config.ts).
    exclude: [...configDefaults.exclude, 'test/lambda/**'],
    // Figures at rest, scaled once at start by how much slower the machine runs (load average per
    // core, or a timed piece of CPU work): tests wait on conditions, and a loaded machine only makes
    // them slower, never wrong.
    testTimeout: scaledTimeout(60_000),
    hookTimeout: scaledTimeout(120_000),
    // Integration tests start real servers and the real helm binary: two cores, so keep forks few.
    pool: 'forks',
    maxWorkers: 2,
    // .ci/run reads this file to print the plain "N passed, N failed" line CI recognises.
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
  },
});
