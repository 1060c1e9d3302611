import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The Lambda-shaped run has its own command and config (vitest.lambda.config.ts).
    exclude: [...configDefaults.exclude, 'test/lambda/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests start real servers and the real helm binary: two cores, so keep forks few.
    pool: 'forks',
    maxWorkers: 2,
    // .ci/run reads this file to print the plain "N passed, N failed" line CI recognises.
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
  },
});
