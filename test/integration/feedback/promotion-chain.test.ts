import * as fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PlainGitHost } from '../../../functions/adapters/git-hosts/git/plain-git-host';
import type { HelmReleaseEventReason } from '../../../functions/local/flux-release-event';
import { RecordedMetrics } from '../../../functions/local/recorded-metrics';
import type { PipelineDependencies, PipelineSettings } from '../../../functions/pipeline/pipeline-context';
import { runPromotionCommand } from '../../../functions/pipeline/run-promotion-command';
import type { ObjectStore } from '../../../functions/ports/object-store';
import type { InMemoryScheduler } from '../../../functions/ports/scheduler';
import { commitUploads } from '../../../functions/promotion/uploads/commit-uploads';
import { createBareRepo, type Git } from '../../support/bare-repo';
import { FakeClock, feedbackFixture, helmReleaseEvent, signed } from '../../support/feedback-harness';
import { makeRequest } from '../../support/promotion-fixtures';

/**
 * The whole loop against a real git repository (PlainGitHost on a local bare repo), driven only by
 * signed Flux-format events, a fake clock and the in-memory scheduler:
 * upload → dev; dev healthy → staging after a 10 min soak; staging healthy → prod as a branch
 * (plain git has no pull requests); staging failing → rollback commit restoring the previous version.
 */
const POLICY = `environments:
  - name: dev
  - name: staging
    after: dev
    soak: 10m
    autoRollback: true
  - name: prod
    after: staging
    mode: pull-request
`;

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const START = new Date('2026-03-01T10:00:00Z');
const unusedStore: ObjectStore = {
  get: () => Promise.reject(new Error('no uploads in this test')),
  tag: () => Promise.reject(new Error('no uploads in this test')),
};

const setup = async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'chain-'));
  dirs.push(dir);
  const git: Git = await createBareRepo(path.join(dir, 'cluster.git'), { '.chart-promoter.yaml': POLICY });
  const clock = new FakeClock(START);
  const host = new PlainGitHost({
    remote: { path: path.join(dir, 'cluster.git') },
    fs,
    now: () => clock.now(),
  });
  const feedback = feedbackFixture(host, clock);
  const pipelineDeps: PipelineDependencies = {
    store: unusedStore,
    host,
    clock,
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    metrics: new RecordedMetrics(),
    newRunId: () => 'unused',
    scheduler: feedback.scheduler,
  };
  const pipelineSettings: PipelineSettings = {
    branch: 'main',
    bucketPrefix: 'incoming/',
    targetEnvironment: 'dev',
    limits: { maxArchiveBytes: 1, maxDecompressedBytes: 1, maxFileBytes: 1, maxEntries: 1 },
    plan: {},
  };
  const upload = async (version: string) => {
    const { environment: _, ...request } = makeRequest('web', version, 'dev', { runId: `run-${version}` });
    return commitUploads(host, 'main', [{ ...request, uploadedAt: clock.now().toISOString() }], {
      clock,
      fallbackEnvironment: 'dev',
    });
  };
  /** Flux reports `reason` for web in `namespace`, one second ago. */
  const report = (
    namespace: string,
    version: string,
    runId: string,
    reason: HelmReleaseEventReason = 'UpgradeSucceeded',
  ) =>
    feedback.deliver(
      signed(
        helmReleaseEvent({
          namespace,
          revision: version,
          runId,
          reason,
          timestamp: new Date(clock.now().getTime() - 1000),
        }),
      ),
    );
  const runDue = async (scheduler: InMemoryScheduler) =>
    Promise.all(
      scheduler
        .takeDue(clock.now())
        .map((command) => runPromotionCommand(command, pipelineDeps, pipelineSettings)),
    );
  const show = (ref: string, file: string) => git('show', `${ref}:${file}`).catch(() => undefined);
  return { git, clock, host, ...feedback, upload, report, runDue, show, pipelineDeps, pipelineSettings };
};

describe('progressive promotion driven by Flux events', () => {
  it('dev → staging after the soak → prod as a pushed branch, each step only after a signed event', async () => {
    // Prepare
    const t = await setup();
    await t.upload('1.0.0');
    const afterUpload = await t.git('rev-parse', 'main');
    // Act 1: dev converged → staging is scheduled, not committed.
    const devReady = await t.report('dev', '1.0.0', 'run-1.0.0');
    t.clock.advance(5 * 60_000);
    const early = await t.runDue(t.scheduler);
    // Assess 1
    expect(devReady.body).toMatchObject({
      status: 'converged',
      next: [{ environment: 'staging', action: 'scheduled' }],
    });
    expect(t.metrics.recorded.find((m) => m.name === 'UploadToReadyMs')?.value).toBe(0);
    expect(early).toEqual([]);
    expect(await t.git('rev-parse', 'main')).toBe(afterUpload);
    // Act 2: the soak is over.
    t.clock.advance(5 * 60_000);
    const due = await t.runDue(t.scheduler);
    // Assess 2
    expect(due).toMatchObject([{ status: 'committed', environment: 'staging', toVersion: '1.0.0' }]);
    expect(await t.git('log', '-1', '--format=%s', 'main')).toBe('promote web 1.0.0 to staging');
    expect(await t.show('main', 'environments/staging/web.yaml')).toContain('chart: ./charts/web/1.0.0');
    // Act 3: staging converged → prod is gated: a branch, main untouched.
    t.clock.advance(60_000);
    const stagingReady = await t.report('staging', '1.0.0', 'run-1.0.0');
    const again = await t.report('staging', '1.0.0', 'run-1.0.0');
    // Assess 3
    expect(stagingReady.body).toMatchObject({
      next: [
        {
          environment: 'prod',
          action: 'promoted',
          outcome: { status: 'branch-pushed', branch: 'promote/prod/web' },
        },
      ],
    });
    expect(again.body).toEqual({ status: 'duplicate' });
    expect(t.metrics.recorded.find((m) => m.name === 'UploadToReadyMs' && m.value > 0)?.value).toBe(
      11 * 60_000,
    );
    expect(await t.show('main', 'environments/prod/web.yaml')).toBeUndefined();
    expect(await t.show('promote/prod/web', 'environments/prod/web.yaml')).toContain(
      'chart: ./charts/web/1.0.0',
    );
    expect(await t.git('rev-parse', 'promote/prod/web~1')).toBe(await t.git('rev-parse', 'main'));
  });

  it('a failed upgrade in staging commits the previous version back, byte for byte, once', async () => {
    // Prepare: staging runs 1.0.0, then 1.1.0 goes through dev and the soak.
    const t = await setup();
    await t.upload('1.0.0');
    await t.report('dev', '1.0.0', 'run-1.0.0');
    t.clock.advance(10 * 60_000);
    await t.runDue(t.scheduler);
    const stagingAt100 = (await t.show('main', 'environments/staging/web.yaml'))!;
    await t.upload('1.1.0');
    await t.report('dev', '1.1.0', 'run-1.1.0');
    t.clock.advance(10 * 60_000);
    await t.runDue(t.scheduler);
    const stagingAt110 = (await t.show('main', 'environments/staging/web.yaml'))!;
    // Act
    const failed = await t.report('staging', '1.1.0', 'run-1.1.0', 'UpgradeFailed');
    const rolledBack = (await t.show('main', 'environments/staging/web.yaml'))!;
    const head = await t.git('rev-parse', 'main');
    // helm-controller's own remediation of the failed run reports late: it names the run that failed.
    const late = await t.report('staging', '1.0.0', 'run-1.1.0', 'RollbackFailed');
    // Assess
    expect(stagingAt110).toContain('chart-promoter.io/previous-version: 1.0.0');
    expect(failed.body).toMatchObject({
      status: 'failed',
      rollback: { status: 'committed', toVersion: '1.0.0', fromVersion: '1.1.0' },
    });
    expect(await t.git('log', '-1', '--format=%s', 'main')).toBe('rollback web in staging to 1.0.0');
    const annotationsOut = (text: string) =>
      text.replace(/^ {4}(event\.toolkit\.fluxcd\.io|chart-promoter\.io)\/.*\n/gm, '');
    expect(annotationsOut(rolledBack)).toBe(annotationsOut(stagingAt100));
    expect(rolledBack).toContain('chart-promoter.io/previous-version: 1.1.0');
    expect(rolledBack).toMatch(/event\.toolkit\.fluxcd\.io\/run-id: rollback-/);
    expect(late.body).toMatchObject({ status: 'ignored', reason: 'UNKNOWN_RUN' });
    expect(await t.git('rev-parse', 'main')).toBe(head);
  });

  it('rewrites what describes a version on every move, rollbacks included: the upload time comes back with the version', async () => {
    // Prepare: 1.0.0 uploaded at 10:00, 1.1.0 at 10:20; both reach staging after their soak.
    const t = await setup();
    const annotationsOf = (text: string | undefined): Record<string, string> =>
      (parse(text ?? '') as { metadata?: { annotations?: Record<string, string> } } | null)?.metadata
        ?.annotations ?? {};
    const uploadedAt = (text: string | undefined) => ({
      at: annotationsOf(text)['chart-promoter.io/uploaded-at'],
      previous: annotationsOf(text)['chart-promoter.io/previous-uploaded-at'],
    });
    await t.upload('1.0.0');
    await t.report('dev', '1.0.0', 'run-1.0.0');
    t.clock.advance(10 * 60_000);
    await t.runDue(t.scheduler);
    t.clock.advance(10 * 60_000);
    await t.upload('1.1.0');
    await t.report('dev', '1.1.0', 'run-1.1.0');
    t.clock.advance(10 * 60_000);
    await t.runDue(t.scheduler);
    const staging = () => t.show('main', 'environments/staging/web.yaml');
    const before = uploadedAt(await staging());
    const leadTimes = () => t.metrics.recorded.filter((m) => m.name === 'UploadToReadyMs').length;

    // Act 1: 1.1.0 fails in staging → automatic rollback to 1.0.0.
    await t.report('staging', '1.1.0', 'run-1.1.0', 'UpgradeFailed');
    const afterRollback = uploadedAt(await staging());
    // Act 2: the rolled-back release converges: no lead time from 1.0.0's old upload.
    const recordedBefore = leadTimes();
    const rollbackRunId = annotationsOf(await staging())['event.toolkit.fluxcd.io/run-id'] ?? '';
    await t.report('staging', '1.0.0', rollbackRunId);
    const recordedAfter = leadTimes();
    // Act 3: a second (manual) rollback undoes the first: 1.1.0 and its upload time come back.
    await runPromotionCommand(
      { chartPromoter: 'rollback', chart: 'web', environment: 'staging' },
      t.pipelineDeps,
      t.pipelineSettings,
    );
    const afterSecond = uploadedAt(await staging());
    // Act 4: 1.0.0 promoted by hand to prod with no source environment: dev's release remembers it.
    await runPromotionCommand(
      { chartPromoter: 'promote', chart: 'web', version: '1.0.0', to: 'prod' },
      t.pipelineDeps,
      t.pipelineSettings,
    );
    const prod = uploadedAt(await t.show('promote/prod/web', 'environments/prod/web.yaml'));

    // Assess
    expect(rollbackRunId).toMatch(/^rollback-/);
    expect(before).toEqual({ at: '2026-03-01T10:20:00.000Z', previous: '2026-03-01T10:00:00.000Z' });
    expect(afterRollback).toEqual({ at: '2026-03-01T10:00:00.000Z', previous: '2026-03-01T10:20:00.000Z' });
    expect(recordedAfter).toBe(recordedBefore);
    expect(afterSecond).toEqual({ at: '2026-03-01T10:20:00.000Z', previous: '2026-03-01T10:00:00.000Z' });
    expect(prod.at).toBe('2026-03-01T10:00:00.000Z');
  });

  it('staging with Helm tests enabled: prod only after TestSucceeded; a TestFailed rolls staging back', async () => {
    // helm-controller runs the tests after the install/upgrade (internal/reconcile/atomic_release.go)
    // and health follows them (internal/reconcile/release.go `summarize`); TestFailed is a Warning
    // (internal/reconcile/test.go). Prepare: staging runs 1.0.0, and a human enables its tests.
    const t = await setup();
    await t.upload('1.0.0');
    await t.report('dev', '1.0.0', 'run-1.0.0');
    t.clock.advance(10 * 60_000);
    await t.runDue(t.scheduler);
    const file = 'environments/staging/web.yaml';
    const read = await t.host.snapshot('main', { files: [file], trees: [] });
    await t.host.commit('main', read.head, {
      message: 'enable Helm tests in staging',
      changes: [
        {
          path: file,
          content: new TextEncoder().encode(`${read.files.get(file)}  test:\n    enable: true\n`),
        },
      ],
    });
    const enabled = await t.git('rev-parse', 'main');

    // Act 1: the install is reported before the tests ran, then the tests pass.
    const installed = await t.report('staging', '1.0.0', 'run-1.0.0', 'InstallSucceeded');
    const prodBeforeTests = await t.git('for-each-ref', 'refs/heads/promote/');
    const tested = await t.report('staging', '1.0.0', 'run-1.0.0', 'TestSucceeded');

    // Assess 1
    expect(installed.body).toMatchObject({ status: 'ignored', reason: 'AWAITING_TESTS' });
    expect(prodBeforeTests).toBe('');
    expect(await t.git('rev-parse', 'main')).toBe(enabled);
    expect(tested.body).toMatchObject({
      status: 'converged',
      next: [{ environment: 'prod', outcome: { status: 'branch-pushed', branch: 'promote/prod/web' } }],
    });

    // Act 2: 1.1.0 reaches staging, upgrades, and its tests fail.
    await t.upload('1.1.0');
    await t.report('dev', '1.1.0', 'run-1.1.0');
    t.clock.advance(10 * 60_000);
    await t.runDue(t.scheduler);
    const atStaging = await t.git('rev-parse', 'main');
    const upgraded = await t.report('staging', '1.1.0', 'run-1.1.0', 'UpgradeSucceeded');
    const afterUpgrade = await t.git('rev-parse', 'main');
    const failed = await t.report('staging', '1.1.0', 'run-1.1.0', 'TestFailed');

    // Assess 2
    expect(upgraded.body).toMatchObject({ status: 'ignored', reason: 'AWAITING_TESTS' });
    expect(afterUpgrade).toBe(atStaging);
    expect(await t.git('for-each-ref', '--format=%(refname:short)', 'refs/heads/promote/')).toBe(
      'promote/prod/web',
    );
    expect(failed.body).toMatchObject({
      status: 'failed',
      rollback: { status: 'committed', fromVersion: '1.1.0', toVersion: '1.0.0' },
    });
    expect(await t.git('log', '-1', '--format=%s', 'main')).toBe('rollback web in staging to 1.0.0');
    const rolledBack = (await t.show('main', file))!;
    expect(rolledBack).toContain('chart: ./charts/web/1.0.0');
    expect(rolledBack).toContain('  test:\n    enable: true');
    expect(t.metrics.total('ReleaseFailed')).toBe(1);
  });

  it('skips a scheduled promotion whose source was rolled back or superseded meanwhile', async () => {
    // Prepare
    const t = await setup();
    await t.upload('1.0.0');
    await t.report('dev', '1.0.0', 'run-1.0.0');
    await t.upload('1.1.0');
    const head = await t.git('rev-parse', 'main');
    // Act
    t.clock.advance(10 * 60_000);
    const due = await t.runDue(t.scheduler);
    // Assess
    expect(due).toMatchObject([
      { status: 'skipped', reason: expect.stringContaining('dev no longer runs web 1.0.0') },
    ]);
    expect(await t.git('rev-parse', 'main')).toBe(head);
  });
});
