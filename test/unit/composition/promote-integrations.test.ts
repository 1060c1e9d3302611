import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

/**
 * The promote composition's optional integrations, built from process.env exactly as in Lambda: the
 * provenance keyring (S3 object or Secrets Manager secret) and the Jira notifier, each through the
 * real AWS SDK clients, against one small server on 127.0.0.1 that speaks S3 GetObject (path style),
 * Secrets Manager GetSecretValue (JSON 1.1 protocol) and Jira's comment endpoint, recording requests.
 */
const KEYRING = '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZ...\n-----END PGP PUBLIC KEY BLOCK-----\n';
const S3_KEYRING = `${KEYRING}(from s3)`;
const KEYRING_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:keyring-AbCdEf';
const JIRA_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:jira-GhIjKl';
const SECRETS: Record<string, string> = {
  [KEYRING_ARN]: JSON.stringify({ publicKeys: KEYRING }),
  [JIRA_ARN]: JSON.stringify({ token: 'pat-123' }),
};

interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly target?: string;
  readonly authorization?: string;
  readonly body: string;
}
const recorded: Recorded[] = [];

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const startFakeServices = (): Promise<Server> =>
  new Promise((resolve) => {
    const server = createServer(async (request, response) => {
      const body = await readBody(request);
      const target = request.headers['x-amz-target'] as string | undefined;
      recorded.push({
        method: request.method ?? '',
        url: request.url ?? '',
        ...(target === undefined ? {} : { target }),
        ...(request.headers.authorization === undefined
          ? {}
          : { authorization: request.headers.authorization }),
        body,
      });
      if (target === 'secretsmanager.GetSecretValue') {
        const { SecretId } = JSON.parse(body) as { SecretId: string };
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ ARN: SecretId, Name: 'x', SecretString: SECRETS[SecretId] }));
        return;
      }
      if (request.method === 'GET' && request.url?.startsWith('/acme-keys/chart-promoter/keyring.asc')) {
        response.writeHead(200, {
          'content-type': 'text/plain',
          'content-length': Buffer.byteLength(S3_KEYRING),
        });
        response.end(S3_KEYRING);
        return;
      }
      if (request.method === 'POST' && request.url?.startsWith('/jira/rest/api/2/issue/')) {
        response.writeHead(201, { 'content-type': 'application/json' });
        response.end('{"id":"10001"}');
        return;
      }
      response.writeHead(404);
      response.end();
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });

let server: Server;
let endpoint: string;
const savedEnv = { ...process.env };

const loadComposition = async (env: Record<string, string>) => {
  process.env = {
    ...savedEnv,
    CHART_PROMOTER_REPOSITORY: '/nonexistent/cluster.git',
    CHART_PROMOTER_GIT_HOST_KIND: 'git',
    CHART_PROMOTER_HELM_RENDER_CHECK: 'false',
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    ...env,
  };
  vi.resetModules();
  return import('../../../functions/composition/promote-lambda');
};

beforeAll(async () => {
  server = await startFakeServices();
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  process.env = savedEnv;
  await new Promise((resolve) => server?.close(resolve));
});

describe('promote composition integrations', () => {
  it('builds neither a keyring nor a notifier when nothing is configured', async () => {
    // Prepare
    const { promoteDependencies } = await loadComposition({});
    recorded.length = 0;
    // Act
    const deps = await promoteDependencies();
    // Assess
    expect(deps.keyring).toBeUndefined();
    expect(deps.issueNotifier).toBeUndefined();
    expect(recorded).toEqual([]);
  });

  it('reads the keyring from the S3 object named by CHART_PROMOTER_KEYRING_S3_URI', async () => {
    // Prepare
    const { promoteDependencies } = await loadComposition({
      CHART_PROMOTER_KEYRING_S3_URI: 's3://acme-keys/chart-promoter/keyring.asc',
    });
    const deps = await promoteDependencies();
    recorded.length = 0;
    // Act
    const keys = await deps.keyring?.publicKeys();
    // Assess
    expect(keys).toBe(S3_KEYRING);
    expect(recorded.map((r) => `${r.method} ${r.url.split('?')[0]}`)).toEqual([
      'GET /acme-keys/chart-promoter/keyring.asc',
    ]);
  });

  it('reads the keyring from the secret named by CHART_PROMOTER_KEYRING_SECRET_ARN, lazily', async () => {
    // Prepare
    const { promoteDependencies } = await loadComposition({ CHART_PROMOTER_KEYRING_SECRET_ARN: KEYRING_ARN });
    recorded.length = 0;
    const deps = await promoteDependencies();
    expect(recorded).toEqual([]);
    // Act
    const keys = await deps.keyring?.publicKeys();
    // Assess
    expect(keys).toBe(KEYRING);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ target: 'secretsmanager.GetSecretValue' });
    expect(JSON.parse(recorded[0]!.body)).toEqual({ SecretId: KEYRING_ARN });
  });

  it('comments on Jira with the token from CHART_PROMOTER_JIRA_SECRET_ARN', async () => {
    // Prepare
    const { promoteDependencies } = await loadComposition({
      CHART_PROMOTER_JIRA_BASE_URL: `${endpoint}/jira/`,
      CHART_PROMOTER_JIRA_SECRET_ARN: JIRA_ARN,
    });
    const deps = await promoteDependencies();
    recorded.length = 0;
    // Act
    await deps.issueNotifier?.promoted(['ABC-123'], {
      chart: 'web',
      version: '1.2.0',
      environment: 'dev',
      commit: '0123456789abcdef0123456789abcdef01234567',
    });
    // Assess
    expect(deps.keyring).toBeUndefined();
    expect(recorded.map((r) => r.target ?? `${r.method} ${r.url}`)).toEqual([
      'secretsmanager.GetSecretValue',
      'POST /jira/rest/api/2/issue/ABC-123/comment',
    ]);
    expect(recorded[1]?.authorization).toBe('Bearer pat-123');
    expect(JSON.parse(recorded[1]!.body).body).toContain('*web 1.2.0* reached *dev*');
  });

  it('fails at cold start when both keyring sources are set', async () => {
    // Act + Assess
    await expect(
      loadComposition({
        CHART_PROMOTER_KEYRING_S3_URI: 's3://acme-keys/chart-promoter/keyring.asc',
        CHART_PROMOTER_KEYRING_SECRET_ARN: KEYRING_ARN,
      }),
    ).rejects.toThrow('not both');
  });
});
