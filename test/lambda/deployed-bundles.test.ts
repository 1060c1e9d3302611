import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectTaggingCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { ScheduledEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { DynamoDbReleaseLedger } from '../../functions/adapters/ledger/dynamodb-release-ledger';
import { ensureLedgerTable } from '../../functions/adapters/ledger/ledger-table';
import { signBody } from '../../functions/feedback/hmac-signature';
import { helmReleaseEvent } from '../../functions/local/flux-release-event';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../functions/local/local-dynamodb';
import { fluxEventRecord } from '../../functions/local/local-flux-event-queue';
import { type S3Endpoint, S3RVER_CREDENTIALS, startS3Endpoint } from '../../functions/local/s3-endpoint';
import { toSqsRecord } from '../../functions/local/s3-event-bridge';
import { type AwsJsonStandIn, startAwsJsonStandIn } from '../support/aws-json-stand-in';
import { functionUrlEvent } from '../support/function-url-event';
import { type GitHubApiServer, startGitHubApiServer } from '../support/github-api-server';
import { buildChart } from '../support/tar-fixtures';
import { type LambdaFunction, startLambdaFunction } from './support/lambda-function';
import type { LocalAccount } from './support/local-resources';
import type { InvocationResult } from './support/runtime-api';
import { readSynthesizedApp, type SynthesizedFunction } from './support/synthesized-app';
import { startXRayDaemonSink, type XRayDaemonSink } from './support/xray-daemon-sink';

/**
 * The deployed bundles, run as Lambda runs them: the exact assets `cdk synth` staged, each function's
 * handler loaded by a Lambda-shaped runtime (test/lambda/runtime) under Node 22 in a read-only sandbox
 * with only /tmp writable and the helm layer at /opt, given the environment of the synthesized
 * template. The stand-ins sit behind the SDK's endpoint variables (s3rver, a local Secrets Manager and
 * SQS answer, dynalite for DynamoDB) and the GitHub Enterprise base URL (the GitHub stand-in over a
 * real git repository).
 *
 * A new function needs only a new case: `app.function('<construct path part>')`, the event, and the
 * stand-ins its environment names.
 */
const app = await readSynthesizedApp(inject('synthDir'));
const PROMOTE = app.function('Promote/Function');
const FEEDBACK = app.function('Feedback/Function');
const FEEDBACK_WORKER = app.function('FeedbackWorker/Function');
const DEADLINE_SWEEP = app.function('Deadlines/Function');

const BUCKET = 'chart-uploads';
const CHART = path.resolve(import.meta.dirname, '../fixtures/charts/podinfo-6.14.1.tgz');
const POLICY = 'environments:\n  - name: dev\n  - name: staging\n    after: dev\n';

let work: string;
let s3: S3Endpoint;
let github: GitHubApiServer;
let aws: AwsJsonStandIn;
let xray: XRayDaemonSink;
let dynamo: LocalDynamoDb;
let local: LocalAccount;
const functions: LambdaFunction[] = [];
const webhookKey = randomBytes(24).toString('hex');

/** The stand-ins' addresses, as the SDK reads them: https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html */
const endpoints = () => ({
  AWS_ENDPOINT_URL_S3: s3.endpoint,
  AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint,
  AWS_ENDPOINT_URL_SQS: aws.endpoint,
  AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
});

/** Starts `fn` as Lambda would, serving the secrets its environment names. */
const start = async (fn: SynthesizedFunction): Promise<LambdaFunction> => {
  const lambda = await startLambdaFunction({
    app,
    fn,
    local,
    // s3rver checks SigV4 against its fixed key pair; the other stand-ins accept any.
    credentials: { ...S3RVER_CREDENTIALS, sessionToken: 'local-session-token' },
    endpoints: endpoints(),
    // The template says api.github.com (no base URL): the one product variable replaced locally.
    overrides: { CHART_PROMOTER_GIT_HOST_BASE_URL: github.url },
    xrayDaemon: xray.address,
    workDir: path.join(work, fn.logicalId),
  });
  const env = lambda.environment;
  if (env.CHART_PROMOTER_CREDENTIALS_SECRET_ARN)
    aws.putSecret(env.CHART_PROMOTER_CREDENTIALS_SECRET_ARN, JSON.stringify({ token: github.token }));
  if (env.CHART_PROMOTER_WEBHOOK_SECRET_ARN) aws.putSecret(env.CHART_PROMOTER_WEBHOOK_SECRET_ARN, webhookKey);
  if (env.CHART_PROMOTER_LEDGER_TABLE)
    await ensureLedgerTable(dynamo.client, env.CHART_PROMOTER_LEDGER_TABLE);
  functions.push(lambda);
  return lambda;
};

/** The invocation's payload; a function error fails the test with the function's own words. */
const payloadOf = (result: InvocationResult, lambda: LambdaFunction): unknown => {
  if (!result.ok)
    throw new Error(
      `${lambda.name} failed: ${result.error.errorType}: ${result.error.errorMessage}\n` +
        `${(result.error.trace ?? []).join('\n')}\n--- log ---\n${lambda.logs().slice(-40).join('\n')}`,
    );
  return result.payload;
};

/** Uploads an archive; returns the SQS record Lambda's event source mapping would deliver for it. */
const upload = async (key: string, body: Uint8Array): Promise<SQSRecord> => {
  const created = new Promise<Parameters<Parameters<S3Endpoint['onObjectCreated']>[0]>[0]>((resolve) => {
    const stop = s3.onObjectCreated((event) => {
      if (event.key !== key) return;
      stop();
      resolve(event);
    });
  });
  await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  // S3 → EventBridge "Object Created" → the intake queue → the promote function.
  return toSqsRecord(await created, { format: 'eventbridge', region: local.region });
};

const tagsOf = async (key: string): Promise<Record<string, string>> => {
  const { TagSet = [] } = await s3.client.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: key }));
  return Object.fromEntries(TagSet.map((tag) => [tag.Key, tag.Value]));
};

/** What Flux's notification-controller posts for `event` (generic-hmac), as the function URL passes it. */
const fluxPost = (event: unknown, key = webhookKey) => {
  const body = JSON.stringify(event);
  const signature = signBody(new TextEncoder().encode(key), new TextEncoder().encode(body));
  return functionUrlEvent({
    headers: { 'Content-Type': 'application/json', 'X-Signature': signature },
    body,
    region: local.region,
  });
};

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'lambda-shaped-'));
  s3 = await startS3Endpoint({ directory: path.join(work, 's3'), bucket: BUCKET });
  aws = await startAwsJsonStandIn();
  xray = await startXRayDaemonSink();
  dynamo = await startLocalDynamoDb();
  const [owner = '', repo = ''] = String(PROMOTE.environment.CHART_PROMOTER_REPOSITORY).split('/');
  github = await startGitHubApiServer({ owner, repo, seed: { '.chart-promoter.yaml': POLICY } });
  local = {
    region: 'eu-west-1',
    account: '123456789012',
    stackName: app.stackName,
    sqsEndpoint: aws.endpoint,
  };
});

afterAll(async () => {
  for (const lambda of functions.splice(0)) {
    for (const start of lambda.coldStarts())
      console.log(
        `${lambda.name}: cold start, init ${start.initDurationMs} ms, first invocation ${start.firstInvocationMs ?? '-'} ms`,
      );
    await lambda.stop();
  }
  await Promise.all([s3?.close(), github?.close(), aws?.close(), xray?.close(), dynamo?.close()]);
  await rm(work, { recursive: true, force: true });
});

describe('the deployed bundles, run as Lambda runs them', () => {
  it('take one upload through the promote bundle to a commit, and a signed Flux event through the feedback bundle (202, queued) and the worker bundle to the next environment, once', async () => {
    // Prepare
    const promote = await start(PROMOTE);
    const feedback = await start(FEEDBACK);
    const worker = await start(FEEDBACK_WORKER);
    const podinfo = 'incoming/podinfo-6.14.1.tgz';
    const broken = 'incoming/broken-1.0.0.tgz';
    const records = [
      await upload(podinfo, await readFile(CHART)),
      // helm template fails on it: only the layer's helm, run in the sandbox, can say so.
      await upload(
        broken,
        await buildChart('broken', '1.0.0', { 'templates/bad.yaml': 'kind: {{ .Values.a.b }}\n' }),
      ),
    ];
    // Act 1: the intake queue delivers both uploads in one batch.
    const batch = payloadOf(await promote.invoke({ Records: records }), promote);
    // Assess 1: podinfo committed to dev, the broken chart refused by helm's render, both tagged.
    expect(batch).toEqual({ batchItemFailures: [] });
    const release = await github.git('show', 'main:environments/dev/podinfo.yaml');
    expect(release).toContain('./charts/podinfo/6.14.1');
    expect(await github.git('show', 'main:charts/podinfo/6.14.1/Chart.yaml')).toContain('name: podinfo');
    expect(await github.git('ls-tree', '-r', '--name-only', 'main')).not.toContain('broken');
    expect(await tagsOf(podinfo)).toMatchObject({ 'chart-promoter/status': 'promoted' });
    expect(await tagsOf(broken)).toMatchObject({
      'chart-promoter/status': 'refused',
      'chart-promoter/code': 'RENDER_FAILED',
    });
    expect(github.validationErrors()).toEqual([]);

    // Act 2: Flux reports the release installed in dev, through the function URL.
    const runId = (parse(release) as { metadata: { annotations: Record<string, string> } }).metadata
      .annotations['event.toolkit.fluxcd.io/run-id'];
    const installed = helmReleaseEvent({
      namespace: 'dev',
      name: 'podinfo',
      reason: 'InstallSucceeded',
      revision: '6.14.1',
      ...(runId === undefined ? {} : { runId }),
      timestamp: new Date(Date.now() - 1000),
    });
    const answer = payloadOf(await feedback.invoke(fluxPost(installed)), feedback) as {
      statusCode: number;
      body: string;
    };
    // Assess 2: accepted (202) once on the feedback queue, nothing acted on yet.
    expect(answer.statusCode).toBe(202);
    const accepted = JSON.parse(answer.body) as { status: string; id: string };
    expect(accepted.status).toBe('accepted');
    const sent = aws.sentMessages().at(-1) as {
      QueueUrl: string;
      MessageBody: string;
      MessageGroupId: string;
      MessageDeduplicationId: string;
    };
    expect(sent.QueueUrl).toBe(feedback.environment.CHART_PROMOTER_FEEDBACK_QUEUE_URL);
    expect(sent).toMatchObject({
      MessageGroupId: 'HelmRelease/dev/podinfo',
      MessageDeduplicationId: accepted.id,
    });
    await expect(github.git('show', 'main:environments/staging/podinfo.yaml')).rejects.toThrow();

    // Act 3: the feedback queue delivers the message to the worker, then delivers it again.
    const record = fluxEventRecord({
      body: sent.MessageBody,
      digest: sent.MessageDeduplicationId,
      group: sent.MessageGroupId,
    });
    const first = payloadOf(await worker.invoke({ Records: [record] }), worker);
    const headAfterFirst = await github.git('rev-parse', 'main');
    const again = payloadOf(
      await worker.invoke({
        Records: [{ ...record, attributes: { ...record.attributes, ApproximateReceiveCount: '2' } }],
      }),
      worker,
    );
    // Assess 3: converged in dev, committed to staging, once (the redelivery is remembered in DynamoDB).
    expect(first).toEqual({ batchItemFailures: [] });
    expect(again).toEqual({ batchItemFailures: [] });
    expect(await github.git('show', 'main:environments/staging/podinfo.yaml')).toContain(
      './charts/podinfo/6.14.1',
    );
    expect(await github.git('rev-parse', 'main')).toBe(headAfterFirst);
    expect(worker.logs().join('\n')).toContain('duplicate Flux event');
    expect(github.validationErrors()).toEqual([]);
    // Tracing (Active in the template) reached the X-Ray daemon from both bundles.
    expect(xray.segmentNames()).toEqual(expect.arrayContaining(['SecretsManager', 'S3', '### git commit']));
  });

  it('turn a release past its convergence deadline not-converged through the deadline sweep bundle, and send its rollback to the intake queue, once', async () => {
    // Prepare: a committed release whose deadline passed, written as the promote function writes it.
    const sweep = await start(DEADLINE_SWEEP);
    const table = String(sweep.environment.CHART_PROMOTER_LEDGER_TABLE);
    const ledger = new DynamoDbReleaseLedger(dynamo.client, table);
    const committedAt = new Date(Date.now() - 20 * 60_000).toISOString();
    await ledger.put(
      {
        chart: 'late',
        environment: 'dev',
        version: '2.0.0',
        previousVersion: '1.0.0',
        state: 'committed',
        since: committedAt,
        committedAt,
        runId: 'run-late',
        deadline: new Date(Date.now() - 5 * 60_000).toISOString(),
        autoRollback: true,
        revision: 1,
      },
      undefined,
    );
    const sentBefore = aws.sentMessages().length;
    // The event an EventBridge schedule rule sends (its content is not read), in the shape AWS
    // documents (https://docs.aws.amazon.com/lambda/latest/dg/with-scheduled-events.html) and
    // @types/aws-lambda types as ScheduledEvent.
    const scheduled: ScheduledEvent = {
      version: '0',
      id: 'schedule-1',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: local.account,
      time: new Date().toISOString(),
      region: local.region,
      resources: [],
      detail: {},
    };
    // Act: two scheduled runs.
    const first = payloadOf(await sweep.invoke(scheduled), sweep);
    const second = payloadOf(await sweep.invoke(scheduled), sweep);
    // Assess: not-converged once, its rollback on the intake queue once, the line `runs` reads logged.
    expect(first).toEqual({ notConverged: 1 });
    expect(second).toEqual({ notConverged: 0 });
    expect(await ledger.get('late', 'dev')).toMatchObject({ state: 'not-converged', reason: 'DEADLINE' });
    const sent = aws.sentMessages().slice(sentBefore) as { QueueUrl: string; MessageBody: string }[];
    expect(sent).toHaveLength(1);
    expect(sent[0]?.QueueUrl).toBe(sweep.environment.CHART_PROMOTER_INTAKE_QUEUE_URL);
    expect(JSON.parse(sent[0]?.MessageBody ?? '{}')).toMatchObject({
      chartPromoter: 'rollback',
      chart: 'late',
      environment: 'dev',
      toVersion: '1.0.0',
    });
    expect(sweep.logs().join('\n')).toMatch(/not converged: late 2\.0\.0 in dev/);
  });

  it('answer wrong inputs clearly: the promote and worker bundles given a function URL request, the feedback bundle a queue batch', async () => {
    // Prepare
    const promote = await start(PROMOTE);
    const feedback = await start(FEEDBACK);
    const worker = await start(FEEDBACK_WORKER);
    const head = await github.git('rev-parse', 'main');
    // Act
    const toPromote = payloadOf(await promote.invoke(functionUrlEvent({ body: '{}' })), promote);
    const toWorker = payloadOf(await worker.invoke(functionUrlEvent({ body: '{}' })), worker);
    const toFeedback = payloadOf(await feedback.invoke({ Records: [] }), feedback) as {
      statusCode: number;
      body: string;
    };
    // Assess
    expect(toPromote).toMatchObject({
      status: 'invalid',
      code: 'EVENT_UNRECOGNISED',
      message: expect.stringContaining('function URL'),
    });
    expect(toWorker).toMatchObject({
      status: 'invalid',
      code: 'EVENT_UNRECOGNISED',
      message: expect.stringContaining('function URL'),
    });
    expect(toFeedback.statusCode).toBe(400);
    expect(JSON.parse(toFeedback.body)).toMatchObject({ status: 'rejected', reason: 'EVENT_UNRECOGNISED' });
    expect(await github.git('rev-parse', 'main')).toBe(head);
  });
});
