import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { RecordedMetrics } from '../../../functions/local/recorded-metrics';
import { handleSqsBatch } from '../../../functions/pipeline/handle-sqs-batch';
import type { PipelineDependencies, PipelineSettings } from '../../../functions/pipeline/pipeline-context';
import { runPromotionCommand } from '../../../functions/pipeline/run-promotion-command';
import type { ObjectStore } from '../../../functions/ports/object-store';
import { InMemoryScheduler } from '../../../functions/ports/scheduler';
import { commitUploads } from '../../../functions/promotion/uploads/commit-uploads';
import { FakeClock } from '../../support/feedback-harness';
import { InMemoryGitHost } from '../../support/in-memory-git-host';
import { makeRequest } from '../../support/promotion-fixtures';

/** Promotion commands (CLI, schedule) through the promote pipeline, and the policy at upload time. */
const POLICY = `environments:
  - name: dev
    charts: ["web", "api-*"]
  - name: staging
    after: dev
`;
const unusedStore: ObjectStore = {
  get: () => Promise.reject(new Error('unused')),
  tag: () => Promise.reject(new Error('unused')),
};

const setup = async (policy = POLICY) => {
  const host = new InMemoryGitHost({ '.chart-promoter.yaml': policy });
  const clock = new FakeClock(new Date('2026-03-01T10:00:00Z'));
  const scheduler = new InMemoryScheduler();
  let runs = 0;
  const deps: PipelineDependencies = {
    store: unusedStore,
    host,
    clock,
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    metrics: new RecordedMetrics(),
    newRunId: () => `id-${++runs}`,
    scheduler,
  };
  const settings: PipelineSettings = {
    branch: 'main',
    bucketPrefix: 'incoming/',
    targetEnvironment: 'ignored-when-a-policy-exists',
    limits: { maxArchiveBytes: 1, maxDecompressedBytes: 1, maxFileBytes: 1, maxEntries: 1 },
    plan: {},
  };
  const upload = (name: string, version: string) => {
    const { environment: _, ...request } = makeRequest(name, version);
    return commitUploads(host, 'main', [request], { clock, fallbackEnvironment: 'dev' });
  };
  return { host, clock, scheduler, deps, settings, upload };
};

const sqs = (...bodies: string[]): SQSEvent =>
  ({
    Records: bodies.map((body, i) => ({
      messageId: `m${i}`,
      body,
      receiptHandle: 'r',
      attributes: {},
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:intake',
      awsRegion: 'eu-west-1',
    })),
  }) as SQSEvent;

describe('uploads follow the policy', () => {
  it('goes to the first environment and refuses a chart outside its allow-list with CHART_NOT_ALLOWED', async () => {
    // Prepare
    const { host, clock } = await setup();
    const requests = [makeRequest('web', '1.0.0'), makeRequest('other', '1.0.0')].map(
      ({ environment: _, ...r }) => r,
    );
    // Act
    const run = await commitUploads(host, 'main', requests, { clock, fallbackEnvironment: 'prod' });
    // Assess
    expect(run.environment).toBe('dev');
    expect(
      run.outcomes.map((o) => [o.request.chart.name, o.status, o.status === 'refused' ? o.code : '']),
    ).toEqual([
      ['web', 'promoted', ''],
      ['other', 'refused', 'CHART_NOT_ALLOWED'],
    ]);
    expect(host.commits).toHaveLength(1);
    expect(host.text('charts/other/1.0.0/Chart.yaml')).toBeUndefined();
  });

  it('fails with a retryable POLICY_INVALID naming the line when the policy is broken, committing nothing', async () => {
    // Prepare
    const { upload, host } = await setup('environments:\n  - name: dev\n  - name: qa\n    after: nowhere\n');
    // Act
    const attempt = upload('web', '1.0.0');
    // Assess
    await expect(attempt).rejects.toMatchObject({
      code: 'POLICY_INVALID',
      disposition: 'retryable',
      message: expect.stringContaining('line 4'),
    });
    expect(host.commits).toHaveLength(0);
  });
});

describe('promotion commands', () => {
  it('runs promote and rollback commands from SQS; a malformed command stays for the dead-letter queue', async () => {
    // Prepare
    const { host, deps, settings, upload } = await setup();
    await upload('web', '1.0.0');
    await upload('web', '1.1.0');
    // Act
    const { response, commands } = await handleSqsBatch(
      sqs(
        JSON.stringify({ chartPromoter: 'promote', chart: 'web', version: '1.1.0', to: 'staging' }),
        JSON.stringify({ chartPromoter: 'rollback', chart: 'web', environment: 'dev' }),
        JSON.stringify({ chartPromoter: 'promote', chart: 'web', to: 'staging' }),
      ),
      deps,
      settings,
    );
    // Assess
    expect(commands).toMatchObject([
      { status: 'committed', environment: 'staging', toVersion: '1.1.0' },
      {
        status: 'committed',
        environment: 'dev',
        toVersion: '1.0.0',
        fromVersion: '1.1.0',
        runId: 'rollback-id-2',
      },
    ]);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }]);
    expect(host.text('environments/dev/web.yaml')).toContain('chart: ./charts/web/1.0.0');
  });

  it('defers a command that is not due yet to the scheduler, then runs it; refuses unknown versions and environments', async () => {
    // Prepare
    const { deps, settings, upload, scheduler, clock, host } = await setup();
    await upload('web', '1.0.0');
    const command = {
      chartPromoter: 'promote' as const,
      chart: 'web',
      version: '1.0.0',
      from: 'dev',
      to: 'staging',
      notBefore: '2026-03-01T10:30:00Z',
    };
    // Act
    const early = await runPromotionCommand(command, deps, settings);
    clock.advance(30 * 60_000);
    const [due] = scheduler.takeDue(clock.now());
    const onTime = await runPromotionCommand(due!, deps, settings);
    const missing = await runPromotionCommand(
      { chartPromoter: 'promote', chart: 'web', version: '9.9.9', to: 'staging' },
      deps,
      settings,
    );
    const nowhere = await runPromotionCommand(
      { chartPromoter: 'promote', chart: 'web', version: '1.0.0', to: 'qa' },
      deps,
      settings,
    );
    // Assess
    expect(early).toMatchObject({ status: 'deferred', notBefore: '2026-03-01T10:30:00Z' });
    expect(onTime).toMatchObject({ status: 'committed', environment: 'staging' });
    expect(missing).toMatchObject({ status: 'refused', code: 'VERSION_NOT_FOUND' });
    expect(nowhere).toMatchObject({ status: 'refused', code: 'ENVIRONMENT_UNKNOWN' });
    expect(host.commits.map((c) => c.message.split('\n')[0])).toEqual([
      'promote web 1.0.0 to dev',
      'promote web 1.0.0 to staging',
    ]);
  });
});
