import { JiraIssueNotifier } from '../adapters/jira-issue-notifier';
import { type KeyringObjectClient, S3KeyringSource } from '../adapters/pgp-s3-keyring';
import { JIRA_CREDENTIALS } from '../adapters/secrets/jira-credentials';
import { SecretsKeyringSource } from '../adapters/secrets/pgp-keyring';
import { type SecretsClient, secretReader } from '../adapters/secrets/secret-reader';
import type { IntegrationsConfig } from '../config/integrations-config';
import type { IssueNotifier } from '../ports/issue-notifier';
import type { KeyringSource } from '../ports/keyring-source';

export interface IntegrationClients {
  /** Built only when the keyring is an S3 object (so a deployment without one creates no client). */
  readonly s3: () => KeyringObjectClient;
  readonly secrets: SecretsClient;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** The configured provenance keyring, or `undefined` when the deployment has none. */
export const createKeyringSource = (
  config: IntegrationsConfig,
  clients: IntegrationClients,
): KeyringSource | undefined => {
  const location = config.keyring;
  if (location === undefined) return undefined;
  return location.kind === 's3'
    ? new S3KeyringSource({ client: clients.s3(), bucket: location.bucket, key: location.key })
    : new SecretsKeyringSource({ client: clients.secrets, secretId: location.secretArn });
};

/**
 * The Jira notifier, or `undefined` when the deployment has none. Its token is read from the secret
 * on first use and cached (secret-reader.ts), never at cold start: a Jira secret that is
 * still empty must not stop promotions.
 */
export const createIssueNotifier = (
  config: IntegrationsConfig,
  clients: IntegrationClients,
): IssueNotifier | undefined => {
  const jira = config.jira;
  if (jira === undefined) return undefined;
  const credentials = secretReader({
    client: clients.secrets,
    secretId: jira.secretArn,
    format: JIRA_CREDENTIALS,
  });
  return new JiraIssueNotifier({
    baseUrl: jira.baseUrl,
    credentials: () => credentials.get(),
    ...(clients.fetch === undefined ? {} : { fetch: clients.fetch }),
  });
};
