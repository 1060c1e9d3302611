import { GetSecretValueCommand, type GetSecretValueCommandOutput } from '@aws-sdk/client-secrets-manager';
import { PromoterError } from '../../errors';
import { type Clock, systemClock } from '../../ports/clock';
import { DEFAULT_TTL_MS, type TtlCache, ttlCache } from '../ttl-cache';

/** The one call we make; a `SecretsManagerClient` fits, and so does a small fake in tests. */
export interface SecretsClient {
  send(command: GetSecretValueCommand): Promise<GetSecretValueCommandOutput>;
}

/**
 * One kind of secret: how messages name it, the code its failures carry, and how its SecretString
 * reads. `parse` calls `fail` with a message that names fields, never a value (messages are logged).
 */
export interface SecretFormat<T> {
  /** 'secret', 'Jira secret', 'keyring secret', … (messages read "<label> <id>: …"). */
  readonly label: string;
  /** The retryable code of every failure: CREDENTIALS_UNAVAILABLE, KEYRING_UNAVAILABLE, … */
  readonly code: string;
  parse(text: string, fail: (message: string) => never): T;
}

const failure = (format: SecretFormat<unknown>, secretId: string, message: string, cause?: unknown) =>
  new PromoterError(
    format.code,
    'retryable',
    `${format.label} ${secretId}: ${message}`,
    cause === undefined ? {} : { cause },
  );

/** Parses a SecretString as `format` (no zod error or value ever travels as the cause). */
export const parseSecret = <T>(format: SecretFormat<T>, secretId: string, text: string): T =>
  format.parse(text, (message) => {
    throw failure(format, secretId, message);
  });

export interface SecretReaderOptions<T> {
  readonly client: SecretsClient;
  /** Secret ARN (or name). */
  readonly secretId: string;
  readonly format: SecretFormat<T>;
  /** How long a read value is reused. @default 5 minutes */
  readonly ttlMs?: number;
  readonly clock?: Clock;
}

/**
 * Reads a Secrets Manager secret and parses it by its format, cached on the Clock (ttl-cache.ts):
 * every secret of chart-promoter (Git host credentials, Jira credentials, the provenance keyring, the
 * webhook's HMAC key) goes through here. Every failure is retryable with the format's code: a missing
 * or malformed secret is a deployment problem an operator fixes, after which the dead-letter queue is
 * redriven; the chart is not at fault.
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
 */
export const secretReader = <T>(options: SecretReaderOptions<T>): TtlCache<T> => {
  const { client, secretId, format } = options;
  const read = async (): Promise<T> => {
    let output: GetSecretValueCommandOutput;
    try {
      output = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      throw failure(format, secretId, `GetSecretValue failed: ${name}`, error);
    }
    if (output.SecretString === undefined)
      throw failure(format, secretId, 'has no SecretString (binary secret?)');
    return parseSecret(format, secretId, output.SecretString);
  };
  return ttlCache(read, options.ttlMs ?? DEFAULT_TTL_MS, options.clock ?? systemClock);
};
