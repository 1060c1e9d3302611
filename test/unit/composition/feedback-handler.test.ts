import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PlainGitHost } from '../../../functions/adapters/git-hosts/git/plain-git-host';
import { signBody } from '../../../functions/feedback/hmac-signature';
import { helmReleaseEvent } from '../../../functions/local/flux-release-event';
import { commitUploads } from '../../../functions/promotion/uploads/commit-uploads';
import { type AwsJsonStandIn, startAwsJsonStandIn } from '../../support/aws-json-stand-in';
import { createBareRepo, type Git } from '../../support/bare-repo';
import { FakeClock } from '../../support/feedback-harness';
import { functionUrlEvent } from '../../support/function-url-event';
import { makeRequest } from '../../support/promotion-fixtures';

/**
 * functions/handlers/feedback.ts (the feedback endpoint) as Lambda runs it, composition included:
 * the HMAC key read through the real Secrets Manager client and the event sent through the real SQS
 * client, both from the local answer (aws-json-stand-in.ts). A signed Flux event in a function URL
 * request is put on the feedback queue and answered 202 — the repository is left to the worker
 * (test/lambda runs endpoint and worker bundles end to end); an event that is not a function URL
 * request is answered 400 EVENT_UNRECOGNISED before anything is read.
 */
const POLICY = 'environments:\n  - name: dev\n  - name: staging\n    after: dev\n';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:webhook-AbCdEf';
// The SQS client sends to the queue URL's own host (its useQueueUrlAsEndpoint default), so the URL
// names the local answer.
let queueUrl: string;
const KEY = 'flux-provider-token';
const context = { functionName: 'feedback', awsRequestId: 'req-1' } as Context;
const fixtures = path.resolve(import.meta.dirname, '../../fixtures');

let work: string;
let git: Git;
let aws: AwsJsonStandIn;
let handler: typeof import('../../../functions/handlers/feedback').handler;
const savedEnv = { ...process.env };

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'feedback-handler-'));
  const repo = path.join(work, 'cluster.git');
  git = await createBareRepo(repo, { '.chart-promoter.yaml': POLICY });
  const { environment: _, ...upload } = makeRequest('web', '1.0.0', 'dev', { runId: 'run-web-1' });
  await commitUploads(new PlainGitHost({ remote: { path: repo }, fs }), 'main', [upload], {
    clock: new FakeClock(new Date()),
    fallbackEnvironment: 'dev',
  });
  aws = await startAwsJsonStandIn();
  aws.putSecret(SECRET_ARN, KEY);
  queueUrl = `${aws.endpoint}/123456789012/feedback.fifo`;
  Object.assign(process.env, {
    CHART_PROMOTER_REPOSITORY: repo,
    CHART_PROMOTER_GIT_HOST_KIND: 'git',
    CHART_PROMOTER_WEBHOOK_SECRET_ARN: SECRET_ARN,
    CHART_PROMOTER_FEEDBACK_QUEUE_URL: queueUrl,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint,
    AWS_ENDPOINT_URL_SQS: aws.endpoint,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  vi.resetModules();
  ({ handler } = await import('../../../functions/handlers/feedback'));
});

afterAll(async () => {
  process.env = savedEnv;
  await aws?.close();
  await rm(work, { recursive: true, force: true });
});

const fixture = async (name: string): Promise<unknown> =>
  JSON.parse(await readFile(path.join(fixtures, name), 'utf8'));

describe('feedback handler, given an event it does not read', () => {
  it.each([
    ['a direct invoke with an empty object', async () => ({}), 'an empty object'],
    ['a direct invoke without payload', async () => null, 'no event (null)'],
    ['an SQS batch', () => fixture('sqs/eventbridge-object-created.json'), 'an SQS batch of 1 record(s)'],
    [
      'a Flux event invoked directly, not through the URL',
      async () =>
        helmReleaseEvent({
          namespace: 'dev',
          name: 'web',
          reason: 'InstallSucceeded',
          revision: '1.0.0',
          timestamp: new Date(),
        }),
      'an object with keys involvedObject, severity, timestamp, message, reason, …',
    ],
  ])('answers %s with 400 EVENT_UNRECOGNISED, reading no secret', async (_, event, got) => {
    // Prepare
    const head = await git('rev-parse', 'main');
    const calls = aws.calls().length;
    // Act
    const result = await handler(await event(), context);
    // Assess
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(String(result.body))).toEqual({
      status: 'rejected',
      reason: 'EVENT_UNRECOGNISED',
      message: `expected a Lambda function URL request (payload format 2.0) carrying a Flux event; got ${got}`,
    });
    expect(aws.calls()).toHaveLength(calls);
    expect(await git('rev-parse', 'main')).toBe(head);
  });
});

describe('feedback handler, called through its function URL', () => {
  it('puts a signed Flux event on the feedback queue, then answers 202 with its id; the repository is untouched', async () => {
    // Prepare
    const body = JSON.stringify(
      helmReleaseEvent({
        namespace: 'dev',
        name: 'web',
        reason: 'InstallSucceeded',
        revision: '1.0.0',
        runId: 'run-web-1',
        timestamp: new Date(Date.now() - 1000),
      }),
    );
    const signature = signBody(new TextEncoder().encode(KEY), new TextEncoder().encode(body));
    const event = functionUrlEvent({
      headers: { 'Content-Type': 'application/json', 'X-Signature': signature },
      body,
    });
    const head = await git('rev-parse', 'main');
    // Act
    const result = await handler(event, context);
    // Assess
    const id = createHash('sha256').update(body).digest('hex');
    expect(result.statusCode).toBe(202);
    expect(JSON.parse(String(result.body))).toEqual({ status: 'accepted', id });
    const sent = aws.calls().filter((call) => call.target === 'AmazonSQS.SendMessage');
    expect(sent.map((call) => call.input)).toEqual([
      expect.objectContaining({ QueueUrl: queueUrl, MessageBody: body, MessageDeduplicationId: id }),
    ]);
    expect(await git('rev-parse', 'main')).toBe(head);
  });
});
