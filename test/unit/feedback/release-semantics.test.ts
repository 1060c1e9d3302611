import { describe, expect, it } from 'vitest';
import type { HelmReleaseEventReason } from '../../../functions/local/flux-release-event';
import {
  enableTests,
  FakeClock,
  feedbackFixture,
  helmReleaseEvent,
  repositoryWithWeb,
  signed,
} from '../../support/feedback-harness';

/**
 * What helm-controller's events mean, read in its source (fluxcd/helm-controller; the reasons, their
 * severities and metadata are listed in functions/feedback/helm-controller-reasons.ts):
 *
 * - with `spec.test.enable`, the tests run AFTER the install or upgrade
 *   (internal/reconcile/atomic_release.go: `ReleaseStatusUntested` → `NewTest`), and Ready follows the
 *   TestSuccess condition (internal/reconcile/release.go `summarize`), unless `spec.test.ignoreFailures`;
 * - every failure is recorded as a Warning (→ severity error): install.go, upgrade.go, test.go,
 *   rollback_remediation.go, uninstall_remediation.go, and ArtifactFailed in
 *   internal/controller/helmrelease_controller.go (with `Eventf`: no revision, only the run-id
 *   annotation);
 * - a rollback event's revision is the version rolled back TO (rollback_remediation.go: `prev.ChartVersion`).
 */
const POLICY = `environments:
  - name: dev
    autoRollback: true
  - name: staging
    after: dev
`;
const DEV = 'environments/dev/web.yaml';
const NOW = new Date('2026-03-01T10:00:30Z');

/** dev runs web 1.1.0 (run-web-1.1.0), after 1.0.0; staging nothing yet. */
const setup = async (tests?: 'enabled' | 'ignore-failures') => {
  const clock = new FakeClock(NOW);
  const host = await repositoryWithWeb(POLICY, ['1.0.0', '1.1.0'], clock);
  if (tests) await enableTests(host, DEV, { ignoreFailures: tests === 'ignore-failures' });
  const fixture = feedbackFixture(host, clock);
  const report = (reason: HelmReleaseEventReason, overrides: Record<string, unknown> = {}) =>
    fixture.deliver(
      signed({
        ...helmReleaseEvent({
          reason,
          revision: '1.1.0',
          runId: 'run-web-1.1.0',
          timestamp: new Date('2026-03-01T10:00:00Z'),
        }),
        ...overrides,
      }),
    );
  const subjects = () => host.commits.map((c) => c.message.split('\n')[0]);
  return { host, clock, report, subjects, ...fixture };
};

describe('a release whose Helm tests are enabled (spec.test.enable in git)', () => {
  it('is healthy only at TestSucceeded: UpgradeSucceeded before the tests promotes nothing', async () => {
    // Prepare
    const t = await setup('enabled');
    const head = t.host.head;
    // Act
    const upgraded = await t.report('UpgradeSucceeded');
    const installed = await t.report('InstallSucceeded');
    const afterRelease = t.host.head;
    const tested = await t.report('TestSucceeded');
    // Assess
    expect(upgraded).toMatchObject({
      statusCode: 200,
      body: { status: 'ignored', reason: 'AWAITING_TESTS' },
    });
    expect(installed.body).toMatchObject({ status: 'ignored', reason: 'AWAITING_TESTS' });
    expect(afterRelease).toBe(head);
    expect(t.metrics.total('ReleaseConverged')).toBe(1);
    expect(tested.body).toMatchObject({
      status: 'converged',
      environment: 'dev',
      version: '1.1.0',
      next: [{ environment: 'staging', action: 'promoted', outcome: { status: 'committed' } }],
    });
    expect(t.subjects().at(-1)).toBe('promote web 1.1.0 to staging');
  });

  it('TestFailed is a failure: ReleaseFailed, and with autoRollback the previous version goes back', async () => {
    // Prepare
    const t = await setup('enabled');
    await t.report('UpgradeSucceeded');
    // Act
    const failed = await t.report('TestFailed');
    // Assess
    expect(failed.body).toMatchObject({
      status: 'failed',
      environment: 'dev',
      version: '1.1.0',
      rollback: { status: 'committed', fromVersion: '1.1.0', toVersion: '1.0.0' },
    });
    expect(t.metrics.total('ReleaseFailed')).toBe(1);
    expect(t.subjects().at(-1)).toBe('rollback web in dev to 1.0.0');
    // The test setting survives the rollback (values and settings stay byte for byte).
    expect(t.host.text(DEV)).toContain('  test:\n    enable: true\n');
  });

  it('with spec.test.ignoreFailures the tests do not gate: healthy at UpgradeSucceeded, test results change nothing', async () => {
    // Prepare
    const t = await setup('ignore-failures');
    // Act
    const failedTests = await t.report('TestFailed');
    const passedTests = await t.report('TestSucceeded');
    const head = t.host.head;
    const upgraded = await t.report('UpgradeSucceeded');
    // Assess
    expect(failedTests.body).toMatchObject({ status: 'ignored', reason: 'TESTS_NOT_GATING' });
    expect(passedTests.body).toMatchObject({ status: 'ignored', reason: 'TESTS_NOT_GATING' });
    expect(t.host.head).not.toBe(head);
    expect(upgraded.body).toMatchObject({ status: 'converged', next: [{ environment: 'staging' }] });
    expect(t.metrics.total('ReleaseFailed')).toBe(0);
  });

  it('without spec.test.enable a TestSucceeded changes nothing (the upgrade already counted)', async () => {
    // Prepare
    const t = await setup();
    const head = t.host.head;
    // Act
    const tested = await t.report('TestSucceeded');
    // Assess
    expect(tested.body).toMatchObject({ status: 'ignored', reason: 'TESTS_NOT_GATING' });
    expect(t.host.head).toBe(head);
  });
});

describe('every failure helm-controller records is a failure', () => {
  it.each([
    ['InstallFailed', {}],
    ['UpgradeFailed', {}],
    ['UninstallFailed', {}],
    // Revision = the version helm-controller tried to roll back to; the run id names our run.
    [
      'RollbackFailed',
      { metadata: { 'app-version': '1.0.0', revision: '1.0.0', 'run-id': 'run-web-1.1.0' } },
    ],
    // Recorded with Eventf: no revision, only the object's run-id annotation.
    ['ArtifactFailed', { metadata: { 'run-id': 'run-web-1.1.0' } }],
  ] as const)('%s: severity error, ReleaseFailed, rollback with autoRollback', async (reason, overrides) => {
    // Prepare
    const t = await setup();
    // Act
    const response = await t.report(reason, overrides);
    // Assess
    expect(response.body).toMatchObject({
      status: 'failed',
      environment: 'dev',
      version: '1.1.0',
      rollback: { status: 'committed', toVersion: '1.0.0' },
    });
    expect(t.metrics.total('ReleaseFailed')).toBe(1);
  });

  it.each([
    ['RemediationFailed', 'helm-controller emits no reason RemediationFailed'],
    ['RetriesExceeded', 'helm-controller emits no reason RetriesExceeded'],
    ['RollbackSucceeded', 'remediated a failure it reported before'],
    ['UninstallSucceeded', 'remediated a failure it reported before'],
    ['DriftDetected', 'helm-controller corrects it'],
  ])('%s changes nothing (REASON_NOT_TRACKED, logged why)', async (reason, why) => {
    // Prepare: RemediationFailed does not exist; RetriesExceeded is a Stalled condition reason
    // (internal/reconcile/atomic_release.go `MarkStalled`), never an event.
    const t = await setup();
    const head = t.host.head;
    // Act
    const response = await t.report('UpgradeFailed', {
      reason,
      severity: reason.endsWith('Succeeded') ? 'info' : 'error',
    });
    // Assess
    expect(response.body).toMatchObject({ status: 'ignored', reason: 'REASON_NOT_TRACKED' });
    expect((response.body as { message: string }).message).toContain(why);
    expect(t.host.head).toBe(head);
    expect(t.metrics.total('ReleaseFailed')).toBe(0);
  });
});

describe('failures that are not about what chart-promoter wrote last change nothing', () => {
  it.each([
    ['an ArtifactFailed without a run id', 'ArtifactFailed', { metadata: {} }, 'NO_REVISION'],
    [
      'an ArtifactFailed of an earlier run',
      'ArtifactFailed',
      { metadata: { 'run-id': 'run-web-1.0.0' } },
      'UNKNOWN_RUN',
    ],
    [
      'a RollbackFailed of an earlier run',
      'RollbackFailed',
      { metadata: { revision: '1.0.0', 'run-id': 'run-web-1.0.0' } },
      'UNKNOWN_RUN',
    ],
    [
      'a RollbackFailed without a run id, to another version',
      'RollbackFailed',
      { metadata: { revision: '0.9.0' } },
      'OLD_REVISION',
    ],
    [
      'a TestFailed of an older revision',
      'TestFailed',
      { metadata: { revision: '1.0.0', 'run-id': 'run-web-1.1.0' } },
      'OLD_REVISION',
    ],
  ] as const)('%s: ignored', async (_, reason, overrides, code) => {
    // Prepare
    const t = await setup('enabled');
    const head = t.host.head;
    // Act
    const response = await t.report(reason, overrides);
    // Assess
    expect(response.body).toMatchObject({ status: 'ignored', reason: code });
    expect(t.host.head).toBe(head);
    expect(t.metrics.total('ReleaseFailed')).toBe(0);
  });

  it('a RollbackFailed without a run id, to the version the release replaced, is a failure', async () => {
    // Prepare
    const t = await setup();
    // Act
    const response = await t.report('RollbackFailed', { metadata: { revision: '1.0.0' } });
    // Assess
    expect(response.body).toMatchObject({ status: 'failed', rollback: { toVersion: '1.0.0' } });
  });
});

describe('a rollback that converges', () => {
  it('records the convergence but promotes the rolled-back version nowhere (no lead time either)', async () => {
    // Prepare: 1.1.0 fails in dev (autoRollback) → 1.0.0 goes back under a rollback run id.
    const t = await setup();
    const failed = await t.report('UpgradeFailed');
    expect(failed.body).toMatchObject({ status: 'failed', rollback: { status: 'committed' } });
    const rollbackRunId = /event\.toolkit\.fluxcd\.io\/run-id: (\S+)/.exec(t.host.text(DEV) ?? '')?.[1];
    expect(rollbackRunId).toMatch(/^rollback-/);
    const head = t.host.head;
    // Act: helm-controller reports the rolled-back release healthy.
    const converged = await t.report('UpgradeSucceeded', {
      metadata: { revision: '1.0.0', 'run-id': rollbackRunId },
    });
    // Assess: converged, nothing after it (staging never sees 1.0.0 from this), no lead time.
    expect(converged.body).toMatchObject({
      status: 'converged',
      environment: 'dev',
      version: '1.0.0',
      next: [],
    });
    expect(converged.body).not.toHaveProperty('leadTimeMs');
    expect(t.host.head).toBe(head);
    expect(t.host.text('environments/staging/web.yaml')).toBeUndefined();
    expect(t.metrics.total('ReleaseConverged')).toBe(1);
    expect(t.scheduler.pending).toEqual([]);
  });
});
