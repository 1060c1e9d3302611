import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GetSecretValueCommand, GetSecretValueCommandOutput } from '@aws-sdk/client-secrets-manager';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JiraIssueNotifier } from '../../../functions/adapters/jira-issue-notifier';
import { JIRA_CREDENTIALS, parseJiraCredentials } from '../../../functions/adapters/secrets/jira-credentials';
import { secretReader } from '../../../functions/adapters/secrets/secret-reader';
import { PromoterError } from '../../../functions/errors';
import { systemClock } from '../../../functions/ports/clock';

interface Received {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly body: unknown;
}

/** A local stand-in for Jira's REST API v2 comment endpoint that records every request. */
let server: Server;
let baseUrl: string;
let received: Received[];
let status: (key: string) => number;

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

beforeEach(async () => {
  received = [];
  status = () => 201;
  server = createServer(async (request, response) => {
    const text = await readBody(request);
    received.push({
      method: request.method ?? '',
      url: request.url ?? '',
      authorization: request.headers.authorization,
      contentType: request.headers['content-type'],
      body: JSON.parse(text),
    });
    const key = /\/issue\/([^/]+)\/comment$/.exec(request.url ?? '')?.[1] ?? '';
    const code = status(decodeURIComponent(key));
    response.writeHead(code, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify(code === 201 ? { id: '10000' } : { errorMessages: ['Issue does not exist'] }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jira/`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const notice = { chart: 'hello-web', version: '1.2.0', environment: 'prod', commit: '0123456789abcdef0123' };

describe('JiraIssueNotifier against a local Jira REST API v2', () => {
  it('posts one comment per issue with the bearer token and a wiki-markup body', async () => {
    // Prepare
    const notifier = new JiraIssueNotifier({
      baseUrl,
      credentials: async () => ({ kind: 'bearer', token: 'pat-123' }),
    });
    // Act
    await notifier.promoted(['ABC-123', 'ABC-124'], { ...notice, url: 'https://github.example/pr/7' });
    // Assess
    expect(received.map((r) => [r.method, r.url])).toEqual([
      ['POST', '/jira/rest/api/2/issue/ABC-123/comment'],
      ['POST', '/jira/rest/api/2/issue/ABC-124/comment'],
    ]);
    for (const request of received) {
      expect(request.authorization).toBe('Bearer pat-123');
      expect(request.contentType).toBe('application/json');
      expect(request.body).toEqual({
        body: 'chart-promoter: *hello-web 1.2.0* reached *prod* (commit {{0123456789ab}}). [https://github.example/pr/7|https://github.example/pr/7]',
      });
    }
  });

  it('uses Basic auth for Jira Cloud e-mail + API token credentials', async () => {
    const notifier = new JiraIssueNotifier({
      baseUrl,
      credentials: async () => ({ kind: 'basic', email: 'bot@example.test', token: 'api-token' }),
    });
    await notifier.promoted(['OPS-1'], { ...notice, proposed: true });
    expect(received[0]?.authorization).toBe(
      `Basic ${Buffer.from('bot@example.test:api-token').toString('base64')}`,
    );
    expect((received[0]?.body as { body?: string } | undefined)?.body).toContain('is proposed for *prod*');
  });

  it('tries every key and reports the failures in one retryable error that never names the token', async () => {
    status = (key) => (key === 'GONE-1' ? 404 : 201);
    const notifier = new JiraIssueNotifier({
      baseUrl,
      credentials: async () => ({ kind: 'bearer', token: 'secret-pat' }),
    });
    const error = await notifier.promoted(['GONE-1', 'ABC-2'], notice).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(received).toHaveLength(2);
    expect(error).toBeInstanceOf(PromoterError);
    expect((error as PromoterError).code).toBe('ISSUE_NOTIFY_FAILED');
    expect((error as PromoterError).message).toBe('Jira comment failed for GONE-1: HTTP 404');
    expect((error as PromoterError).message).not.toContain('secret-pat');
  });

  it('reports an unreachable Jira as a failure, not a hang', async () => {
    const notifier = new JiraIssueNotifier({
      baseUrl: 'http://127.0.0.1:1',
      credentials: async () => ({ kind: 'bearer', token: 't' }),
      timeoutMs: 1000,
    });
    await expect(notifier.promoted(['ABC-1'], notice)).rejects.toThrow(/ABC-1/);
  });

  it('reads its token from a Secrets Manager secret (fake client), caching it', async () => {
    let calls = 0;
    const client = {
      send: async (command: GetSecretValueCommand): Promise<GetSecretValueCommandOutput> => {
        calls++;
        expect(command.input.SecretId).toBe('jira-token');
        return { SecretString: '{"token":"from-secret"}', $metadata: {} };
      },
    };
    const reader = secretReader({
      client,
      secretId: 'jira-token',
      format: JIRA_CREDENTIALS,
      clock: systemClock,
    });
    const notifier = new JiraIssueNotifier({ baseUrl, credentials: () => reader.get() });
    await notifier.promoted(['ABC-1'], notice);
    await notifier.promoted(['ABC-2'], notice);
    expect(received.map((r) => r.authorization)).toEqual(['Bearer from-secret', 'Bearer from-secret']);
    expect(calls).toBe(1);
  });
});

describe('parseJiraCredentials', () => {
  it('reads a bare token, {token} and {email, token}, and refuses the rest without quoting it', () => {
    expect(parseJiraCredentials('s', 'abc')).toEqual({ kind: 'bearer', token: 'abc' });
    expect(parseJiraCredentials('s', '{"token":"t"}')).toEqual({ kind: 'bearer', token: 't' });
    expect(parseJiraCredentials('s', '{"email":"e@x","token":"t"}')).toEqual({
      kind: 'basic',
      email: 'e@x',
      token: 't',
    });
    expect(() => parseJiraCredentials('s', '{"password":"hunter2"}')).toThrow(/no "token"/);
    expect(() => parseJiraCredentials('s', 'two words')).toThrow(/is not a token nor JSON$/);
  });
});
