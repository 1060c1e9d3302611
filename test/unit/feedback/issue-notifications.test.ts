import { describe, expect, it } from 'vitest';
import { jiraCommentText } from '../../../functions/adapters/jira-issue-notifier';
import type { HelmReleaseEventReason } from '../../../functions/local/flux-release-event';
import type { IssueNotifier, PromotionNotice } from '../../../functions/ports/issue-notifier';
import { commitUploads } from '../../../functions/promotion/uploads/commit-uploads';
import { FakeClock, feedbackFixture, helmReleaseEvent, signed } from '../../support/feedback-harness';
import { InMemoryGitHost } from '../../support/in-memory-git-host';
import { makeRequest } from '../../support/promotion-fixtures';

/** staging follows dev without a soak, so a converged dev promotes at once; a failed staging rolls back. */
const POLICY = `environments:
  - name: dev
  - name: staging
    after: dev
    autoRollback: true
`;
const NOW = new Date('2026-03-01T10:00:30Z');

/** Records every notification; fails every call when `failing`. */
class RecordingNotifier implements IssueNotifier {
  readonly calls: { keys: readonly string[]; notice: PromotionNotice }[] = [];
  constructor(private readonly failing = false) {}
  async promoted(keys: readonly string[], notice: PromotionNotice): Promise<void> {
    this.calls.push({ keys, notice });
    if (this.failing) throw new Error('Jira is down');
  }
}

const setup = (notifier: IssueNotifier) => {
  const host = new InMemoryGitHost({ '.chart-promoter.yaml': POLICY });
  const clock = new FakeClock(NOW);
  const { deliver } = feedbackFixture(host, clock, { deps: { issueNotifier: notifier } });
  /** An upload of web `version` carrying `issues`, committed to dev. */
  const upload = async (version: string, issues: readonly string[]) => {
    const { environment: _, ...request } = makeRequest('web', version);
    await commitUploads(
      host,
      'main',
      [{ ...request, runId: `run-web-${version}`, issues, uploadedAt: '2026-03-01T09:55:00Z' }],
      { clock, fallbackEnvironment: 'dev' },
    );
  };
  /** Flux reports `reason` for web `version` in `namespace`, one second ago. */
  const report = (namespace: string, version: string, reason: HelmReleaseEventReason = 'UpgradeSucceeded') =>
    deliver(
      signed(
        helmReleaseEvent({
          namespace,
          revision: version,
          runId: `run-web-${version}`,
          reason,
          timestamp: new Date(clock.now().getTime() - 1000),
        }),
      ),
    );
  return { host, upload, report };
};

describe('feedback promotions tell the issue tracker', () => {
  it('notifies the version’s issue keys when a converged environment promotes the next one (soak 0)', async () => {
    // Prepare
    const notifier = new RecordingNotifier();
    const t = setup(notifier);
    await t.upload('1.0.0', ['PROJ-1', 'OPS-7']);
    // Act
    const response = await t.report('dev', '1.0.0');
    // Assess
    expect(response.body).toMatchObject({
      status: 'converged',
      next: [{ environment: 'staging', action: 'promoted', outcome: { status: 'committed' } }],
    });
    expect(notifier.calls).toEqual([
      {
        keys: ['PROJ-1', 'OPS-7'],
        notice: { chart: 'web', version: '1.0.0', environment: 'staging', commit: t.host.head },
      },
    ]);
  });

  it('notifies the failed version’s issue keys of an auto-rollback, naming both versions', async () => {
    // Prepare: staging runs 1.0.0 (PROJ-1), then 1.1.0 (PROJ-2).
    const notifier = new RecordingNotifier();
    const t = setup(notifier);
    await t.upload('1.0.0', ['PROJ-1']);
    await t.report('dev', '1.0.0');
    await t.upload('1.1.0', ['PROJ-2']);
    await t.report('dev', '1.1.0');
    notifier.calls.length = 0;
    // Act
    const response = await t.report('staging', '1.1.0', 'UpgradeFailed');
    // Assess
    expect(response.body).toMatchObject({
      status: 'failed',
      rollback: { status: 'committed', toVersion: '1.0.0', fromVersion: '1.1.0' },
    });
    const commit = t.host.head!;
    expect(notifier.calls).toEqual([
      {
        keys: ['PROJ-2'],
        notice: { chart: 'web', version: '1.0.0', environment: 'staging', commit, rolledBackFrom: '1.1.0' },
      },
    ]);
    expect(jiraCommentText(notifier.calls[0]!.notice)).toBe(
      `chart-promoter: *web 1.1.0* was rolled back in *staging* to 1.0.0 (commit {{${commit.slice(0, 12)}}}).`,
    );
  });

  it('tells nothing for a version without issue keys, and still promotes when the tracker fails', async () => {
    // Prepare
    const failing = new RecordingNotifier(true);
    const t = setup(failing);
    await t.upload('1.0.0', []);
    const withoutKeys = await t.report('dev', '1.0.0');
    await t.upload('1.1.0', ['PROJ-3']);
    // Act
    const withKeys = await t.report('dev', '1.1.0');
    // Assess
    for (const response of [withoutKeys, withKeys])
      expect(response.body).toMatchObject({
        status: 'converged',
        next: [{ environment: 'staging', action: 'promoted', outcome: { status: 'committed' } }],
      });
    expect(failing.calls.map((c) => c.keys)).toEqual([['PROJ-3']]);
    const staging = await t.host.snapshot('main', { files: ['environments/staging/web.yaml'], trees: [] });
    expect(staging.files.get('environments/staging/web.yaml')).toContain('chart: ./charts/web/1.1.0');
  });
});
