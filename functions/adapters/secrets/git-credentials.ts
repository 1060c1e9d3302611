import { GetSecretValueCommand, type GetSecretValueCommandOutput } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { PromoterError } from '../../errors';
import { type Clock, systemClock } from '../../ports/clock';

/** Git host credentials as stored in the secret (JSON in SecretString). */
export type GitCredentials =
  | { readonly kind: 'token'; readonly token: string }
  | {
      readonly kind: 'github-app';
      readonly appId: number;
      readonly privateKey: string;
      readonly installationId: number;
    }
  | { readonly kind: 'basic'; readonly username: string; readonly password: string };

/** The one call we make; a `SecretsManagerClient` fits, and so does a small fake in tests. */
export interface SecretsClient {
  send(command: GetSecretValueCommand): Promise<GetSecretValueCommandOutput>;
}

export interface SecretsCredentialsReaderOptions {
  readonly client: SecretsClient;
  /** Secret ARN (or name). */
  readonly secretId: string;
  /** How long a read value is reused. @default 5 minutes */
  readonly ttlMs?: number;
  readonly clock?: Clock;
}

const numericId = z.union([z.number().int().positive(), z.string().regex(/^\d+$/).transform(Number)]);

const secretShape = z.union([
  z.object({ token: z.string().min(1) }).transform((s) => ({ kind: 'token' as const, token: s.token })),
  z.object({ appId: numericId, privateKey: z.string().min(1), installationId: numericId }).transform((s) => ({
    kind: 'github-app' as const,
    appId: s.appId,
    // Keys pasted through a console or a .env often arrive with literal "\n" sequences.
    privateKey: s.privateKey.includes('\n') ? s.privateKey : s.privateKey.replace(/\\n/g, '\n'),
    installationId: s.installationId,
  })),
  z
    .object({ username: z.string().min(1), password: z.string().min(1) })
    .transform((s) => ({ kind: 'basic' as const, username: s.username, password: s.password })),
]);

const unavailable = (secretId: string, message: string, cause?: unknown): PromoterError =>
  new PromoterError(
    'CREDENTIALS_UNAVAILABLE',
    'retryable',
    `secret ${secretId}: ${message}`,
    cause === undefined ? {} : { cause },
  );

/**
 * Parses the secret text. Error messages name the fields present, never a value, and carry no
 * zod error as cause (its issues can quote the input).
 */
export const parseGitCredentials = (secretId: string, text: string): GitCredentials => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw unavailable(secretId, 'SecretString is not JSON');
  }
  const parsed = secretShape.safeParse(value);
  if (!parsed.success) {
    const fields = typeof value === 'object' && value !== null ? Object.keys(value).join(', ') : typeof value;
    throw unavailable(
      secretId,
      `expected {token} | {appId, privateKey, installationId} | {username, password}, found fields: ${fields || 'none'}`,
    );
  }
  return parsed.data;
};

/**
 * Reads the Git host credentials from Secrets Manager, caching them in memory across invocations
 * of a warm Lambda for `ttlMs` (so a rotated secret is picked up within that time, and GetSecretValue
 * is not called per message). Concurrent callers share one request; failures are not cached.
 * Every failure is retryable `CREDENTIALS_UNAVAILABLE`: a missing or malformed secret is a
 * deployment problem an operator fixes, after which the DLQ is redriven; the chart is not at fault.
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
 */
export class SecretsCredentialsReader {
  readonly #client: SecretsClient;
  readonly #secretId: string;
  readonly #ttlMs: number;
  readonly #clock: Clock;
  #cached: { readonly value: Promise<GitCredentials>; readonly expiresAt: number } | undefined;

  constructor(options: SecretsCredentialsReaderOptions) {
    this.#client = options.client;
    this.#secretId = options.secretId;
    this.#ttlMs = options.ttlMs ?? 5 * 60_000;
    this.#clock = options.clock ?? systemClock;
  }

  read(): Promise<GitCredentials> {
    const now = this.#clock.now().getTime();
    if (this.#cached !== undefined && now < this.#cached.expiresAt) return this.#cached.value;
    const value = this.#fetch();
    const entry = { value, expiresAt: now + this.#ttlMs };
    this.#cached = entry;
    value.catch(() => {
      if (this.#cached === entry) this.#cached = undefined;
    });
    return value;
  }

  /** Forget the cached value (e.g. after the Git host answered 401 with it). */
  invalidate(): void {
    this.#cached = undefined;
  }

  async #fetch(): Promise<GitCredentials> {
    let output: GetSecretValueCommandOutput;
    try {
      output = await this.#client.send(new GetSecretValueCommand({ SecretId: this.#secretId }));
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      throw unavailable(this.#secretId, `GetSecretValue failed: ${name}`, error);
    }
    if (output.SecretString === undefined)
      throw unavailable(this.#secretId, 'has no SecretString (binary secret?)');
    return parseGitCredentials(this.#secretId, output.SecretString);
  }
}
