import * as fs from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PlainGitHost } from '../../../functions/adapters/git-hosts/git/plain-git-host';
import { commitUploads } from '../../../functions/promotion/uploads/commit-uploads';
import { type AwsJsonStandIn, startAwsJsonStandIn } from '../../support/aws-json-stand-in';
import { createBareRepo, type Git } from '../../support/bare-repo';
import { FakeClock } from '../../support/feedback-harness';
import { functionUrlEvent } from '../../support/function-url-event';
import { makeRequest } from '../../support/promotion-fixtures';

/**
 * functions/handlers/promote.ts as Lambda runs it, composition included: a manual move invoked directly (the
 * CLI's Lambda Invoke payload) commits to a real git repository (a bare repository path), and a
 * command not due yet goes to the intake queue through the real SQS client, received by the local
 * SQS answer on 127.0.0.1 (aws-json-stand-in.ts) that records what it was sent. An event the function
 * does not read is answered `invalid`, naming what was expected and what came.
 */
const POLICY = 'environments:\n  - name: dev\n  - name: staging\n    after: dev\n';
const context = { functionName: 'promote', awsRequestId: 'req-1' } as Context;
const fixtures = path.resolve(import.meta.dirname, '../../fixtures');

let work: string;
let git: Git;
let aws: AwsJsonStandIn;
let queueUrl: string;
let handler: typeof import('../../../functions/handlers/promote').handler;
const savedEnv = { ...process.env };

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'promote-handler-'));
  const repo = path.join(work, 'cluster.git');
  git = await createBareRepo(repo, { '.chart-promoter.yaml': POLICY });
  const clock = new FakeClock(new Date('2026-03-01T10:00:00Z'));
  const { environment: _, ...upload } = makeRequest('web', '1.0.0');
  await commitUploads(new PlainGitHost({ remote: { path: repo }, fs }), 'main', [upload], {
    clock,
    fallbackEnvironment: 'dev',
  });
  aws = await startAwsJsonStandIn();
  queueUrl = `${aws.endpoint}/123456789012/intake`;
  Object.assign(process.env, {
    CHART_PROMOTER_REPOSITORY: repo,
    CHART_PROMOTER_GIT_HOST_KIND: 'git',
    CHART_PROMOTER_HELM_RENDER_CHECK: 'false',
    CHART_PROMOTER_INTAKE_QUEUE_URL: queueUrl,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_SQS: aws.endpoint,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  vi.resetModules();
  ({ handler } = await import('../../../functions/handlers/promote'));
});

afterAll(async () => {
  process.env = savedEnv;
  await aws?.close();
  await rm(work, { recursive: true, force: true });
});

describe('promote handler, invoked directly with a promotion command', () => {
  it('refuses a malformed command with an explicit invalid outcome, touching nothing', async () => {
    // Prepare
    const head = await git('rev-parse', 'main');
    // Act
    const result = await handler({ chartPromoter: 'promote', chart: 'web', to: 'staging' }, context);
    // Assess
    expect(result).toMatchObject({
      status: 'invalid',
      code: 'COMMAND_INVALID',
      message: expect.stringContaining('version'),
    });
    expect(await git('rev-parse', 'main')).toBe(head);
    expect(aws.sentMessages()).toEqual([]);
  });

  it('schedules a command that is not due on the intake queue, through the real SQS client', async () => {
    // Prepare
    const notBefore = new Date(Date.now() + 3_600_000).toISOString();
    const command = { chartPromoter: 'promote', chart: 'web', version: '1.0.0', to: 'staging', notBefore };
    // Act
    const result = await handler({ ...command, runId: 'run-soak-1' }, context);
    // Assess
    expect(result).toMatchObject({ status: 'deferred', notBefore, runId: 'run-soak-1' });
    const sent = aws.sentMessages();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.QueueUrl).toBe(queueUrl);
    expect(sent[0]!.DelaySeconds).toBe(900);
    expect(JSON.parse(sent[0]!.MessageBody)).toEqual({ ...command, runId: 'run-soak-1' });
  });

  it('commits a due promotion to the repository and answers with the commit', async () => {
    // Prepare
    const before = await git('rev-parse', 'main');
    // Act
    const result = await handler(
      { chartPromoter: 'promote', chart: 'web', version: '1.0.0', to: 'staging', runId: 'run-manual-1' },
      context,
    );
    // Assess
    const after = await git('rev-parse', 'main');
    expect(result).toMatchObject({ status: 'committed', environment: 'staging', runId: 'run-manual-1' });
    expect(after).not.toBe(before);
    expect((result as { commit: { sha: string } }).commit.sha).toBe(after);
    expect(await git('show', `main:environments/staging/web.yaml`)).toContain('./charts/web/1.0.0');
  });
});

describe('promote handler, given an event it does not read', () => {
  const fixture = async (name: string): Promise<unknown> =>
    JSON.parse(await readFile(path.join(fixtures, name), 'utf8'));

  it.each([
    // Before: TypeError "Cannot read properties of undefined (reading 'map')".
    ['a function URL request', async () => functionUrlEvent({ body: '{}' }), 'a Lambda function URL request'],
    [
      'an S3 notification sent straight to the function',
      () => fixture('events/s3-notification-put.json'),
      'records from aws:s3',
    ],
    [
      'an EventBridge event sent straight to the function',
      () => fixture('events/eventbridge-object-created.json'),
      'an EventBridge event (aws.s3 "Object Created")',
    ],
    ['no payload', async () => null, 'no event (null)'],
    ['an empty object', async () => ({}), 'an empty object'],
  ])('answers %s with EVENT_UNRECOGNISED, touching nothing', async (_, event, got) => {
    // Prepare
    const head = await git('rev-parse', 'main');
    const calls = aws.calls().length;
    // Act
    const result = await handler(await event(), context);
    // Assess
    expect(result).toEqual({
      status: 'invalid',
      code: 'EVENT_UNRECOGNISED',
      message: expect.stringContaining(`got ${got}`),
    });
    expect((result as { message: string }).message).toMatch(
      /^expected an SQS batch .* or a promotion command/,
    );
    expect(await git('rev-parse', 'main')).toBe(head);
    expect(aws.calls()).toHaveLength(calls);
  });
});
