import { defineConfig } from 'vitest/config';

/**
 * `npm run test:lambda`: the bundles `cdk synth` builds, run as Lambda runs them (test/lambda). Kept
 * out of `npm test`: it synthesizes the app (~15 s) and needs bubblewrap (.ci/run installs it).
 */
export default defineConfig({
  test: {
    include: ['test/lambda/**/*.test.ts'],
    globalSetup: ['test/lambda/support/lambda-global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 1,
    // .ci/run adds these counts to the main run's for its "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: '.vitest-lambda-results.json' }]],
  },
});
