import type { Clock } from '../../ports/clock';
import type { KeyringSource } from '../../ports/keyring-source';
import { parseSecret, type SecretFormat, type SecretsClient, secretReader } from './secret-reader';

/** The armored text, from the raw SecretString or its JSON `publicKeys` field (console key/value secrets). */
export const PGP_KEYRING: SecretFormat<string> = {
  label: 'keyring secret',
  code: 'KEYRING_UNAVAILABLE',
  parse: (text, fail) => {
    if (text.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----') && !text.trimStart().startsWith('{'))
      return text;
    try {
      const value = JSON.parse(text) as { publicKeys?: unknown };
      if (typeof value.publicKeys === 'string') return value.publicKeys;
    } catch {
      // fall through: neither armor nor JSON
    }
    return fail('SecretString is neither an armored public keyring nor JSON {"publicKeys": "…"}');
  },
};

export const keyringFromSecretString = (secretId: string, text: string): string =>
  parseSecret(PGP_KEYRING, secretId, text);

export interface SecretsKeyringSourceOptions {
  readonly client: SecretsClient;
  /** Secret ARN (or name) whose SecretString is the armored keyring (or JSON `{"publicKeys": "…"}`). */
  readonly secretId: string;
  /** @default 5 minutes */
  readonly ttlMs?: number;
  readonly clock?: Clock;
}

/**
 * The provenance keyring as a Secrets Manager secret (public keys are not secret, but the secret's
 * resource policy and rotation give an audited "who may sign" list). Failures are retryable
 * `KEYRING_UNAVAILABLE`.
 */
export class SecretsKeyringSource implements KeyringSource {
  readonly publicKeys: () => Promise<string>;

  constructor(options: SecretsKeyringSourceOptions) {
    const reader = secretReader({ ...options, format: PGP_KEYRING });
    this.publicKeys = () => reader.get();
  }
}
