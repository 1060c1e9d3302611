import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchResult } from '../../functions/pipeline/handle-sqs-batch';
import { type GitHubRig, ROUTES, startGitHubRig } from '../support/github-rig';
import {
  type Bucket,
  ENVIRONMENT,
  PREFIX,
  type QueueRun,
  runThroughQueue,
  startBucket,
} from '../support/pipeline/queue-rig';
import { ScenarioTally } from '../support/reliability/reliability-report';
import { bySize, RELIABILITY_SIZE } from '../support/reliability/reliability-size';
import { auditBranch } from '../support/reliability/repo-audit';
import { buildChart } from '../support/tar-fixtures';

/**
 * Scenario 4: the GitHub host misbehaving the ways GitHub does — secondary and primary rate limits
 * with retry-after, 502s, a hung API (the invocation times out), connections dropped before the
 * request arrives and after the server acted. Promise: every message ends committed or in the
 * dead-letter path with its reason, and the branch never shows a partial commit.
 */

const CHARTS_PER_CASE = bySize(1, 3);
const MAX_RECEIVES = 3;
const tally = new ScenarioTally('4 host faults');
let bucket: Bucket;
/** One server for the file (it costs ~1 s to start); each case uses its own charts and resets faults. */
let rig: GitHubRig;

beforeAll(async () => {
  bucket = await startBucket();
  rig = await startGitHubRig({ s3: bucket.s3.client });
});
afterAll(async () => {
  await rig?.close();
  await bucket?.close();
  await tally.finish();
});

type Expected = 'committed' | 'dead-lettered';

interface FaultCase {
  readonly id: string;
  readonly inject: (rig: GitHubRig) => void;
  readonly expected: Expected;
  /** Code of the last retry of a dead-lettered message (its reason, as logged). */
  readonly reason?: string;
  /** Run in the full size only (the quick size keeps one case per kind of fault). */
  readonly fullOnly?: boolean;
  /** Proof the fault really happened (a test whose fault never fired proves nothing). */
  readonly seen: (rig: GitHubRig, run: QueueRun) => boolean;
  /** Deliveries that may be needed before the commit (1 = the client's own retries sufficed). */
  readonly maxReceives?: number;
  readonly invoke?: (
    rig: GitHubRig,
    background: Promise<unknown>[],
  ) => (records: SQSRecord[], run: () => Promise<BatchResult>) => Promise<SQSBatchResponse>;
}

/** Lambda's timeout: SQS sees the invocation fail, but the process may have sent requests already. */
const hungFirstInvocation =
  (rig: GitHubRig, background: Promise<unknown>[]) =>
  async (records: SQSRecord[], run: () => Promise<BatchResult>): Promise<SQSBatchResponse> => {
    const first = records.some((r) => r.attributes.ApproximateReceiveCount === '1');
    const running = run();
    background.push(running.catch(() => undefined));
    if (!first) return (await running).response;
    rig.server.setLatency(2_500);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        running.then((r) => r.response),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            rig.server.setLatency(0);
            reject(new Error('Task timed out after 1.00 seconds'));
          }, 1_000);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  };

const CASES: readonly FaultCase[] = [
  {
    id: 'secondary-rate-limit-403-retry-after',
    seen: (rig) => rig.requests.some((r) => r.status === 403),
    inject: (rig) => rig.server.failNext({ route: ROUTES.createTree, status: 403, retryAfter: 1 }),
    expected: 'committed',
    maxReceives: 1,
  },
  {
    id: 'secondary-rate-limit-429-on-graphql',
    fullOnly: true,
    seen: (rig) => rig.requests.some((r) => r.status === 429),
    inject: (rig) => rig.server.failNext({ route: ROUTES.graphql, status: 429, retryAfter: 1 }),
    expected: 'committed',
    maxReceives: 1,
  },
  {
    id: 'primary-rate-limit-403-reset',
    fullOnly: true,
    seen: (rig) => rig.requests.some((r) => r.status === 403),
    inject: (rig) =>
      rig.server.failNext({ route: ROUTES.createCommit, status: 403, kind: 'primary', retryAfter: 1 }),
    expected: 'committed',
    maxReceives: 1,
  },
  {
    id: 'retry-after-beyond-invocation-budget',
    seen: (rig) => rig.requests.some((r) => r.status === 429),
    inject: (rig) => rig.server.failNext({ route: ROUTES.updateRef, status: 429, retryAfter: 120 }),
    expected: 'committed',
    maxReceives: 2,
  },
  {
    id: 'two-502s',
    fullOnly: true,
    seen: (rig) => rig.requests.some((r) => r.status === 502),
    inject: (rig) => rig.server.failNext({ route: ROUTES.createCommit, status: 502, times: 2 }),
    expected: 'committed',
    maxReceives: 1,
  },
  {
    id: '502-until-the-retries-run-out',
    seen: (rig) => rig.requests.some((r) => r.status === 502),
    inject: (rig) => rig.server.failNext({ route: ROUTES.updateRef, status: 502, times: 4 }),
    expected: 'committed',
    maxReceives: 2,
  },
  {
    id: 'permanent-502',
    seen: (rig) => rig.requests.some((r) => r.status === 502),
    inject: (rig) =>
      rig.server.failNext({ route: ROUTES.updateRef, status: 502, times: Number.POSITIVE_INFINITY }),
    expected: 'dead-lettered',
    reason: 'HOST_UNAVAILABLE',
  },
  {
    id: 'permission-revoked-403',
    seen: (rig) => rig.requests.some((r) => r.status === 403),
    inject: (rig) =>
      rig.server.failNext({
        route: ROUTES.createTree,
        status: 403,
        kind: 'forbidden',
        times: Number.POSITIVE_INFINITY,
      }),
    expected: 'dead-lettered',
    reason: 'AUTH_FAILED',
  },
  {
    id: 'connection-dropped-before-request',
    seen: (rig) => rig.proxy.exchanges().some((e) => e.fault === 'drop-request'),
    inject: (rig) =>
      rig.proxy.inject({ method: 'POST', path: /\/git\/trees$/, fault: { kind: 'drop-request' } }),
    expected: 'committed',
    maxReceives: 1,
  },
  {
    id: 'connection-dropped-after-update-ref',
    seen: (rig) => rig.proxy.exchanges().some((e) => e.fault === 'drop-response'),
    inject: (rig) =>
      rig.proxy.inject({ method: 'PATCH', path: /\/git\/refs\//, fault: { kind: 'drop-response' } }),
    expected: 'committed',
    maxReceives: 2,
  },
  {
    id: 'connection-dropped-after-create-commit',
    fullOnly: true,
    seen: (rig) => rig.proxy.exchanges().some((e) => e.fault === 'drop-response'),
    inject: (rig) =>
      rig.proxy.inject({ method: 'POST', path: /\/git\/commits$/, fault: { kind: 'drop-response' } }),
    expected: 'committed',
    maxReceives: 1,
  },
  {
    id: 'api-hangs-invocation-times-out',
    seen: (_rig, run) => run.invocations >= 2,
    inject: () => {},
    invoke: hungFirstInvocation,
    expected: 'committed',
    maxReceives: 2,
  },
];

const clientRetries = (rig: GitHubRig): number =>
  rig.requests.filter(
    (r) => r.status === undefined || r.status >= 500 || r.status === 403 || r.status === 429,
  ).length;

const assessCase = async (test: FaultCase, names: readonly string[], run: QueueRun, headBefore: string) => {
  const audit = await auditBranch((...args) => rig.server.git(...args), 'main', ENVIRONMENT);
  const adds = names.map((name) => audit.chartAdds.get(`${name}@1.0.0`) ?? 0);
  const finals = new Set(run.outcomes.map((o) => o.key));
  const dead = new Set(
    run.deadLetters.map((d) => JSON.parse(d.record.body).Records?.[0]?.s3?.object?.key as string),
  );
  const keys = names.map((name) => `${PREFIX}${name}-1.0.0.tgz`);
  const lost = keys.filter((key) => !finals.has(key) && !dead.has(key));
  tally.add({
    cases: names.length,
    committed: adds.filter((n) => n === 1).length,
    deadLettered: dead.size,
    lost: lost.length,
    duplicated: adds.reduce((sum, n) => sum + Math.max(0, n - 1), 0),
    retries: run.retries.length + clientRetries(rig),
  });

  expect(test.seen(rig, run)).toBe(true);
  expect(audit.problems).toEqual([]);
  expect(lost).toEqual([]);
  expect(rig.server.validationErrors()).toEqual([]);
  if (test.expected === 'committed') {
    expect(adds).toEqual(names.map(() => 1));
    expect(run.deadLetters).toEqual([]);
    // All charts of a case travel in one batch: invocations = deliveries of that batch.
    expect(run.invocations).toBeLessThanOrEqual(test.maxReceives ?? MAX_RECEIVES);
    return;
  }
  // Dead-lettered: the branch did not move, and the reason is known and logged.
  expect(await rig.server.git('rev-parse', 'main')).toBe(headBefore);
  expect([...dead].sort()).toEqual([...keys].sort());
  const reasons = new Set(run.retries.map((o) => o.code));
  expect([...reasons]).toEqual([test.reason]);
  expect(rig.wiring.lines.some((line) => line.includes(`will retry`) && line.includes(test.reason!))).toBe(
    true,
  );
};

describe('reliability 4: host faults', () => {
  for (const test of CASES.filter((c) => RELIABILITY_SIZE === 'full' || !c.fullOnly)) {
    it(`${test.id}: ${test.expected}`, async () => {
      // Prepare
      rig.server.reset();
      rig.server.setLatency(0);
      rig.proxy.clear();
      rig.requests.length = 0;
      rig.wiring.lines.length = 0;
      const headBefore = await rig.server.git('rev-parse', 'main');
      const background: Promise<unknown>[] = [];
      try {
        const names = Array.from({ length: CHARTS_PER_CASE }, (_, i) =>
          `${test.id.slice(0, 40)}-${i}`.replace(/-+$/, ''),
        );
        const records = await Promise.all(
          names.map(async (name) =>
            bucket.upload(`${PREFIX}${name}-1.0.0.tgz`, await buildChart(name, '1.0.0')),
          ),
        );
        test.inject(rig);

        // Act
        const run = await runThroughQueue(rig.wiring, records, {
          maxReceives: MAX_RECEIVES,
          visibilityDelayMs: 100,
          ...(test.invoke ? { invoke: test.invoke(rig, background) } : {}),
        });
        await Promise.all(background);

        // Assess
        await assessCase(test, names, run, headBefore);
      } finally {
        await Promise.all(background);
      }
    }, 60_000);
  }
});
