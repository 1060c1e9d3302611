import * as z from '../../zod';
import { parseSecret, type SecretFormat } from './secret-reader';

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

const numericId = z.union([
  z.number().check(z.int(), z.positive()),
  z.pipe(z.string().check(z.regex(/^\d+$/)), z.transform(Number)),
]);

const secretShape = z.union([
  z.pipe(
    z.object({ token: z.string().check(z.minLength(1)) }),
    z.transform((s) => ({ kind: 'token' as const, token: s.token })),
  ),
  z.pipe(
    z.object({ appId: numericId, privateKey: z.string().check(z.minLength(1)), installationId: numericId }),
    z.transform((s) => ({
      kind: 'github-app' as const,
      appId: s.appId,
      // Keys pasted through a console or a .env often arrive with literal "\n" sequences.
      privateKey: s.privateKey.includes('\n') ? s.privateKey : s.privateKey.replace(/\\n/g, '\n'),
      installationId: s.installationId,
    })),
  ),
  z.pipe(
    z.object({ username: z.string().check(z.minLength(1)), password: z.string().check(z.minLength(1)) }),
    z.transform((s) => ({ kind: 'basic' as const, username: s.username, password: s.password })),
  ),
]);

/**
 * `{token}`, `{appId, privateKey, installationId}` or `{username, password}`; which of them a host
 * accepts is its descriptor's `credentialKinds` (functions/adapters/git-hosts). Error messages name the
 * fields present, never a value.
 */
export const GIT_CREDENTIALS: SecretFormat<GitCredentials> = {
  label: 'secret',
  code: 'CREDENTIALS_UNAVAILABLE',
  parse: (text, fail) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return fail('SecretString is not JSON');
    }
    const parsed = secretShape.safeParse(value);
    if (parsed.success) return parsed.data;
    const fields = typeof value === 'object' && value !== null ? Object.keys(value).join(', ') : typeof value;
    return fail(
      `expected {token} | {appId, privateKey, installationId} | {username, password}, found fields: ${fields || 'none'}`,
    );
  },
};

export const parseGitCredentials = (secretId: string, text: string): GitCredentials =>
  parseSecret(GIT_CREDENTIALS, secretId, text);
