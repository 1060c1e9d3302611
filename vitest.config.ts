import { configDefaults, defineConfig } from 'vitest/config';
import { scaledTimeout } from './test/support/machine-speed.ts';

export default defineConfig({
  test: {
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
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/lambda/**', 'test/reliability/**'],
          // A worker runs its test files one after another in one module graph instead of a fresh
          // one per file: the suite's time went mostly to re-importing the same modules (vitest's
          // "import" figure, 89 s of a 336 s run at rest). No test here changes process-wide state
          // (process.env, chdir, vi.mock); each starts its own servers and repositories.
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'reliability',
          include: ['test/reliability/**/*.test.ts'],
          // Isolated: these bound the worker process's peak memory (hostile archives), which a
          // shared worker would carry over from the files before.
          isolate: true,
        },
      },
    ],
    // .ci/run reads this file to print the plain "N passed, N failed" line CI recognises.
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
  },
});
