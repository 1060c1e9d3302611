import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PlainGitHost } from '../../../functions/adapters/git-hosts/git/plain-git-host';
import { commitUploads } from '../../../functions/promotion/uploads/commit-uploads';
import { createBareRepo, type Git } from '../../support/bare-repo';
import { FakeClock } from '../../support/feedback-harness';
import { makeRequest } from '../../support/promotion-fixtures';

/**
 * functions/handlers/promote.ts as Lambda runs it, composition included: a manual move invoked directly (the
 * CLI's Lambda Invoke payload) commits to a real git repository (a bare repository path), and a
 * command not due yet goes to the intake queue through the real SQS client, received by a small SQS
 * JSON-protocol endpoint on 127.0.0.1 that records what it was sent.
 */
interface SentMessage {
  readonly QueueUrl: string;
  readonly MessageBody: string;
  readonly DelaySeconds: number;
}

const sent: { target: string; input: SentMessage }[] = [];

/** SendMessage of the AWS JSON 1.0 protocol SQS speaks: `X-Amz-Target: AmazonSQS.SendMessage`. */
const startSqs = (): Promise<Server> =>
  new Promise((resolve) => {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as SentMessage;
        sent.push({ target: String(request.headers['x-amz-target']), input });
        // The client checks this digest of the body it sent.
        const md5 = createHash('md5').update(input.MessageBody).digest('hex');
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify({ MessageId: `m-${sent.length}`, MD5OfMessageBody: md5 }));
      });
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });

const POLICY = 'environments:\n  - name: dev\n  - name: staging\n    after: dev\n';
const context = { functionName: 'promote', awsRequestId: 'req-1' } as Context;

let work: string;
let git: Git;
let sqs: Server;
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
  sqs = await startSqs();
  const endpoint = `http://127.0.0.1:${(sqs.address() as AddressInfo).port}`;
  queueUrl = `${endpoint}/123456789012/intake`;
  Object.assign(process.env, {
    CHART_PROMOTER_REPOSITORY: repo,
    CHART_PROMOTER_GIT_HOST_KIND: 'git',
    CHART_PROMOTER_HELM_RENDER_CHECK: 'false',
    CHART_PROMOTER_INTAKE_QUEUE_URL: queueUrl,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_SQS: endpoint,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  vi.resetModules();
  ({ handler } = await import('../../../functions/handlers/promote'));
});

afterAll(async () => {
  process.env = savedEnv;
  await new Promise((resolve) => sqs?.close(resolve));
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
    expect(sent).toEqual([]);
  });

  it('schedules a command that is not due on the intake queue, through the real SQS client', async () => {
    // Prepare
    const notBefore = new Date(Date.now() + 3_600_000).toISOString();
    const command = { chartPromoter: 'promote', chart: 'web', version: '1.0.0', to: 'staging', notBefore };
    // Act
    const result = await handler({ ...command, runId: 'run-soak-1' }, context);
    // Assess
    expect(result).toMatchObject({ status: 'deferred', notBefore, runId: 'run-soak-1' });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.target).toBe('AmazonSQS.SendMessage');
    expect(sent[0]!.input.QueueUrl).toBe(queueUrl);
    expect(sent[0]!.input.DelaySeconds).toBe(900);
    expect(JSON.parse(sent[0]!.input.MessageBody)).toEqual({ ...command, runId: 'run-soak-1' });
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
