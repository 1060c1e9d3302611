import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalRuntime } from '../../functions/local/local-runtime';
import type { UploadOutcome } from '../../functions/pipeline/upload-outcome';
import { commitFile, runGit } from '../support/bare-repo';
import { scaledTimeout } from '../support/machine-speed';
import { ScenarioTally } from '../support/reliability/reliability-report';
import { bySize } from '../support/reliability/reliability-size';
import { auditBranch } from '../support/reliability/repo-audit';
import { buildChart } from '../support/tar-fixtures';

/**
 * Scenario 3: many distinct charts uploaded at once through the embedded local runtime (s3rver →
 * LocalQueue batches running in parallel → the real handler → the bare cluster repository), while
 * another writer commits to the same branch with the git CLI as fast as it can. Promise: every
 * upload committed, none twice, the history linear, every commit complete.
 */

const UPLOADS = bySize(12, 50);
/**
 * Between two competing commits (plus ~100-200 ms of git CLI work each): a very busy CI pushing to the
 * cluster repository. Much faster (a commit every ~150 ms), on two loaded cores, a snapshot-plan-swap
 * attempt mostly loses the race: 10 attempts run out (COMMIT_CONTENDED) and the batch is redelivered,
 * again and again (measured: 12 uploads took 55 s and 3 deliveries; with no pause, none got through in 60 s).
 */
const COMPETING_PAUSE_MS = 500;
const tally = new ScenarioTally('3 concurrency');
afterAll(() => tally.finish());

const waitFor = async (done: () => boolean, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`not done within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('reliability 3: concurrency', () => {
  it(
    `${UPLOADS} simultaneous uploads with a competing git writer: all committed once, linear history`,
    async () => {
      // Prepare
      const workdir = await mkdtemp(path.join(tmpdir(), 'reliability-concurrency-'));
      const outcomes: UploadOutcome[] = [];
      const runtime = await startLocalRuntime({
        workdir,
        queue: { batchingWindowMs: 100, visibilityDelayMs: 200, maxReceives: 5 },
        onOutcomes: (batch) => outcomes.push(...batch),
      });
      const git = (...args: string[]) =>
        runGit(runtime.clusterRepo, ['--git-dir', runtime.clusterRepo, ...args]);
      const names = Array.from({ length: UPLOADS }, (_, i) => `svc-${String(i).padStart(2, '0')}`);
      const archives = await Promise.all(names.map((name) => buildChart(name, '1.0.0')));
      let competing = 0;
      let writing = true;
      const competitor = (async () => {
        while (writing) {
          await commitFile(
            runtime.clusterRepo,
            runtime.branch,
            `competing/${competing}.txt`,
            `${competing}\n`,
          ).then(
            () => {
              competing += 1;
            },
            // Lost the compare-and-swap to the pipeline: that is the race, try again.
            () => undefined,
          );
          await new Promise((resolve) => setTimeout(resolve, COMPETING_PAUSE_MS));
        }
      })();

      try {
        // Act
        await Promise.all(
          names.map((name, i) =>
            runtime.s3.client.send(
              new PutObjectCommand({
                Bucket: runtime.bucket,
                Key: `${runtime.prefix}${name}-1.0.0.tgz`,
                Body: archives[i],
              }),
            ),
          ),
        );
        const deadLetterCount = async () =>
          (await readFile(runtime.deadLetters, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
        await waitFor(() => outcomes.length >= UPLOADS, scaledTimeout(bySize(60_000, 240_000))).catch(
          async (error: unknown) => {
            const log = (await readFile(runtime.logFile, 'utf8').catch(() => ''))
              .split('\n')
              .slice(-5)
              .join('\n');
            throw new Error(
              `${String(error)}: ${outcomes.length} outcomes, ${await deadLetterCount()} dead letters\n${log}`,
            );
          },
        );
        await runtime.idle();
        writing = false;
        await competitor;

        // Assess
        const audit = await auditBranch(git, runtime.branch, runtime.environment);
        const promoted = outcomes.filter((o) => o.status === 'promoted');
        const adds = names.map((name) => audit.chartAdds.get(`${name}@1.0.0`) ?? 0);
        const pipelineCommits = new Set(promoted.map((o) => o.commit)).size;
        const conflicts = runtime.metrics.total('CommitConflictsRetried');
        const redeliveries = runtime.metrics.total('UploadsRetried');
        const deadLetters = await deadLetterCount();
        tally.add({
          cases: UPLOADS,
          committed: adds.filter((n) => n === 1).length,
          deadLettered: deadLetters,
          lost: UPLOADS - outcomes.length - deadLetters,
          duplicated: adds.reduce((sum, n) => sum + Math.max(0, n - 1), 0),
          retries: conflicts + redeliveries,
        });
        tally.note(
          `${pipelineCommits} pipeline commits for ${UPLOADS} uploads, ${competing} competing git CLI commits interleaved, ` +
            `${conflicts} commit conflicts re-planned, ${redeliveries} redeliveries, ${audit.commits.length} commits on the branch`,
        );

        expect(audit.problems).toEqual([]);
        expect(audit.merges).toBe(0);
        expect(promoted.map((o) => o.chart).sort()).toEqual(names);
        expect(adds).toEqual(names.map(() => 1));
        expect(deadLetters).toBe(0);
        expect(competing).toBeGreaterThan(0);
        // Every pipeline commit and every competing commit is on the branch (nothing was overwritten).
        expect(audit.commits.length).toBe(1 + pipelineCommits + competing);
      } finally {
        writing = false;
        await competitor;
        await runtime.close();
        await rm(workdir, { recursive: true, force: true });
      }
    },
    scaledTimeout(bySize(120_000, 400_000)),
  );
});
