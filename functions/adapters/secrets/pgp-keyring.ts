import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { PromoterError } from '../../errors';
import { type Clock, systemClock } from '../../ports/clock';
import type { KeyringSource } from '../../ports/keyring-source';
import { ttlCached } from '../ttl-cache';
import type { SecretsClient } from './git-credentials';

export interface SecretsKeyringSourceOptions {
  readonly client: SecretsClient;
  /** Secret ARN (or name) whose SecretString is the armored keyring (or JSON `{"publicKeys": "…"}`). */
  readonly secretId: string;
  /** @default 5 minutes */
  readonly ttlMs?: number;
  readonly clock?: Clock;
}

const unavailable = (secretId: string, message: string, cause?: unknown): PromoterError =>
  new PromoterError(
    'KEYRING_UNAVAILABLE',
    'retryable',
    `keyring secret ${secretId}: ${message}`,
    cause === undefined ? {} : { cause },
  );

/** The armored text, from the raw SecretString or its JSON `publicKeys` field (console key/value secrets). */
export const keyringFromSecretString = (secretId: string, text: string): string => {
  if (text.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----') && !text.trimStart().startsWith('{')) return text;
  try {
    const value = JSON.parse(text) as { publicKeys?: unknown };
    if (typeof value.publicKeys === 'string') return value.publicKeys;
  } catch {
    // fall through: neither armor nor JSON
  }
  throw unavailable(
    secretId,
    'SecretString is neither an armored public keyring nor JSON {"publicKeys": "…"}',
  );
};

/**
 * The provenance keyring as a Secrets Manager secret (public keys are not secret, but the secret's
 * resource policy and rotation give an audited "who may sign" list). Failures are retryable
 * `KEYRING_UNAVAILABLE`. https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
 */
export class SecretsKeyringSource implements KeyringSource {
  readonly publicKeys: () => Promise<string>;

  constructor(options: SecretsKeyringSourceOptions) {
    const { client, secretId } = options;
    const read = async (): Promise<string> => {
      const output = await client
        .send(new GetSecretValueCommand({ SecretId: secretId }))
        .catch((error: unknown) => {
          throw unavailable(
            secretId,
            `GetSecretValue failed: ${error instanceof Error ? error.name : 'Error'}`,
            error,
          );
        });
      if (output.SecretString === undefined)
        throw unavailable(secretId, 'has no SecretString (binary secret?)');
      return keyringFromSecretString(secretId, output.SecretString);
    };
    this.publicKeys = ttlCached(read, options.ttlMs ?? 5 * 60_000, options.clock ?? systemClock);
  }
}
