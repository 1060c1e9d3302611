import type { Chart } from '../../functions/chart/chart';
import { startGitHubApiServer } from '../../test/support/github-api-server';
import { chartOf, commitCharts, fixtureArchive, minimalChart, renamedChart } from '../lib/charts';
import { median, sample, summarize } from '../lib/figures';
import { assertValid, benchGitHubHost } from '../lib/github-host';
import type { RequestProfile, Scenario, ScenarioContext } from '../lib/scenario';

/**
 * Scenario 1: Git-host requests per promotion through the GitHub adapter (built by the registry),
 * committed by the promote function's own path (commitUploads: policy read with the files, one commit
 * loop), counted by the local GitHub API server by route, for batches of 1, 10 and 100 distinct charts
 * committed together. Each batch
 * promotes new versions of charts whose HelmReleases exist (the warm-up created them): the steady
 * state of a cluster repository. Charts are copies of podinfo 6.14.1 (29 files, 71 KB), the
 * realistic case; a batch of 100 three-file charts is measured too, to show what the count scales with.
 */

const SEED = {
  'README.md': '# cluster\n',
  'environments/dev/kustomization.yaml':
    'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n',
};

type ChartMaker = (name: string, version: string) => Promise<Chart>;

const measureBatch = async (
  context: ScenarioContext,
  charts: number,
  make: ChartMaker,
  label: string,
): Promise<RequestProfile> => {
  const server = await startGitHubApiServer({ seed: SEED });
  try {
    const routeSamples = new Map<string, number[]>();
    let version = 0;
    const samples = await sample(context.plan, async (run) => {
      version++;
      const batch = await Promise.all(
        Array.from({ length: charts }, (_, i) =>
          make(`${label}-${String(i).padStart(3, '0')}`, `1.0.${version}`),
        ),
      );
      const host = await benchGitHubHost(server);
      server.reset();
      const started = performance.now();
      const result = await commitCharts(host, server.branch, batch);
      const ms = performance.now() - started;
      if (result.outcomes.some((o) => o.status !== 'promoted')) throw new Error(`${label}: not all promoted`);
      const counts = server.counts();
      if (run >= 0) {
        for (const key of new Set([...routeSamples.keys(), ...Object.keys(counts)])) {
          const list = routeSamples.get(key) ?? [];
          list.push(counts[key] ?? 0);
          routeSamples.set(key, list);
        }
      }
      return { requests: server.total(), ms };
    });
    assertValid(server);
    const key = `${label}.${charts}`;
    context.sink.figure(`requests.github.${key}`, summarize(samples.requests, 'requests'));
    context.sink.figure(
      `time.github-commit.${key}`,
      summarize(samples.ms, 'ms', 'snapshot (with policy) + plan + commit, local server, write pacing off'),
    );
    const byRoute = Object.fromEntries([...routeSamples].map(([route, list]) => [route, median(list)]));
    context.sink.detail(`requests.github.${key}.byRoute`, byRoute);
    return { charts, byRoute, total: median(samples.requests), runs: samples.requests.length };
  } finally {
    await server.close();
  }
};

export const requestsPerPromotion: Scenario = {
  id: 'requests',
  title: '1. Requests per promotion (GitHub adapter, local GitHub API server)',
  run: async (context) => {
    const podinfo = await chartOf(await fixtureArchive('podinfo-6.14.1'));
    const podinfoCopy: ChartMaker = (name, version) => renamedChart(podinfo, name, version);
    const profiles: RequestProfile[] = [];
    // The batch of 100 podinfo-sized charts needs minutes on a loaded machine: the full run only.
    for (const charts of context.plan.quick ? [1, 10] : [1, 10, 100]) {
      context.log(`  ${charts} podinfo-sized chart(s) per batch`);
      profiles.push(await measureBatch(context, charts, podinfoCopy, 'podinfo'));
    }
    if (context.plan.quick) {
      context.sink.note('quick mode: scenario 1 skips the batches of 100 charts (podinfo-sized and minimal)');
    } else {
      context.log('  100 minimal (3-file) charts per batch');
      await measureBatch(context, 100, minimalChart, 'minimal');
    }
    context.shared.requestProfiles = profiles;

    const one = profiles[0]!;
    const hundred = profiles[2];
    context.sink.target({
      target: '≤ 5 requests for 1 chart',
      evidence: `requests.github.podinfo.1 = ${one.total}`,
      met: one.total <= 5,
    });
    if (hundred === undefined) return;
    context.sink.target({
      target: '≤ 10 requests for 100 charts in one batch',
      evidence: `requests.github.podinfo.100 = ${hundred.total} (podinfo-sized charts)`,
      met: hundred.total <= 10,
    });
  },
};
