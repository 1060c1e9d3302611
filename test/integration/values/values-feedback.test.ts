import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../../functions/adapters/git-hosts/github/github-client';
import { GitHubGitHost } from '../../../functions/adapters/git-hosts/github/github-git-host';
import type { HelmChartRenderer } from '../../../functions/adapters/helm-chart-renderer';
import { parseFluxEvent } from '../../../functions/feedback/flux-event';
import { handleReleaseEvent } from '../../../functions/feedback/handle-release-event';
import { runValuesChange, runValuesRollback } from '../../../functions/promotion/values/run-values-change';
import { valuesBaseBranch } from '../../../functions/promotion/values/values-change';
import { FakeClock, feedbackFixture, helmReleaseEvent } from '../../support/feedback-harness';
import { type GitHubApiServer, startGitHubApiServer } from '../../support/github-api-server';
import { helmRenderer, releaseText, repositoryFiles, valuesChange } from '../../support/values-fixtures';

/**
 * A values change followed to convergence like a chart move: Flux's event for the release whose
 * run-id annotation is the values change's (every event carries the object's
 * `event.toolkit.fluxcd.io/*` annotations: fluxcd/pkg runtime/events/recorder.go `AnnotatedEventf`,
 * REAL-SERVICES.md "Flux") marks
 * it converged and promotes nothing onward (values belong to one environment); a failure in an
 * environment with `autoRollback` puts back the values it replaced, from the commit the change was
 * made on; a failing rollback is never rolled back again.
 */
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const HUMAN_VALUES =
  '  values:\n    # two replicas: the on-call asked for it (OPS-12)\n    replicaCount: 2\n';

describe('Flux feedback on values changes (GitHub stand-in, real helm)', () => {
  let server: GitHubApiServer;
  let host: GitHubGitHost;
  let renderer: HelmChartRenderer;
  const clock = new FakeClock(new Date('2026-03-01T10:00:00Z'));
  const fixture = () => {
    const { deps, settings, metrics } = feedbackFixture(host, clock);
    return { deps: { ...deps, releaseRenderer: renderer }, settings, metrics };
  };
  const event = (reason: 'UpgradeSucceeded' | 'UpgradeFailed', runId: string) => {
    const parsed = parseFluxEvent(
      helmReleaseEvent({
        namespace: 'staging',
        name: 'hello-web',
        reason,
        revision: '1.0.0',
        runId,
        timestamp: clock.now(),
        ...(reason === 'UpgradeFailed' ? { error: 'context deadline exceeded' } : {}),
      }),
    );
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.event;
  };
  const stagingRelease = () => server.git('show', 'main:environments/staging/hello-web.yaml');

  beforeAll(async () => {
    renderer = await helmRenderer();
    server = await startGitHubApiServer({
      seed: await repositoryFiles({
        staging: releaseText('staging', 'hello-web', '1.0.0', HUMAN_VALUES),
        prod: releaseText('prod', 'hello-web', '1.0.0', HUMAN_VALUES),
      }),
    });
    const octokit = createGitHubClient({
      auth: { token: server.token },
      baseUrl: server.url,
      writeSpacingMs: 0,
      log: quiet,
    });
    host = new GitHubGitHost({ octokit, owner: server.owner, repo: server.repo });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('marks a values change converged on UpgradeSucceeded and promotes nothing onward', async () => {
    // Prepare
    const options = { clock, fallbackEnvironment: 'dev', renderer };
    const change = valuesChange('staging', 'replicaCount: 3\n', { runId: 'values-run-a' });
    expect(await runValuesChange(host, 'main', change, options)).toMatchObject({ status: 'committed' });
    const head = await server.git('rev-parse', 'main');
    const { deps, settings, metrics } = fixture();

    // Act
    const outcome = await handleReleaseEvent(event('UpgradeSucceeded', 'values-run-a'), deps, settings);

    // Assess
    expect(outcome).toMatchObject({
      status: 'converged',
      change: 'values',
      environment: 'staging',
      next: [],
    });
    expect(metrics.total('ReleaseConverged')).toBe(1);
    expect(await server.git('rev-parse', 'main')).toBe(head);
    expect(server.pulls()).toEqual([]);
  });

  it('puts the previous values back when Flux reports the change failed (autoRollback), and never rolls back the rollback', async () => {
    // Prepare
    const options = { clock, fallbackEnvironment: 'dev', renderer };
    const change = valuesChange('staging', 'replicaCount: 4\n', { runId: 'values-run-b' });
    expect(await runValuesChange(host, 'main', change, options)).toMatchObject({ status: 'committed' });
    const { deps, settings, metrics } = fixture();

    // Act
    const failed = await handleReleaseEvent(event('UpgradeFailed', 'values-run-b'), deps, settings);
    const restored = await stagingRelease();
    const rollbackRun = /event\.toolkit\.fluxcd\.io\/run-id: (\S+)/.exec(restored)?.[1] ?? '';
    const headAfterRollback = await server.git('rev-parse', 'main');
    const again = await handleReleaseEvent(event('UpgradeFailed', rollbackRun), deps, settings);

    // Assess
    expect(failed).toMatchObject({
      status: 'failed',
      change: 'values',
      valuesRollback: { kind: 'rollback', status: 'committed' },
    });
    // The values before the failed change (replicaCount: 3, the human's comment kept).
    expect(restored).toContain(
      '  values:\n    # two replicas: the on-call asked for it (OPS-12)\n    replicaCount: 3',
    );
    expect(rollbackRun).toMatch(/^rollback-values-/);
    expect(await server.git('log', '-1', '--format=%s', 'main')).toBe(
      'rollback values of hello-web in staging (replicaCount)',
    );
    expect(metrics.total('RollbacksCommitted')).toBe(1);
    expect(again).toMatchObject({ status: 'failed', change: 'values' });
    expect(again).not.toHaveProperty('valuesRollback');
    expect(await server.git('rev-parse', 'main')).toBe(headAfterRollback);
  });

  it('refuses a rollback with NO_PREVIOUS_VALUES, committing nothing, when it cannot know the values before the change', async () => {
    // Prepare: a change in staging records its base; prod's release was never changed by us.
    const options = { clock, fallbackEnvironment: 'dev', renderer };
    const change = valuesChange('staging', 'replicaCount: 5\n', { runId: 'values-run-c' });
    expect(await runValuesChange(host, 'main', change, options)).toMatchObject({ status: 'committed' });
    const head = await server.git('rev-parse', 'main');
    const rollback = (chart: string, environment: string) =>
      runValuesRollback(host, 'main', { chart, environment, runId: 'rollback-values-x' }, options);

    // Act
    const notRunning = await rollback('absent', 'staging');
    const noBase = await rollback('hello-web', 'prod');
    // Another writer moves the values-base branch away from the commit the change was made on.
    const baseBranch = valuesBaseBranch('staging', 'hello-web');
    await server.git('update-ref', `refs/heads/${baseBranch}`, head);
    const moved = await rollback('hello-web', 'staging');
    await server.git('update-ref', '-d', `refs/heads/${baseBranch}`);
    const deleted = await rollback('hello-web', 'staging');

    // Assess: one refusal per cause, each saying which.
    const refusal = (message: RegExp) => ({ status: 'refused', code: 'NO_PREVIOUS_VALUES', message });
    expect(notRunning).toMatchObject(refusal(/staging does not run absent/));
    expect(noBase).toMatchObject(refusal(/records no .*not made by chart-promoter/));
    expect(moved).toMatchObject(refusal(new RegExp(`branch .* points at ${head}, not at`)));
    expect(deleted).toMatchObject(refusal(/branch .* does not exist/));
    expect(await server.git('rev-parse', 'main')).toBe(head);
  });
});
