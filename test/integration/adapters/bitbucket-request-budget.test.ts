import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BitbucketGitHost } from '../../../functions/adapters/git-hosts/bitbucket/adapter';
import { BitbucketClient } from '../../../functions/adapters/git-hosts/bitbucket/http-client';
import { SnapshotCache } from '../../../functions/adapters/git-hosts/bitbucket/snapshot-cache';
import type { Chart } from '../../../functions/chart/chart';
import { readChartArchive } from '../../../functions/chart/read-chart-archive';
import { starterPolicy } from '../../../functions/local/starter-policy';
import { systemClock } from '../../../functions/ports/clock';
import { runEnvironmentMove } from '../../../functions/promotion/moves/run-environment-move';
import { commitUploads } from '../../../functions/promotion/uploads/commit-uploads';
import {
  type BitbucketApiServer,
  type BitbucketApiServerOptions,
  startBitbucketApiServer,
} from '../../support/bitbucket-api-server';
import { buildArchive, chartEntries } from '../../support/tar-fixtures';

/**
 * Requests per promotion through the Bitbucket adapter, counted by the stand-in, for the path the
 * promote function takes (commitUploads: policy, HelmRelease, kustomization and chart directory read
 * from one commit, then one commit). Steady state: the charts' HelmReleases exist (a first round
 * created them) and new versions arrive. "Cold" is a fresh function (nothing cached), "warm" one that
 * made the previous commit itself.
 */

const SEED = {
  '.chart-promoter.yaml': starterPolicy({ soak: '10m' }),
  'environments/dev/kustomization.yaml':
    'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n',
};

const chartOf = async (archive: Uint8Array): Promise<Chart> => {
  const read = await readChartArchive(archive);
  if (!read.ok) throw new Error(JSON.stringify(read.refusals));
  return read.chart;
};

const podinfo = async (version: string): Promise<Chart> => {
  const archive = await readFile(
    path.resolve(import.meta.dirname, '../../fixtures/charts/podinfo-6.14.1.tgz'),
  );
  const chart = await chartOf(archive);
  const decoder = new TextDecoder();
  const files = chart.files.map((f) => ({
    name: `podinfo/${f.path}`,
    data:
      f.path === 'Chart.yaml'
        ? decoder.decode(f.data).replace(/^version:.*$/m, `version: ${version}`)
        : f.data,
  }));
  return chartOf(await buildArchive(files));
};

const minimal = (name: string, version: string) => buildArchive(chartEntries(name, version)).then(chartOf);

const servers: BitbucketApiServer[] = [];
afterEach(async () => {
  const all = servers.splice(0);
  const errors = all.flatMap((s) => s.validationErrors());
  for (const server of all) await server.close();
  expect(errors).toEqual([]);
});

const serve = async (options: BitbucketApiServerOptions = {}) => {
  const server = await startBitbucketApiServer({ seed: SEED, ...options });
  servers.push(server);
  return server;
};

// No retries and a generous deadline: a retry on a loaded machine must not pass for a request the
// adapter chose to make.
const hostOn = (server: BitbucketApiServer, cache: SnapshotCache) =>
  new BitbucketGitHost({
    client: new BitbucketClient({
      auth: { kind: 'token', token: server.token },
      baseUrl: server.url,
      serverErrorRetries: 0,
      requestTimeoutMs: 120_000,
    }),
    repository: { workspace: server.workspace, slug: server.repo },
    cache,
  });

const promote = async (host: BitbucketGitHost, charts: readonly Chart[]) => {
  const run = await commitUploads(
    host,
    'main',
    charts.map((chart) => ({
      chart,
      runId: `run-${chart.name}-${chart.version}`,
      source: { bucket: 'b', key: 'k' },
    })),
    { clock: systemClock, fallbackEnvironment: 'dev' },
  );
  expect(run.outcomes.map((o) => o.status)).toEqual(charts.map(() => 'promoted'));
  return run;
};

/** Requests of one promotion of `next` after `first` was promoted, by a cold or a warm function. */
const measure = async (
  server: BitbucketApiServer,
  first: readonly Chart[],
  next: readonly Chart[],
  warmth: 'cold' | 'warm',
) => {
  const cache = new SnapshotCache();
  await promote(hostOn(server, cache), first);
  server.reset();
  await promote(hostOn(server, warmth === 'warm' ? cache : new SnapshotCache()), next);
  return { total: server.total(), byRoute: server.counts() };
};

const BRANCH = 'GET /repositories/{workspace}/{repo_slug}/refs/branches/{name}';
const SOURCE = 'GET /repositories/{workspace}/{repo_slug}/src/{commit}/{path}';
const COMMIT = 'POST /repositories/{workspace}/{repo_slug}/src';

const names = (count: number) =>
  Array.from({ length: count }, (_, i) => `chart-${String(i).padStart(3, '0')}`);
const batch = (count: number, version: string) => Promise.all(names(count).map((n) => minimal(n, version)));

describe('Bitbucket requests per promotion', () => {
  it('one chart, cold function: 6 (a listing that finds the head and what exists, 3 files, the commit, its id)', async () => {
    // Prepare
    const server = await serve();
    // Act
    const counted = await measure(server, [await podinfo('6.14.1')], [await podinfo('6.14.2')], 'cold');
    // Assess: the listing at the branch name, .chart-promoter.yaml, environments/dev/podinfo.yaml and
    // kustomization.yaml, the commit, and the branch read that names the new commit.
    expect(counted.byRoute).toEqual({ [SOURCE]: 4, [COMMIT]: 1, [BRANCH]: 1 });
    expect(counted.total).toBe(6);
  });

  it('one chart, warm function: 3 (the listing, the commit, its id)', async () => {
    const server = await serve();
    const counted = await measure(server, [await podinfo('6.14.1')], [await podinfo('6.14.2')], 'warm');
    expect(counted.byRoute).toEqual({ [SOURCE]: 1, [COMMIT]: 1, [BRANCH]: 1 });
  });

  it('one chart when commits answer with their Location: 5 cold, 2 warm', async () => {
    // Bitbucket's 201 is not documented to name the commit; when it does, the branch read goes.
    const server = await serve({ commitLocation: true });
    const cold = await measure(server, [await podinfo('6.14.1')], [await podinfo('6.14.2')], 'cold');
    const warm = await measure(server, [await podinfo('6.14.3')], [await podinfo('6.14.4')], 'warm');
    expect([cold.total, warm.total]).toEqual([5, 2]);
  });

  it('100 charts in one batch, warm function: 4, as for 10 (only the listing is split, to keep URLs short)', async () => {
    // Prepare
    const server = await serve();
    // Act
    const ten = await measure(server, await batch(10, '1.0.0'), await batch(10, '1.0.1'), 'warm');
    const hundred = await measure(server, await batch(100, '2.0.0'), await batch(100, '2.0.1'), 'warm');
    // Assess
    expect(ten.byRoute).toEqual({ [SOURCE]: 1, [COMMIT]: 1, [BRANCH]: 1 });
    expect(hundred.byRoute).toEqual({ [SOURCE]: 2, [COMMIT]: 1, [BRANCH]: 1 });
  });

  it('100 charts in one batch, cold function: one read per existing file (Bitbucket has no multi-file read)', async () => {
    const server = await serve();
    const counted = await measure(server, await batch(100, '1.0.0'), await batch(100, '1.0.1'), 'cold');
    // 3 listings (202 paths), the policy, 100 HelmReleases and the kustomization, the commit, its id.
    expect(counted.byRoute).toEqual({ [SOURCE]: 3 + 1 + 100 + 1, [COMMIT]: 1, [BRANCH]: 1 });
  });
});

describe('Bitbucket requests per environment move', () => {
  const movePolicy = `environments:
  - name: dev
  - name: staging
    after: dev
  - name: prod
    after: staging
    mode: pull-request
`;

  it('measures cold and warm moves (each new chart version costs one read per file: tree ids)', async () => {
    // Prepare: the promote function (its own cache) uploads; the feedback function (another cache)
    // moved the previous version through staging (direct) and prod (pull request).
    const server = await serve({ seed: { '.chart-promoter.yaml': movePolicy } });
    const options = { clock: systemClock, fallbackEnvironment: 'dev' };
    const uploads = hostOn(server, new SnapshotCache());
    const feedbackCache = new SnapshotCache();
    const feedback = hostOn(server, feedbackCache);
    const move = (host: BitbucketGitHost, version: string, from: string, to: string) =>
      runEnvironmentMove(
        host,
        'main',
        { kind: 'promote', chart: 'podinfo', version, from, to, runId: `${version}-${to}` },
        options,
      );
    await promote(uploads, [await podinfo('6.14.1')]);
    await move(feedback, '6.14.1', 'dev', 'staging');
    await move(feedback, '6.14.1', 'staging', 'prod');
    await promote(uploads, [await podinfo('6.14.2')]);
    const counted = async (host: BitbucketGitHost, from: string, to: string) => {
      server.reset();
      const outcome = await move(host, '6.14.2', from, to);
      return { status: outcome.status, total: server.total() };
    };
    // Act: the same two moves, by a cold function and by the warm feedback function.
    const coldStaging = await counted(hostOn(server, new SnapshotCache()), 'dev', 'staging');
    // Undo the cold function's commit, so the warm one makes the same move.
    await server.git('update-ref', 'refs/heads/main', 'main~1');
    const warmStaging = await counted(feedback, 'dev', 'staging');
    const coldProd = await counted(hostOn(server, new SnapshotCache()), 'staging', 'prod');
    const warmProd = await counted(feedback, 'staging', 'prod');
    // Assess: a move into a direct environment asks only whether the version's directory exists (one
    // look-up, no tree ids: 68 cold and 36 warm requests when it read them). A move into a gated one
    // reads the tree ids the pull-request body compares, and Bitbucket exposes none, so a version
    // directory the function has not seen costs a listing plus one read per file (podinfo: 29).
    expect([coldStaging, warmStaging]).toEqual([
      { status: 'committed', total: 7 },
      { status: 'committed', total: 5 },
    ]);
    // The warm function no longer holds the version's tree ids from the staging move (it read none), so
    // the gated move reads them (39; it was 8 when the staging move had paid 36 for them). Cold: 43
    // (38 before: the branch is now per chart, restarted by delete + create, and the open request is
    // read back before its update).
    expect([coldProd, warmProd]).toEqual([
      { status: 'pull-request', total: 43 },
      { status: 'pull-request', total: 39 },
    ]);
  });
});
