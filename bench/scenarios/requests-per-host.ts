import { HOST_KINDS, type HostStandIn, startHostStandIn } from '../../cli/host-stand-ins';
import { gitHostDescriptor } from '../../functions/adapters/git-hosts/registry';
import { systemClock } from '../../functions/ports/clock';
import type { GitHost } from '../../functions/ports/git-host';
import { runEnvironmentMove } from '../../functions/promotion/moves/run-environment-move';
import { chartOf, commitCharts, fixtureArchive, minimalChart, renamedChart } from '../lib/charts';
import { median, sample, summarize } from '../lib/figures';
import type { Scenario, ScenarioContext } from '../lib/scenario';

/**
 * Requests each Git host's adapter sends (built by the registry, as the Lambda compositions build it),
 * counted by its local stand-in, for:
 * - an upload of 1 podinfo-sized chart (29 files) and a batch of 100 minimal charts into `dev`
 *   (commitUploads, the promote function's path), each by a cold adapter;
 * - an environment move `dev → staging` (a direct environment: the feedback function's promotion),
 *   by a cold adapter (nothing learnt: a cold function) and by a warm one (the same adapter as the
 *   previous run's moves: a warm function);
 * - a move `staging → prod`, a `mode: pull-request` environment: the proposal branch, its commit and
 *   the pull (merge) request, found and updated from the second version on.
 * Bitbucket exposes no tree ids, so a move reads only whether the version's directory exists; the
 * pull-request move reads tree ids for its body (a request per file of the two versions there).
 */

const POLICY = `environments:
  - name: dev
  - name: staging
    after: dev
  - name: prod
    after: staging
    mode: pull-request
`;

const SEED = {
  'README.md': '# cluster\n',
  '.chart-promoter.yaml': POLICY,
  'environments/dev/kustomization.yaml':
    'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n',
};

const options = { clock: systemClock, fallbackEnvironment: 'dev' } as const;

/**
 * The host as its descriptor builds it (the registry's `createGitHost` refuses a base URL for
 * Bitbucket Cloud from configuration; the descriptor honours it for a stand-in).
 */
const hostOf = async (standIn: HostStandIn, cold: boolean): Promise<GitHost> =>
  (await gitHostDescriptor(standIn.kind).create(standIn.settings(cold))).host;

/** Requests of `act` alone, by route too. */
const counted = async (standIn: HostStandIn, act: () => Promise<void>) => {
  standIn.reset();
  await act();
  return { total: standIn.total(), byRoute: standIn.counts() };
};

const record = (
  context: ScenarioContext,
  key: string,
  samples: readonly { total: number; byRoute: Record<string, number> }[],
  note: string,
): number => {
  const totals = samples.map((s) => s.total);
  context.sink.figure(key, summarize(totals, 'requests', note));
  const routes = new Set(samples.flatMap((s) => Object.keys(s.byRoute)));
  context.sink.detail(
    `${key}.byRoute`,
    Object.fromEntries([...routes].map((r) => [r, median(samples.map((s) => s.byRoute[r] ?? 0))])),
  );
  return median(totals);
};

const measureHost = async (context: ScenarioContext, kind: HostStandIn['kind']) => {
  const standIn = await startHostStandIn(kind, SEED);
  try {
    const podinfo = await chartOf(await fixtureArchive('podinfo-6.14.1'));
    const batch = context.plan.quick ? 20 : 100;
    const samples = {
      one: [] as { total: number; byRoute: Record<string, number> }[],
      batch: [] as { total: number; byRoute: Record<string, number> }[],
      coldMove: [] as { total: number; byRoute: Record<string, number> }[],
      warmMove: [] as { total: number; byRoute: Record<string, number> }[],
      gatedMove: [] as { total: number; byRoute: Record<string, number> }[],
    };
    const warm = await hostOf(standIn, false);
    let version = 0;
    // Request counts do not vary from run to run (min = max in every recorded run): quick mode
    // takes one measured run after the warm-up that warms the `warm` adapter.
    const plan = context.plan.quick ? { ...context.plan, runs: 1 } : context.plan;
    await sample(plan, async (run) => {
      version++;
      const v = `1.0.${version}`;
      const web = await renamedChart(podinfo, 'web', v);
      const many = await Promise.all(
        Array.from({ length: batch }, (_, i) => minimalChart(`m-${String(i).padStart(3, '0')}`, v)),
      );
      const promoted = (outcome: { status: string }, what: string) => {
        if (!['promoted', 'committed', 'pull-request'].includes(outcome.status))
          throw new Error(`${kind} ${what}: ${JSON.stringify(outcome)}`);
      };
      const one = await counted(standIn, async () => {
        const run = await commitCharts(await hostOf(standIn, true), standIn.branch, [web]);
        for (const o of run.outcomes) promoted(o, 'upload');
      });
      const hundred = await counted(standIn, async () => {
        const run = await commitCharts(await hostOf(standIn, true), standIn.branch, many);
        for (const o of run.outcomes) promoted(o, 'batch');
      });
      const move = { kind: 'promote', chart: 'web', version: v, runId: `bench-${v}` } as const;
      // The warm adapter moves a sibling chart, so the cold move of `web` finds it still to do.
      const coldMove = await counted(standIn, async () => {
        promoted(
          await runEnvironmentMove(
            await hostOf(standIn, true),
            standIn.branch,
            { ...move, from: 'dev', to: 'staging' },
            options,
          ),
          'move',
        );
      });
      const warmMove = await counted(standIn, async () => {
        promoted(
          await runEnvironmentMove(
            warm,
            standIn.branch,
            { ...move, chart: 'm-000', from: 'dev', to: 'staging' },
            options,
          ),
          'warm move',
        );
      });
      const gatedMove = await counted(standIn, async () => {
        promoted(
          await runEnvironmentMove(
            await hostOf(standIn, true),
            standIn.branch,
            { ...move, from: 'staging', to: 'prod' },
            options,
          ),
          'gated move',
        );
      });
      if (run >= 0) {
        samples.one.push(one);
        samples.batch.push(hundred);
        samples.coldMove.push(coldMove);
        samples.warmMove.push(warmMove);
        samples.gatedMove.push(gatedMove);
      }
      return {};
    });
    return {
      one: record(
        context,
        `requests.${kind}.upload.1`,
        samples.one,
        '1 podinfo chart (29 files), cold adapter',
      ),
      batch: record(
        context,
        `requests.${kind}.upload.${batch}`,
        samples.batch,
        `${batch} minimal charts in one batch, cold adapter`,
      ),
      coldMove: record(
        context,
        `requests.${kind}.move.cold`,
        samples.coldMove,
        'dev → staging (direct), cold adapter',
      ),
      warmMove: record(
        context,
        `requests.${kind}.move.warm`,
        samples.warmMove,
        'dev → staging (direct), the adapter of the previous run',
      ),
      gatedMove: record(
        context,
        `requests.${kind}.move.pull-request`,
        samples.gatedMove,
        'staging → prod (mode: pull-request): branch, commit, pull request; cold adapter',
      ),
      batchSize: batch,
    };
  } finally {
    await standIn.close();
  }
};

/** Goals of issue 15 for one chart: GitHub's own target is scenario 1's. */
const ONE_CHART_GOAL: Readonly<Record<string, number>> = { github: 5, bitbucket: 6, gitlab: 5 };

export const requestsPerHost: Scenario = {
  id: 'hosts',
  title: '8. Requests per promotion and per environment move, by Git host (local stand-ins)',
  run: async (context) => {
    // CHART_PROMOTER_BENCH_HOSTS=gitlab,bitbucket measures only those (a re-run of one host).
    const only = process.env.CHART_PROMOTER_BENCH_HOSTS?.split(',').map((k) => k.trim());
    for (const kind of HOST_KINDS.filter((k) => only === undefined || only.includes(k))) {
      context.log(`  ${kind}`);
      const figures = await measureHost(context, kind);
      context.sink.target({
        target: `≤ ${ONE_CHART_GOAL[kind]} requests for 1 chart on ${kind}`,
        evidence: `requests.${kind}.upload.1 = ${figures.one}`,
        met: figures.one <= ONE_CHART_GOAL[kind]!,
      });
      context.sink.target({
        target: `a batch costs O(1) requests in its chart count on ${kind}`,
        evidence: `requests.${kind}.upload.${figures.batchSize} = ${figures.batch} vs upload.1 = ${figures.one}`,
        met: figures.batch <= figures.one + 2,
      });
      context.sink.target({
        target: `an environment move costs a handful of requests on ${kind}`,
        evidence: `requests.${kind}.move.cold = ${figures.coldMove}, move.warm = ${figures.warmMove}`,
        met: figures.coldMove <= 8,
      });
    }
  },
};
