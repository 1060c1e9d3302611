import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { PromoterError } from '../../errors';
import { type Clock, systemClock } from '../../ports/clock';
import type { JiraCredentials } from '../jira-issue-notifier';
import { ttlCached } from '../ttl-cache';
import type { SecretsClient } from './git-credentials';

const unavailable = (secretId: string, message: string, cause?: unknown): PromoterError =>
  new PromoterError(
    'CREDENTIALS_UNAVAILABLE',
    'retryable',
    `Jira secret ${secretId}: ${message}`,
    cause === undefined ? {} : { cause },
  );

/**
 * The SecretString: a bare personal access token (Bearer), JSON `{"token": "…"}` (Bearer), or JSON
 * `{"email": "…", "token": "…"}` (Jira Cloud API token, Basic). Messages never quote the value.
 */
export const parseJiraCredentials = (secretId: string, text: string): JiraCredentials => {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) {
    if (trimmed === '' || /\s/.test(trimmed)) throw unavailable(secretId, 'is not a token nor JSON');
    return { kind: 'bearer', token: trimmed };
  }
  let value: { token?: unknown; email?: unknown };
  try {
    value = JSON.parse(trimmed) as typeof value;
  } catch {
    throw unavailable(secretId, 'SecretString starts like JSON but does not parse');
  }
  if (typeof value.token !== 'string' || value.token === '')
    throw unavailable(secretId, 'JSON has no "token"');
  return typeof value.email === 'string' && value.email !== ''
    ? { kind: 'basic', email: value.email, token: value.token }
    : { kind: 'bearer', token: value.token };
};

export interface JiraCredentialsSecretOptions {
  readonly client: SecretsClient;
  readonly secretId: string;
  /** @default 5 minutes */
  readonly ttlMs?: number;
  readonly clock?: Clock;
}

/** Reads (and caches for `ttlMs`) the Jira credentials from Secrets Manager; pass it as `credentials`. */
export const jiraCredentialsFromSecret = (
  options: JiraCredentialsSecretOptions,
): (() => Promise<JiraCredentials>) =>
  ttlCached(
    async () => {
      const output = await options.client
        .send(new GetSecretValueCommand({ SecretId: options.secretId }))
        .catch((error: unknown) => {
          throw unavailable(
            options.secretId,
            `GetSecretValue failed: ${error instanceof Error ? error.name : 'Error'}`,
            error,
          );
        });
      if (output.SecretString === undefined) throw unavailable(options.secretId, 'has no SecretString');
      return parseJiraCredentials(options.secretId, output.SecretString);
    },
    options.ttlMs ?? 5 * 60_000,
    options.clock ?? systemClock,
  );
