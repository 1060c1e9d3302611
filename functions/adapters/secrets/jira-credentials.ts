import type { JiraCredentials } from '../jira-issue-notifier';
import { parseSecret, type SecretFormat } from './secret-reader';

/**
 * The SecretString: a bare personal access token (Bearer), JSON `{"token": "…"}` (Bearer), or JSON
 * `{"email": "…", "token": "…"}` (Jira Cloud API token, Basic). Messages never quote the value.
 */
export const JIRA_CREDENTIALS: SecretFormat<JiraCredentials> = {
  label: 'Jira secret',
  code: 'CREDENTIALS_UNAVAILABLE',
  parse: (text, fail) => {
    const trimmed = text.trim();
    if (!trimmed.startsWith('{')) {
      if (trimmed === '' || /\s/.test(trimmed)) return fail('is not a token nor JSON');
      return { kind: 'bearer', token: trimmed };
    }
    let value: { token?: unknown; email?: unknown };
    try {
      value = JSON.parse(trimmed) as typeof value;
    } catch {
      return fail('SecretString starts like JSON but does not parse');
    }
    if (typeof value.token !== 'string' || value.token === '') return fail('JSON has no "token"');
    return typeof value.email === 'string' && value.email !== ''
      ? { kind: 'basic', email: value.email, token: value.token }
      : { kind: 'bearer', token: value.token };
  },
};

export const parseJiraCredentials = (secretId: string, text: string): JiraCredentials =>
  parseSecret(JIRA_CREDENTIALS, secretId, text);
