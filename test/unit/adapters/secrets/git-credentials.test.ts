import {
  type GetSecretValueCommand,
  type GetSecretValueCommandOutput,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import type { GitCredentials } from '../../../../functions/adapters/git-hosts/descriptor';
import { GIT_CREDENTIALS } from '../../../../functions/adapters/secrets/git-credentials';
import {
  type SecretReaderOptions,
  type SecretsClient,
  secretReader,
} from '../../../../functions/adapters/secrets/secret-reader';
import type { Clock } from '../../../../functions/ports/clock';

// Secrets Manager cannot run on this machine: the fake stands in for `send` only, and records calls.
class FakeSecrets implements SecretsClient {
  readonly requests: string[] = [];
  constructor(private readonly answers: Array<() => Promise<Partial<GetSecretValueCommandOutput>>>) {}
  async send(command: GetSecretValueCommand): Promise<GetSecretValueCommandOutput> {
    this.requests.push(command.input.SecretId ?? '');
    const answer = this.answers[Math.min(this.requests.length - 1, this.answers.length - 1)]!;
    return { $metadata: {}, ...(await answer()) };
  }
}

const manualClock = (): Clock & { advance(ms: number): void } => {
  let now = 0;
  return { now: () => new Date(now), sleep: async () => undefined, advance: (ms) => (now += ms) };
};

const secret = (value: unknown) => async () => ({ SecretString: JSON.stringify(value) });
const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:git-AbCdEf';

/** The Git host credentials as the Lambda compositions read them (lambda-bootstrap.ts). */
const gitCredentialsReader = (options: Omit<SecretReaderOptions<GitCredentials>, 'format'>) => {
  const reader = secretReader({ ...options, format: GIT_CREDENTIALS });
  return { read: () => reader.get(), invalidate: () => reader.invalidate() };
};

describe('secretReader with the Git credentials format', () => {
  it.each([
    [{ token: 'ghp_x' }, { kind: 'token', token: 'ghp_x' }],
    [
      { appId: '12345', privateKey: '-----BEGIN KEY-----\\nabc\\n-----END KEY-----', installationId: 678 },
      {
        kind: 'github-app',
        appId: 12345,
        privateKey: '-----BEGIN KEY-----\nabc\n-----END KEY-----',
        installationId: 678,
      },
    ],
    [
      { username: 'bot', password: 'hunter2' },
      { kind: 'basic', username: 'bot', password: 'hunter2' },
    ],
  ])('parses %j', async (stored, expected) => {
    // Prepare
    const reader = gitCredentialsReader({ client: new FakeSecrets([secret(stored)]), secretId: ARN });

    // Act
    const credentials = await reader.read();

    // Assess
    expect(credentials).toEqual(expected);
  });

  it('reuses the value within the TTL, shares concurrent reads and refreshes after it', async () => {
    // Prepare
    const clock = manualClock();
    const client = new FakeSecrets([secret({ token: 'one' }), secret({ token: 'two' })]);
    const reader = gitCredentialsReader({ client, secretId: ARN, ttlMs: 60_000, clock });

    // Act
    const [first, concurrent] = await Promise.all([reader.read(), reader.read()]);
    clock.advance(59_999);
    const cached = await reader.read();
    clock.advance(1);
    const refreshed = await reader.read();

    // Assess
    expect([first, concurrent, cached, refreshed]).toEqual([
      { kind: 'token', token: 'one' },
      { kind: 'token', token: 'one' },
      { kind: 'token', token: 'one' },
      { kind: 'token', token: 'two' },
    ]);
    expect(client.requests).toEqual([ARN, ARN]);
  });

  it('does not cache a failure', async () => {
    // Prepare
    const throttled = async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    };
    const client = new FakeSecrets([throttled, secret({ token: 'ok' })]);
    const reader = gitCredentialsReader({ client, secretId: ARN });

    // Act
    const failure = await reader.read().catch((error: unknown) => error);
    const success = await reader.read();

    // Assess
    expect(failure).toMatchObject({ code: 'CREDENTIALS_UNAVAILABLE', disposition: 'retryable' });
    expect((failure as Error).message).toContain('ThrottlingException');
    expect(success).toEqual({ kind: 'token', token: 'ok' });
  });

  it.each([
    ['an unknown shape', secret({ user: 'bot', pass: 'hunter2-secret' }), 'found fields: user, pass'],
    ['a non-JSON secret', async () => ({ SecretString: 'hunter2-secret' }), 'not JSON'],
    ['a binary secret', async () => ({ SecretBinary: new Uint8Array([1]) }), 'no SecretString'],
  ])('refuses %s without ever quoting the value', async (_name, answer, expected) => {
    // Prepare
    const reader = gitCredentialsReader({ client: new FakeSecrets([answer]), secretId: ARN });

    // Act
    const error = (await reader.read().catch((caught: unknown) => caught)) as Error;

    // Assess
    expect(error).toMatchObject({ code: 'CREDENTIALS_UNAVAILABLE' });
    expect(error.message).toContain(expected);
    expect(
      JSON.stringify({ message: error.message, stack: error.stack, cause: String(error.cause) }),
    ).not.toContain('hunter2');
  });

  it('invalidate() forces the next read to fetch again', async () => {
    // Prepare
    const client = new FakeSecrets([secret({ token: 'one' }), secret({ token: 'rotated' })]);
    const reader = gitCredentialsReader({ client, secretId: ARN });
    await reader.read();

    // Act
    reader.invalidate();
    const after = await reader.read();

    // Assess
    expect(after).toEqual({ kind: 'token', token: 'rotated' });
  });

  it('takes a real SecretsManagerClient (type check; no call is made)', () => {
    const client = new SecretsManagerClient({ region: 'eu-west-1' });
    expect(gitCredentialsReader({ client, secretId: ARN }).read).toBeTypeOf('function');
    client.destroy();
  });
});
