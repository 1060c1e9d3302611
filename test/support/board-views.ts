import type {
  PromotionBoardView,
  ReleaseRecord,
  ReleaseState,
  RunSummary,
} from '../../functions/ports/release-ledger';

/**
 * Promotion board views for the tests, the benchmark and the README screenshot: one shaped like the
 * demo's (its two sample charts plus a few more, every state present), a large generated one, and
 * one made of hostile strings.
 */

const MINUTE = 60_000;
const at = (now: Date, minutesAgo: number): string =>
  new Date(now.getTime() - minutesAgo * MINUTE).toISOString();
const sha = (seed: number): string =>
  Array.from({ length: 40 }, (_, i) => ((seed * 7919 + i * 104729) % 16).toString(16)).join('');

interface RecordSpec {
  readonly chart: string;
  readonly environment: string;
  readonly version: string;
  readonly state: ReleaseState;
  readonly minutesAgo: number;
  readonly leadMs?: number;
  readonly extra?: Partial<ReleaseRecord>;
}

const record = (now: Date, spec: RecordSpec, n: number): ReleaseRecord => ({
  chart: spec.chart,
  environment: spec.environment,
  version: spec.version,
  state: spec.state,
  since: at(now, spec.minutesAgo),
  committedAt: at(now, spec.minutesAgo + (spec.leadMs ?? 60_000) / MINUTE),
  ...(spec.state === 'converged' ? { convergedAt: at(now, spec.minutesAgo) } : {}),
  ...(spec.leadMs === undefined ? {} : { leadTimeMs: spec.leadMs }),
  runId: `0ead205f-${String(n).padStart(4, '0')}-4c1e-9d2a-1b2c3d4e5f60`,
  commit: sha(n + 1),
  revision: 1 + (n % 4),
  ...spec.extra,
});

/** The demo's charts after `demo` (dev and staging converged, prod proposed) and a few neighbours. */
export const demoLikeView = (now = new Date('2026-12-01T10:30:00Z')): PromotionBoardView => {
  const pr = (chart: string, version: string, number: number) => ({
    pullRequest: {
      number,
      url: `https://github.com/example-org/cluster-config/pull/${number}`,
      branch: `promote/prod/${chart}-${version}`,
    },
  });
  const specs: RecordSpec[] = [
    {
      chart: 'hello-web',
      environment: 'dev',
      version: '1.0.0',
      state: 'converged',
      minutesAgo: 42,
      leadMs: 48_000,
    },
    {
      chart: 'hello-web',
      environment: 'staging',
      version: '1.0.0',
      state: 'converged',
      minutesAgo: 31,
      leadMs: 11 * MINUTE + 4_000,
    },
    {
      chart: 'hello-web',
      environment: 'prod',
      version: '1.0.0',
      state: 'proposed',
      minutesAgo: 30,
      extra: pr('hello-web', '1.0.0', 128),
    },
    {
      chart: 'hello-worker',
      environment: 'dev',
      version: '0.3.1',
      state: 'converged',
      minutesAgo: 42,
      leadMs: 52_000,
    },
    {
      chart: 'hello-worker',
      environment: 'staging',
      version: '0.3.1',
      state: 'converged',
      minutesAgo: 30,
      leadMs: 12 * MINUTE,
    },
    {
      chart: 'hello-worker',
      environment: 'prod',
      version: '0.3.1',
      state: 'proposed',
      minutesAgo: 29,
      extra: pr('hello-worker', '0.3.1', 129),
    },
    {
      chart: 'billing-api',
      environment: 'dev',
      version: '2.4.0',
      state: 'failed',
      minutesAgo: 6,
      extra: { reason: 'UpgradeFailed', previousVersion: '2.3.2' },
    },
    {
      chart: 'billing-api',
      environment: 'staging',
      version: '2.3.2',
      state: 'converged',
      minutesAgo: 2 * 1440,
      leadMs: 9 * MINUTE,
    },
    {
      chart: 'billing-api',
      environment: 'prod',
      version: '2.3.2',
      state: 'converged',
      minutesAgo: 1440 + 200,
      leadMs: 26 * MINUTE,
    },
    {
      chart: 'checkout',
      environment: 'dev',
      version: '5.12.0',
      state: 'committed',
      minutesAgo: 3,
      extra: { deadline: at(now, -12) },
    },
    {
      chart: 'checkout',
      environment: 'staging',
      version: '5.11.3',
      state: 'converged',
      minutesAgo: 300,
      leadMs: 7 * MINUTE + 30_000,
    },
    {
      chart: 'checkout',
      environment: 'prod',
      version: '5.11.3',
      state: 'converged',
      minutesAgo: 240,
      leadMs: 19 * MINUTE,
    },
    {
      chart: 'ingress-gateway',
      environment: 'dev',
      version: '0.9.4',
      state: 'not-converged',
      minutesAgo: 17,
      extra: { reason: 'DEADLINE' },
    },
    {
      chart: 'ingress-gateway',
      environment: 'staging',
      version: '0.9.3',
      state: 'converged',
      minutesAgo: 3 * 1440,
      leadMs: 6 * MINUTE,
    },
    {
      chart: 'search-indexer',
      environment: 'dev',
      version: '3.0.1',
      state: 'converged',
      minutesAgo: 95,
      leadMs: 61_000,
    },
    {
      chart: 'search-indexer',
      environment: 'staging',
      version: '3.0.0',
      state: 'rolled-back',
      minutesAgo: 80,
      extra: { reason: 'TestFailed', previousVersion: '3.0.1' },
    },
    {
      chart: 'search-indexer',
      environment: 'prod',
      version: '3.0.0',
      state: 'converged',
      minutesAgo: 6 * 1440,
      leadMs: 33 * MINUTE,
    },
  ];
  const releases = specs.map((spec, n) => record(now, spec, n));
  const run = (minutesAgo: number, fields: Omit<RunSummary, 'at'>): RunSummary => ({
    at: at(now, minutesAgo),
    ...fields,
  });
  const runs: RunSummary[] = [
    run(3, {
      kind: 'upload',
      chart: 'checkout',
      version: '5.12.0',
      environment: 'dev',
      status: 'promoted',
      commit: sha(40),
      source: 's3://charts/incoming/checkout-5.12.0.tgz',
    }),
    run(6, {
      kind: 'move',
      chart: 'billing-api',
      version: '2.4.0',
      environment: 'dev',
      status: 'failed',
      codes: ['UpgradeFailed'],
      message:
        'Helm upgrade failed for release billing/billing-api with chart billing-api@2.4.0: context deadline exceeded',
    }),
    run(9, {
      kind: 'upload',
      chart: 'billing-api',
      version: '2.4.0',
      environment: 'dev',
      status: 'promoted',
      commit: sha(41),
      source: 's3://charts/incoming/billing-api-2.4.0.tgz',
    }),
    run(11, {
      kind: 'upload',
      chart: 'payments',
      version: '1.0',
      status: 'refused',
      codes: ['CHART_VERSION_INVALID'],
      message: 'version "1.0" is not strict SemVer 2',
      source: 's3://charts/incoming/payments-1.0.tgz',
    }),
    run(17, {
      kind: 'move',
      chart: 'ingress-gateway',
      version: '0.9.4',
      environment: 'dev',
      status: 'not-converged',
      codes: ['DEADLINE'],
      message: 'no healthy event within 15m',
    }),
    run(29, {
      kind: 'move',
      chart: 'hello-worker',
      version: '0.3.1',
      environment: 'prod',
      status: 'pull-request',
      commit: sha(42),
    }),
    run(30, {
      kind: 'move',
      chart: 'hello-web',
      version: '1.0.0',
      environment: 'prod',
      status: 'pull-request',
      commit: sha(43),
    }),
    run(31, {
      kind: 'move',
      chart: 'hello-web',
      version: '1.0.0',
      environment: 'staging',
      status: 'committed',
      commit: sha(44),
    }),
    run(42, {
      kind: 'upload',
      chart: 'hello-web',
      version: '1.0.0',
      environment: 'dev',
      status: 'promoted',
      commit: sha(45),
      source: 's3://charts/incoming/hello-web-1.0.0.tgz',
    }),
    run(42, {
      kind: 'upload',
      chart: 'hello-worker',
      version: '0.3.1',
      environment: 'dev',
      status: 'promoted',
      commit: sha(45),
      source: 's3://charts/incoming/hello-worker-0.3.1.tgz',
    }),
    run(80, {
      kind: 'move',
      chart: 'search-indexer',
      version: '3.0.0',
      environment: 'staging',
      status: 'rolled-back',
      commit: sha(46),
      message: 'TestFailed on 3.0.1: put 3.0.0 back',
    }),
  ];
  return { generatedAt: now.toISOString(), environments: ['dev', 'staging', 'prod'], releases, runs };
};

const STATES: readonly ReleaseState[] = [
  'converged',
  'converged',
  'converged',
  'converged',
  'committed',
  'proposed',
  'failed',
  'not-converged',
  'rolled-back',
];

/**
 * `charts` × `environments` with every cell filled (the worst case for size), states spread the way
 * a busy installation might show them, plus `runs` recent runs. Deterministic.
 */
export const largeView = (
  charts = 200,
  environments = 5,
  runs = 50,
  now = new Date('2026-12-01T10:30:00Z'),
): PromotionBoardView => {
  const envs = ['dev', 'qa', 'staging', 'preprod', 'prod', 'dr', 'sandbox', 'perf'].slice(0, environments);
  while (envs.length < environments) envs.push(`env-${envs.length + 1}`);
  const releases: ReleaseRecord[] = [];
  for (let c = 0; c < charts; c += 1) {
    const chart = `service-${String(c).padStart(3, '0')}-${['api', 'worker', 'web', 'gateway'][c % 4]}`;
    envs.forEach((environment, e) => {
      const n = c * environments + e;
      const state = STATES[(c * 7 + e * 3) % STATES.length]!;
      releases.push(
        record(
          now,
          {
            chart,
            environment,
            version: `${1 + (c % 5)}.${(c * 3 + e) % 20}.${n % 10}`,
            state,
            minutesAgo: 5 + ((n * 37) % 5000),
            ...(state === 'converged' ? { leadMs: 30_000 + ((n * 7919) % 3_600_000) } : {}),
            ...(state === 'proposed'
              ? {
                  extra: {
                    pullRequest: {
                      number: 1000 + n,
                      url: `https://github.com/example-org/cluster-config/pull/${1000 + n}`,
                      branch: `promote/${environment}/${chart}`,
                    },
                  },
                }
              : state === 'failed'
                ? { extra: { reason: 'UpgradeFailed' } }
                : {}),
          },
          n,
        ),
      );
    });
  }
  const runList: RunSummary[] = Array.from({ length: runs }, (_, i) => ({
    at: at(now, i * 3),
    kind: i % 3 === 0 ? 'upload' : 'move',
    chart: `service-${String((i * 13) % charts).padStart(3, '0')}`,
    version: `1.${i % 20}.0`,
    environment: envs[i % environments],
    status: ['promoted', 'committed', 'pull-request', 'refused', 'unchanged'][i % 5]!,
    ...(i % 5 === 3
      ? { codes: ['RENDER_FAILED'], message: 'helm template: error converting YAML to JSON' }
      : {}),
    commit: sha(i + 500),
  }));
  return { generatedAt: now.toISOString(), environments: envs, releases, runs: runList };
};

/** Strings that would run script, break out of attributes or links, if anything were not escaped. */
export const HOSTILE = {
  chart: '<script>window.__pwned=1;alert(1)</script>',
  environment: '"><img src=x onerror="window.__pwned=2">',
  version: "1.0.0'><svg onload=window.__pwned=3>",
  reason: '</style><style>body{display:none}</style>',
  url: 'javascript:window.__pwned=4',
  quotedUrl: 'https://example.com/pull/1" onmouseover="window.__pwned=5',
  message: '<iframe src="https://example.com"></iframe>&amp; <b>bold</b>',
  runId: '</textarea><script>window.__pwned=6</script>',
} as const;

export const hostileView = (now = new Date('2026-12-01T10:30:00Z')): PromotionBoardView => ({
  generatedAt: now.toISOString(),
  environments: [HOSTILE.environment, 'prod'],
  releases: [
    record(
      now,
      {
        chart: HOSTILE.chart,
        environment: HOSTILE.environment,
        version: HOSTILE.version,
        state: 'failed',
        minutesAgo: 3,
        extra: { reason: HOSTILE.reason, runId: HOSTILE.runId },
      },
      1,
    ),
    record(
      now,
      {
        chart: HOSTILE.chart,
        environment: 'prod',
        version: '1.0.0',
        state: 'proposed',
        minutesAgo: 3,
        extra: { pullRequest: { number: 7, url: HOSTILE.url, branch: HOSTILE.message } },
      },
      2,
    ),
    record(
      now,
      {
        chart: 'plain-chart',
        environment: 'prod',
        version: '2.0.0',
        state: 'proposed',
        minutesAgo: 3,
        extra: { pullRequest: { number: 8, url: HOSTILE.quotedUrl, branch: 'b' } },
      },
      3,
    ),
  ],
  runs: [
    {
      at: at(now, 1),
      kind: 'upload',
      chart: HOSTILE.chart,
      version: HOSTILE.version,
      environment: HOSTILE.environment,
      status: HOSTILE.reason,
      codes: [HOSTILE.message],
      message: HOSTILE.message,
      source: HOSTILE.runId,
      commit: HOSTILE.runId,
    },
  ],
});
