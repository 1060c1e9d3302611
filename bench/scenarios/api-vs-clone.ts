import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createGitHost } from '../../functions/adapters/git-hosts/registry';
import type { Chart } from '../../functions/chart/chart';
import type { GitHost } from '../../functions/ports/git-host';
import { startGitHttpServer } from '../../test/support/git-http-server';
import { startGitHubApiServer } from '../../test/support/github-api-server';
import { type ByteCountingProxy, startByteCountingProxy } from '../lib/byte-counting-proxy';
import { chartOf, commitCharts, fixtureArchive, renamedChart } from '../lib/charts';
import { CloneBaselineHost } from '../lib/clone-baseline-host';
import { copyRepository, createClusterHistory } from '../lib/cluster-history';
import { computed, type Figure, sample, summarize } from '../lib/figures';
import { assertValid, benchGitHubHost } from '../lib/github-host';
import type { Scenario, ScenarioContext } from '../lib/scenario';

/**
 * Scenario 2: promote one chart (podinfo, 29 files) into cluster repositories of 100, 1,000 and
 * 10,000 files with 200 commits of history, three ways, through the code the promote function runs
 * for a batch (commitUploads: policy read with the files → plan → one commit loop), with bytes counted
 * by one TCP meter in front of each server:
 *   (a) the GitHub adapter (built by the Git-host registry) against the local GitHub API server (no
 *       clone at all);
 *   (b) the plain-git adapter (built by the registry) over smart HTTP (`git http-backend`), cold: an empty work dir, as in a
 *       fresh Lambda (depth-1 fetch of the tip); warm (reused work dir, incremental fetch) reported too;
 *   (c) the clone baseline: full clone with a working tree, edit, commit, push, with isomorphic-git
 *       (the definition) and with the git CLI (what Kargo and Argo CD Image Updater run: the
 *       harder baseline to beat on time; the bytes are the same pack either way).
 */

const COMMITS = 200;

/** Size of the repository as a host stores it (one pack after `git repack -a -d`). */
const packBytes = async (repo: string): Promise<number> => {
  const dir = path.join(repo, 'objects', 'pack');
  const sizes = await Promise.all(
    (await readdir(dir)).map(async (f) => (await stat(path.join(dir, f))).size),
  );
  return sizes.reduce((a, b) => a + b, 0);
};
const BRANCH = 'main';

interface PathResult {
  readonly ms: Figure;
  readonly bytes: Figure;
}

const measurePath = async (
  context: ScenarioContext,
  key: string,
  proxy: ByteCountingProxy,
  nextChart: () => Promise<Chart>,
  hostForRun: () => Promise<GitHost & { cleanup?: () => Promise<void> }>,
): Promise<PathResult> => {
  const samples = await sample(context.plan, async () => {
    const chart = await nextChart();
    const host = await hostForRun();
    proxy.reset();
    const started = performance.now();
    const run = await commitCharts(host, BRANCH, [chart]);
    const ms = performance.now() - started;
    const { sent, received } = proxy.counts();
    await host.cleanup?.();
    if (run.commit === undefined) throw new Error(`${key}: nothing committed`);
    return { ms, bytes: sent + received, sent, received };
  });
  const result = {
    ms: summarize(samples.ms, 'ms', 'snapshot + plan + commit'),
    bytes: summarize(samples.bytes, 'bytes', 'both directions, on the wire'),
  };
  context.sink.figure(`time.${key}`, result.ms);
  context.sink.figure(`bytes.${key}`, result.bytes);
  context.sink.detail(`bytes.${key}.split`, {
    sentMedian: summarize(samples.sent, 'bytes').median,
    receivedMedian: summarize(samples.received, 'bytes').median,
  });
  return result;
};

const ratio = (context: ScenarioContext, key: string, top: Figure, bottom: Figure, what: string) => {
  const value = top.median / bottom.median;
  context.sink.figure(
    key,
    computed(value, '×', Math.min(top.runs, bottom.runs), `${what}, ratio of medians`),
  );
  return value;
};

const measureSize = async (context: ScenarioContext, files: number, podinfo: Chart) => {
  const root = await mkdtemp(path.join(tmpdir(), `bench-api-vs-clone-${files}-`));
  const template = path.join(root, 'template.git');
  const generated = performance.now();
  await createClusterHistory(template, { files, commits: COMMITS }, BRANCH);
  context.log(
    `  ${files} files, ${COMMITS} commits generated in ${Math.round(performance.now() - generated)} ms`,
  );
  const pack = await packBytes(template);
  context.sink.detail(`repository.${files}-files`, { files, commits: COMMITS, packBytes: pack });
  let version = 0;
  const nextChart = () => renamedChart(podinfo, 'podinfo', `7.0.${++version}`);
  const size = `${files}-files`;
  const closers: (() => Promise<unknown>)[] = [];
  try {
    // (a) GitHub API path.
    const github = await startGitHubApiServer({ branch: BRANCH });
    closers.push(() => github.close());
    await rm(github.repoDir, { recursive: true, force: true });
    await copyRepository(template, github.repoDir);
    const githubProxy = await startByteCountingProxy(github.url);
    closers.push(() => githubProxy.close());
    const api = await measurePath(context, `github-api.${size}`, githubProxy, nextChart, () =>
      benchGitHubHost(github, githubProxy.origin),
    );
    assertValid(github);

    // (b) and (c) share one smart-HTTP server, each on its own copy of the repository.
    await copyRepository(template, path.join(root, 'plain.git'));
    await copyRepository(template, path.join(root, 'warm.git'));
    await copyRepository(template, path.join(root, 'baseline.git'));
    await copyRepository(template, path.join(root, 'baseline-cli.git'));
    const gitServer = await startGitHttpServer({ root });
    closers.push(() => gitServer.close());
    const gitProxy = await startByteCountingProxy(new URL(gitServer.url('x')).origin);
    closers.push(() => gitProxy.close());
    const plainHost = async (repo: string, workDir: string) =>
      (await createGitHost('git', { repository: `${gitProxy.origin}/${repo}`, workDir })).host;
    const workDirs: string[] = [];
    const cold = await measurePath(context, `plain-git-cold.${size}`, gitProxy, nextChart, async () => {
      const workDir = path.join(root, `work-${workDirs.length}`);
      workDirs.push(workDir);
      return Object.assign(await plainHost('plain.git', workDir), {
        cleanup: () => rm(workDir, { recursive: true, force: true }),
      });
    });
    // Warm work dir (a reused Lambda /tmp): informative, not one of (a)/(b)/(c); full run only.
    if (!context.plan.quick) {
      const warmHost = await plainHost('warm.git', path.join(root, 'work-warm'));
      await measurePath(context, `plain-git-warm.${size}`, gitProxy, nextChart, async () => warmHost);
    }
    const baseline = await measurePath(
      context,
      `clone-baseline.${size}`,
      gitProxy,
      nextChart,
      async () => new CloneBaselineHost(`${gitProxy.origin}/baseline.git`),
    );

    const cliBaseline = await measurePath(
      context,
      `clone-baseline-git-cli.${size}`,
      gitProxy,
      nextChart,
      async () => new CloneBaselineHost(`${gitProxy.origin}/baseline-cli.git`, 'git-cli'),
    );

    ratio(context, `ratio.bytes.clone/api.${size}`, baseline.bytes, api.bytes, '(c)/(a) bytes');
    ratio(context, `ratio.time.clone/api.${size}`, baseline.ms, api.ms, '(c)/(a) wall time');
    ratio(
      context,
      `ratio.bytes.clone-git-cli/api.${size}`,
      cliBaseline.bytes,
      api.bytes,
      '(c, git CLI)/(a) bytes',
    );
    ratio(context, `ratio.time.clone-git-cli/api.${size}`, cliBaseline.ms, api.ms, '(c, git CLI)/(a) time');
    ratio(context, `ratio.bytes.plain-cold/api.${size}`, cold.bytes, api.bytes, '(b)/(a) bytes');
    ratio(context, `ratio.time.plain-cold/api.${size}`, cold.ms, api.ms, '(b)/(a) wall time');
    return { api, baseline, cliBaseline };
  } finally {
    for (const close of closers.reverse()) await close();
    await rm(root, { recursive: true, force: true });
  }
};

const TARGET_FILES = 10_000;

export const apiVsClone: Scenario = {
  id: 'api-vs-clone',
  title: '2. API path vs clone path (one chart into repositories with 200 commits of history)',
  run: async (context) => {
    const podinfo = await chartOf(await fixtureArchive('podinfo-6.14.1'));
    // A full clone of 10,000 files with isomorphic-git takes ~40 s a run here, and generating the
    // 1,000-file history over a minute on a loaded machine: too long for --quick.
    const sizes = context.plan.quick ? [100] : [100, 1_000, TARGET_FILES];
    let largest: Awaited<ReturnType<typeof measureSize>> | undefined;
    for (const files of sizes) largest = await measureSize(context, files, podinfo);
    if (context.plan.quick) {
      context.sink.note(
        'quick mode: scenario 2 measures the 100-file repository only; the 10,000-file targets are evaluated by the full run',
      );
      return;
    }
    const { api, baseline, cliBaseline } = largest!;
    const size = `${TARGET_FILES}-files`;
    for (const [label, base] of [
      ['isomorphic-git', baseline],
      ['git CLI', cliBaseline],
    ] as const) {
      const suffix = label === 'git CLI' ? '-git-cli' : '';
      const bytes = base.bytes.median / api.bytes.median;
      const time = base.ms.median / api.ms.median;
      context.sink.target({
        target: `At 10,000 files: ≥ 10× fewer bytes than the clone baseline (${label})`,
        evidence: `ratio.bytes.clone${suffix}/api.${size} = ${bytes.toFixed(1)}×`,
        met: bytes >= 10,
      });
      context.sink.target({
        target: `At 10,000 files: ≥ 5× less wall time than the clone baseline (${label})`,
        evidence: `ratio.time.clone${suffix}/api.${size} = ${time.toFixed(1)}×`,
        met: time >= 5,
      });
    }
  },
};
