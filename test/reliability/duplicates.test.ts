import path from 'node:path';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureClusterRepository } from '../../functions/local/cluster-repository';
import { handleSqsBatch } from '../../functions/pipeline/handle-sqs-batch';
import { runGit } from '../support/bare-repo';
import {
  BRANCH,
  type Bucket,
  ENVIRONMENT,
  PREFIX,
  redelivered,
  runThroughQueue,
  startBucket,
  type Wiring,
  wirePipeline,
} from '../support/pipeline/queue-rig';
import { ScenarioTally } from '../support/reliability/reliability-report';
import { bySize } from '../support/reliability/reliability-size';
import { auditBranch } from '../support/reliability/repo-audit';
import { buildChart } from '../support/tar-fixtures';

/**
 * Scenario 2: S3 notifications and SQS are at-least-once, so the same object arrives more than
 * once: in one batch, across batches, and in batches that run at the same time. Promise: one commit
 * per chart version, every delivery answered (promoted, or unchanged), nothing retried forever.
 */

const DELIVERIES = 5;
const CHARTS_PER_ROUND = bySize(2, 8);
const tally = new ScenarioTally('2 duplicates');
let bucket: Bucket;

beforeAll(async () => {
  bucket = await startBucket();
});
afterAll(async () => {
  await bucket.close();
  await tally.finish();
});

interface Round {
  readonly wiring: Wiring;
  readonly git: (...args: string[]) => Promise<string>;
  /** One record per chart (the first delivery). */
  readonly records: readonly SQSRecord[];
  readonly names: readonly string[];
}

const newRound = async (label: string): Promise<Round> => {
  const repo = path.join(bucket.dir, `${label}.git`);
  const host = await ensureClusterRepository(repo, BRANCH);
  const wiring = wirePipeline({ client: bucket.s3.client, host });
  const names = Array.from({ length: CHARTS_PER_ROUND }, (_, i) => `${label}-${i}`);
  const records = await Promise.all(
    names.map(async (name, i) =>
      bucket.upload(
        `${PREFIX}${name}-1.0.0.tgz`,
        await buildChart(name, '1.0.0'),
        i % 2 === 0 ? 's3-notification' : 'eventbridge',
      ),
    ),
  );
  return { wiring, git: (...args) => runGit(repo, ['--git-dir', repo, ...args]), records, names };
};

/** The same record as 5 distinct messages (S3 sent the notification again). */
const copies = (record: SQSRecord): SQSRecord[] => [
  record,
  ...Array.from({ length: DELIVERIES - 1 }, () => redelivered(record)),
];

const assessRound = async (round: Round, deliveries: number, answered: number, failures: number) => {
  const audit = await auditBranch(round.git, BRANCH, ENVIRONMENT);
  const adds = round.names.map((name) => audit.chartAdds.get(`${name}@1.0.0`) ?? 0);
  const conflicts = round.wiring.metrics.total('CommitConflictsRetried');
  tally.add({
    cases: deliveries,
    committed: adds.filter((n) => n === 1).length,
    ignored: answered - round.names.length,
    lost: deliveries - answered,
    duplicated: adds.reduce((sum, n) => sum + Math.max(0, n - 1), 0),
    retries: conflicts,
  });
  expect(audit.problems).toEqual([]);
  expect(adds).toEqual(round.names.map(() => 1));
  expect(answered).toBe(deliveries);
  expect(failures).toBe(0);
};

describe('reliability 2: duplicates', () => {
  it('the same object 5 times in one batch makes one commit', async () => {
    // Prepare
    const round = await newRound('dup-one-batch');
    const batch = round.records.flatMap(copies);

    // Act
    const { response, outcomes } = await handleSqsBatch(
      { Records: batch },
      round.wiring.deps,
      round.wiring.settings,
    );

    // Assess
    const answered = outcomes.filter((o) => o.status === 'promoted').length;
    await assessRound(round, batch.length, answered, response.batchItemFailures.length);
    expect(new Set(outcomes.map((o) => o.commit)).size).toBe(1);
  });

  it('the same object in 5 successive batches makes one commit, then nothing', async () => {
    // Prepare
    const round = await newRound('dup-successive');
    const deliveries = round.records.map(copies);

    // Act
    const statuses: string[] = [];
    let failures = 0;
    for (let n = 0; n < DELIVERIES; n += 1) {
      const { response, outcomes } = await handleSqsBatch(
        { Records: deliveries.map((d) => d[n]!) },
        round.wiring.deps,
        round.wiring.settings,
      );
      statuses.push(...outcomes.map((o) => o.status));
      failures += response.batchItemFailures.length;
    }

    // Assess
    await assessRound(round, statuses.length, statuses.length, failures);
    expect(statuses.filter((s) => s === 'promoted')).toHaveLength(round.names.length);
    expect(statuses.filter((s) => s === 'unchanged')).toHaveLength(round.names.length * (DELIVERIES - 1));
  });

  it('the same object in 5 batches running at once makes one commit (the race is lost, not doubled)', async () => {
    // Prepare
    const round = await newRound('dup-concurrent');
    const deliveries = round.records.map(copies);

    // Act
    const results = await Promise.all(
      Array.from({ length: DELIVERIES }, (_, n) =>
        handleSqsBatch({ Records: deliveries.map((d) => d[n]!) }, round.wiring.deps, round.wiring.settings),
      ),
    );

    // Assess
    const outcomes = results.flatMap((r) => r.outcomes);
    const answered = outcomes.filter((o) => o.status === 'promoted' || o.status === 'unchanged').length;
    const failures = results.reduce((sum, r) => sum + r.response.batchItemFailures.length, 0);
    await assessRound(round, outcomes.length, answered, failures);
  });

  it('through the queue (batches of 3, shuffled copies) every delivery is answered and each chart committed once', async () => {
    // Prepare
    const round = await newRound('dup-queue');
    const all = round.records.flatMap(copies);
    const shuffled = all
      .map((record, i) => ({ record, key: (i * 7919) % 101 }))
      .sort((a, b) => a.key - b.key);

    // Act
    const run = await runThroughQueue(
      round.wiring,
      shuffled.map((s) => s.record),
      { batchSize: 3, batchingWindowMs: 20 },
    );

    // Assess
    await assessRound(round, all.length, run.outcomes.length, run.deadLetters.length);
    tally.add({ retries: run.retries.length });
  });
});
