import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GitHostSettings } from '../../functions/adapters/git-hosts/descriptor';
import { gitHostDescriptor } from '../../functions/adapters/git-hosts/registry';
import { type BitbucketApiServer, startBitbucketApiServer } from '../support/bitbucket-api-server';
import { SEED } from '../support/github-rig';
import { type GitLabApiServer, startGitLabApiServer } from '../support/gitlab-api-server';
import {
  type Bucket,
  ENVIRONMENT,
  PREFIX,
  runThroughQueue,
  startBucket,
} from '../support/pipeline/queue-rig';
import { type Wiring, wirePipeline } from '../support/pipeline/wiring';
import { ScenarioTally } from '../support/reliability/reliability-report';
import { bySize, RELIABILITY_SIZE } from '../support/reliability/reliability-size';
import { auditBranch } from '../support/reliability/repo-audit';
import { buildChart } from '../support/tar-fixtures';

/**
 * Scenario 4b: scenario 4's host faults on Bitbucket Cloud and GitLab, each shaped as that host sends
 * it by its stand-in (test/support/bitbucket-api-server/faults.ts, gitlab-api-server/faults.ts, with
 * their sources): 429 with its retry headers (inside and beyond the invocation's budget), 5xx (a few,
 * and for good), a lost compare-and-swap (another writer commits first: Bitbucket's 409, GitLab's
 * rejected push), a request that never gets an answer, revoked credentials. The pipeline runs through
 * the adapter the host's registry descriptor builds. Promise, as in scenario 4: every message ends
 * committed exactly once or dead-lettered with its reason, and the branch never shows a partial commit.
 */

const CHARTS_PER_CASE = bySize(1, 3);
const MAX_RECEIVES = 3;
const tally = new ScenarioTally('4b host faults: Bitbucket, GitLab');

interface Rig {
  readonly kind: 'bitbucket' | 'gitlab';
  readonly wiring: Wiring;
  /** Statuses of the requests the adapter sent (undefined: no answer). */
  readonly statuses: (number | undefined)[];
  readonly git: (...args: string[]) => Promise<string>;
  readonly reset: () => void;
  readonly validationErrors: () => readonly string[];
  close(): Promise<void>;
}

/** What every fault case may reach in either stand-in. */
type Server = Pick<BitbucketApiServer, 'failNext'> | Pick<GitLabApiServer, 'failNext'>;

interface FaultCase {
  readonly id: string;
  readonly inject: (server: Server) => void;
  readonly expected: 'committed' | 'dead-lettered';
  readonly reason?: string;
  readonly fullOnly?: boolean;
  /** Proof the fault really happened (a case whose fault never fired proves nothing). */
  readonly seen: (statuses: readonly (number | undefined)[], log: string) => boolean;
  readonly maxReceives?: number;
}

const BITBUCKET_COMMIT = 'POST /repositories/{workspace}/{repo_slug}/src';
const BITBUCKET_READ = 'GET /repositories/{workspace}/{repo_slug}/src/{commit}/{path}';
const GITLAB_COMMIT = 'POST /projects/:id/repository/commits';
const GITLAB_READ = 'POST /api/graphql';

const has = (status: number | undefined) => (statuses: readonly (number | undefined)[]) =>
  statuses.includes(status);

const bitbucketCases: readonly FaultCase[] = [
  {
    id: 'bb-429-retry-after',
    inject: (s) =>
      (s as BitbucketApiServer).failNext({
        kind: 'status',
        status: 429,
        retryAfter: 1,
        rateLimitHeaders: true,
        route: BITBUCKET_COMMIT,
      }),
    expected: 'committed',
    seen: has(429),
    maxReceives: 1,
  },
  {
    id: 'bb-429-beyond-budget',
    fullOnly: true,
    inject: (s) =>
      (s as BitbucketApiServer).failNext({
        kind: 'status',
        status: 429,
        retryAfter: 120,
        route: BITBUCKET_COMMIT,
      }),
    expected: 'committed',
    seen: has(429),
    maxReceives: 2,
  },
  {
    id: 'bb-two-502s',
    inject: (s) =>
      (s as BitbucketApiServer).failNext({ kind: 'status', status: 502, times: 2, route: BITBUCKET_READ }),
    expected: 'committed',
    seen: has(502),
    maxReceives: 1,
  },
  {
    id: 'bb-permanent-503',
    inject: (s) =>
      (s as BitbucketApiServer).failNext({
        kind: 'status',
        status: 503,
        times: Number.POSITIVE_INFINITY,
        route: BITBUCKET_COMMIT,
      }),
    expected: 'dead-lettered',
    reason: 'HOST_UNAVAILABLE',
    seen: has(503),
  },
  {
    id: 'bb-409-competing-commit',
    inject: (s) => (s as BitbucketApiServer).failNext({ kind: 'competing-commit', route: BITBUCKET_COMMIT }),
    expected: 'committed',
    seen: has(409),
    maxReceives: 1,
  },
  {
    id: 'bb-read-hangs',
    inject: (s) => (s as BitbucketApiServer).failNext({ kind: 'hang', route: BITBUCKET_READ }),
    expected: 'committed',
    seen: has(undefined),
    maxReceives: 1,
  },
  {
    id: 'bb-token-revoked-401',
    fullOnly: true,
    inject: (s) =>
      (s as BitbucketApiServer).failNext({
        kind: 'status',
        status: 401,
        times: Number.POSITIVE_INFINITY,
        route: BITBUCKET_COMMIT,
      }),
    expected: 'dead-lettered',
    reason: 'AUTH_FAILED',
    seen: has(401),
  },
];

const gitlabCases: readonly FaultCase[] = [
  {
    id: 'gl-429-retry-after',
    inject: (s) => (s as GitLabApiServer).failNext({ status: 429, retryAfter: 1, route: GITLAB_COMMIT }),
    expected: 'committed',
    seen: has(429),
    maxReceives: 1,
  },
  {
    id: 'gl-429-beyond-budget',
    fullOnly: true,
    inject: (s) => (s as GitLabApiServer).failNext({ status: 429, retryAfter: 120, route: GITLAB_COMMIT }),
    expected: 'committed',
    seen: has(429),
    maxReceives: 2,
  },
  {
    id: 'gl-two-502s',
    inject: (s) => (s as GitLabApiServer).failNext({ status: 502, times: 2, route: GITLAB_READ }),
    expected: 'committed',
    seen: has(502),
    maxReceives: 1,
  },
  {
    id: 'gl-permanent-500',
    inject: (s) =>
      (s as GitLabApiServer).failNext({ status: 500, times: Number.POSITIVE_INFINITY, route: GITLAB_COMMIT }),
    expected: 'dead-lettered',
    reason: 'HOST_UNAVAILABLE',
    seen: has(500),
  },
  {
    id: 'gl-race-competing-commit',
    inject: (s) => (s as GitLabApiServer).failNext({ kind: 'race', route: GITLAB_COMMIT }),
    expected: 'committed',
    // The other writer's commit is on the branch, below ours: the first commit attempt lost.
    seen: (_statuses, log) => log.includes('competing writer'),
    maxReceives: 1,
  },
  {
    id: 'gl-read-hangs',
    inject: (s) => (s as GitLabApiServer).failNext({ kind: 'hang', ms: 30_000, route: GITLAB_READ }),
    expected: 'committed',
    seen: has(undefined),
    maxReceives: 1,
  },
  {
    id: 'gl-token-revoked-401',
    fullOnly: true,
    inject: (s) =>
      (s as GitLabApiServer).failNext({ status: 401, times: Number.POSITIVE_INFINITY, route: GITLAB_COMMIT }),
    expected: 'dead-lettered',
    reason: 'AUTH_FAILED',
    seen: has(401),
  },
];

/** Budgets small enough for a test, large enough for a loaded machine (a slow answer is retried, harmless). */
const TUNING = { requestTimeoutMs: 3_000, maxRetryAfterSeconds: 3 };

const startRig = async (kind: Rig['kind'], bucket: Bucket): Promise<Rig & { server: Server }> => {
  const statuses: (number | undefined)[] = [];
  const onRequest = (event: { status?: number }) => statuses.push(event.status);
  const server: BitbucketApiServer | GitLabApiServer =
    kind === 'bitbucket'
      ? await startBitbucketApiServer({ seed: SEED })
      : await startGitLabApiServer({ seed: SEED });
  const settings: GitHostSettings =
    kind === 'bitbucket'
      ? {
          repository: `${(server as BitbucketApiServer).workspace}/${(server as BitbucketApiServer).repo}`,
          baseUrl: server.url,
          credentials: { kind: 'token', token: server.token },
          workDir: bucket.dir,
          tuning: { ...TUNING, backoffMs: 20, sharedCache: false, onRequest },
        }
      : {
          repository: (server as GitLabApiServer).projectPath,
          baseUrl: server.url,
          credentials: { kind: 'token', token: server.token },
          workDir: bucket.dir,
          tuning: { ...TUNING, serverErrorBackoffMs: 20, onRequest },
        };
  const { host, requests } = await gitHostDescriptor(kind).create(settings);
  const wiring = wirePipeline({ client: bucket.s3.client, host, gitHostRequests: requests });
  return {
    kind,
    server,
    wiring,
    statuses,
    git: (...args) => server.git(...args),
    reset: () => server.reset(),
    validationErrors: () => server.validationErrors(),
    close: () => server.close(),
  };
};

let bucket: Bucket;
beforeAll(async () => {
  bucket = await startBucket();
});
afterAll(async () => {
  await bucket?.close();
  await tally.finish();
});

for (const [kind, cases] of [
  ['bitbucket', bitbucketCases],
  ['gitlab', gitlabCases],
] as const) {
  describe(`reliability 4b: host faults on ${kind}`, () => {
    let rig: Rig & { server: Server };
    beforeAll(async () => {
      rig = await startRig(kind, bucket);
    });
    afterAll(() => rig?.close());

    for (const test of cases.filter((c) => RELIABILITY_SIZE === 'full' || !c.fullOnly)) {
      it(`${test.id}: ${test.expected}`, async () => {
        // Prepare
        rig.reset();
        rig.statuses.length = 0;
        rig.wiring.lines.length = 0;
        const headBefore = await rig.git('rev-parse', 'main');
        const names = Array.from({ length: CHARTS_PER_CASE }, (_, i) => `${test.id}-${i}`);
        const records = await Promise.all(
          names.map(async (name) =>
            bucket.upload(`${PREFIX}${name}-1.0.0.tgz`, await buildChart(name, '1.0.0')),
          ),
        );
        test.inject(rig.server);

        // Act
        const run = await runThroughQueue(rig.wiring, records, {
          maxReceives: MAX_RECEIVES,
          visibilityDelayMs: 100,
        });

        // Assess
        const audit = await auditBranch((...args) => rig.git(...args), 'main', ENVIRONMENT);
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
          retries: run.retries.length + rig.statuses.filter((s) => s === undefined || s >= 400).length,
        });
        const log = await rig.git('log', '--format=%s', `${headBefore}..main`);
        expect(test.seen(rig.statuses, log), JSON.stringify(rig.statuses)).toBe(true);
        expect(audit.problems).toEqual([]);
        expect(lost).toEqual([]);
        expect(rig.validationErrors()).toEqual([]);
        if (test.expected === 'committed') {
          expect(adds).toEqual(names.map(() => 1));
          expect(run.deadLetters).toEqual([]);
          expect(run.invocations).toBeLessThanOrEqual(test.maxReceives ?? MAX_RECEIVES);
          return;
        }
        expect(await rig.git('rev-parse', 'main')).toBe(headBefore);
        expect([...dead].sort()).toEqual([...keys].sort());
        expect([...new Set(run.retries.map((o) => o.code))]).toEqual([test.reason]);
      }, 90_000);
    }
  });
}
