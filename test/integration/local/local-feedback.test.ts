import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helmReleaseEvent } from '../../../functions/local/flux-release-event';
import { type LocalRuntime, startLocalRuntime } from '../../../functions/local/local-runtime';
import type { PromotionRecord } from '../../../functions/local/promotion-record';
import { isPromotionRecord, readRunLog } from '../../../functions/local/run-log';
import type { UploadOutcome } from '../../../functions/pipeline/upload-outcome';
import { runGit } from '../../support/bare-repo';
import { buildChart } from '../../support/tar-fixtures';

/**
 * The local runtime's feedback half, end to end in one process: a real upload is committed to dev,
 * then Flux-format events reach the node:http feedback endpoint (signed with the work dir's token, or
 * not), the handler schedules staging after the soak, and the timer-driven scheduler commits it.
 */
const POLICY = `environments:
  - name: dev
  - name: staging
    after: dev
    soak: 1s
  - name: prod
    after: staging
    mode: pull-request
`;

describe('local runtime: feedback endpoint + scheduler', () => {
  let workdir: string;
  let runtime: LocalRuntime;
  let upload: UploadOutcome;
  const promotions: PromotionRecord[] = [];
  const git = (...args: string[]) => runGit(workdir, ['--git-dir', runtime.clusterRepo, ...args]);
  const show = (ref: string, file: string) => git('show', `${ref}:${file}`).catch(() => undefined);
  const event = (namespace: string, runId: string | undefined) =>
    helmReleaseEvent({
      namespace,
      name: 'fb-web',
      reason: 'InstallSucceeded',
      revision: '1.0.0',
      ...(runId === undefined ? {} : { runId }),
      timestamp: new Date(),
    });
  const post = (body: string, headers: Record<string, string>, method = 'POST') =>
    fetch(runtime.feedbackUrl, { method, body: method === 'POST' ? body : null, headers }).then(
      async (response) => ({
        status: response.status,
        body: (await response.json()) as { status?: string; reason?: string },
      }),
    );

  beforeAll(async () => {
    workdir = await mkdtemp(path.join(tmpdir(), 'local-feedback-'));
    let promoted: (outcome: UploadOutcome) => void = () => {};
    const uploaded = new Promise<UploadOutcome>((resolve) => {
      promoted = resolve;
    });
    runtime = await startLocalRuntime({
      workdir,
      policy: POLICY,
      queue: { batchingWindowMs: 20 },
      schedulerIntervalMs: 50,
      onOutcomes: (outcomes) => outcomes[0] && promoted(outcomes[0]),
      onPromotions: (records) => promotions.push(...records),
    });
    await runtime.s3.client.send(
      new PutObjectCommand({
        Bucket: runtime.bucket,
        Key: `${runtime.prefix}fb-web-1.0.0.tgz`,
        Body: await buildChart('fb-web', '1.0.0'),
      }),
    );
    upload = await uploaded;
  });

  afterAll(async () => {
    await runtime?.close();
    await rm(workdir, { recursive: true, force: true });
  });

  it('rejects unsigned, wrongly signed and non-POST requests, and changes nothing', async () => {
    // Prepare
    const head = await git('rev-parse', 'main');
    const body = JSON.stringify(event('dev', upload.runId));

    // Act
    const unsigned = await post(body, { 'content-type': 'application/json' });
    const wrong = await post(body, { 'x-signature': `sha256=${'0'.repeat(64)}` });
    const get = await post('', {}, 'GET');
    const huge = await post('x'.repeat(70 * 1024), {});

    // Assess
    expect(unsigned).toEqual({
      status: 401,
      body: expect.objectContaining({ status: 'rejected', reason: 'SIGNATURE_MISSING' }),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.reason).toBe('SIGNATURE_MISMATCH');
    expect(get.status).toBe(405);
    expect(huge.status).toBe(413);
    expect(await git('rev-parse', 'main')).toBe(head);
    expect(runtime.metrics.total('FeedbackRejected')).toBe(3);
    expect(promotions).toEqual([]);
  });

  it('keeps the webhook token in the work dir, mode 0600', async () => {
    // Act
    const file = path.join(workdir, 'webhook-token');
    const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);

    // Assess
    expect(text.trim()).toBe(runtime.webhookToken);
    expect(runtime.webhookToken).toMatch(/^[0-9a-f]{64}$/);
    expect(info.mode & 0o777).toBe(0o600);
  });

  it('a signed dev success schedules staging; the timer commits it after the soak; staging success pushes the prod branch', async () => {
    // Prepare
    expect(upload.status).toBe('promoted');
    const release = await show('main', 'environments/dev/fb-web.yaml');
    const runId = /event\.toolkit\.fluxcd\.io\/run-id: "?([^"\n]+)"?/.exec(release ?? '')?.[1];

    // Act 1: Flux reports dev ready.
    const devReady = await runtime.signAndDeliver(event('dev', runId));
    const beforeSoak = await show('main', 'environments/staging/fb-web.yaml');
    await runtime.promotionsIdle();
    const staging = await show('main', 'environments/staging/fb-web.yaml');

    // Assess 1
    expect(runId).toBe(upload.runId);
    // The endpoint answered once the event was on the feedback queue; the worker acted on it.
    expect(devReady.response).toMatchObject({ statusCode: 202, body: { status: 'accepted' } });
    expect(devReady.worked).toMatchObject({ status: 'handled', duplicate: false });
    expect(devReady.worked?.status === 'handled' && devReady.worked.outcome).toMatchObject({
      status: 'converged',
      environment: 'dev',
      leadTimeMs: expect.any(Number),
      next: [{ environment: 'staging', action: 'scheduled' }],
    });
    expect(beforeSoak).toBeUndefined();
    expect(staging).toContain('chart: ./charts/fb-web/1.0.0');
    expect(await git('log', '-1', '--format=%s', 'main')).toBe('promote fb-web 1.0.0 to staging');

    // Act 2: Flux reports staging ready → prod is gated: a branch, main untouched.
    const head = await git('rev-parse', 'main');
    const stagingEvent = event('staging', runId);
    const stagingReady = await runtime.signAndDeliver(stagingEvent);
    // Flux retries a delivery whose answer it did not get: the same bytes again.
    const replayed = await runtime.signAndDeliver(stagingEvent);

    // Assess 2
    expect(replayed.worked).toMatchObject({ status: 'handled', duplicate: true });
    expect(stagingReady.worked?.status === 'handled' && stagingReady.worked.outcome).toMatchObject({
      status: 'converged',
      next: [{ environment: 'prod', action: 'promoted', outcome: { status: 'branch-pushed' } }],
    });
    expect(await git('rev-parse', 'main')).toBe(head);
    expect(await show('promote/prod/fb-web', 'environments/prod/fb-web.yaml')).toContain(
      'chart: ./charts/fb-web/1.0.0',
    );
    expect(promotions.map((r) => [r.trigger, r.environment, r.status])).toEqual([
      ['feedback', 'staging', 'scheduled'],
      ['scheduled', 'staging', 'committed'],
      ['feedback', 'prod', 'branch-pushed'],
    ]);
    const logged = (await readRunLog(runtime.runLog)).filter(isPromotionRecord);
    expect(logged).toEqual(promotions);
    expect(runtime.metrics.recorded.filter((m) => m.name === 'UploadToReadyMs')).toHaveLength(2);
  });
});
