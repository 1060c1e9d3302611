import { PromoterError } from '../errors';
import type { IssueNotifier, PromotionNotice } from '../ports/issue-notifier';

/**
 * Jira credentials: a personal access token sent as `Authorization: Bearer` (Jira Data Center / Server,
 * https://confluence.atlassian.com/enterprise/using-personal-access-tokens-1026032365.html), or an
 * account e-mail plus API token sent as Basic auth (Jira Cloud,
 * https://developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/).
 */
export type JiraCredentials =
  | { readonly kind: 'bearer'; readonly token: string }
  | { readonly kind: 'basic'; readonly email: string; readonly token: string };

export interface JiraIssueNotifierOptions {
  /** e.g. `https://jira.example.com` or `https://example.atlassian.net` (no trailing `/rest`). */
  readonly baseUrl: string;
  /** Read per notification batch (cache it in the reader: see secrets/secret-reader.ts). */
  readonly credentials: () => Promise<JiraCredentials>;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Per request. @default 5000 */
  readonly timeoutMs?: number;
}

const authorization = (credentials: JiraCredentials): string =>
  credentials.kind === 'bearer'
    ? `Bearer ${credentials.token}`
    : `Basic ${Buffer.from(`${credentials.email}:${credentials.token}`).toString('base64')}`;

/** Jira wiki markup (REST API v2 comments are wiki text, not ADF). */
export const jiraCommentText = (notice: PromotionNotice): string => {
  const link = notice.url === undefined ? '' : ` [${notice.url}|${notice.url}]`;
  const commit = `(commit {{${notice.commit.slice(0, 12)}}})`;
  if (notice.rolledBackFrom !== undefined) {
    const what = notice.proposed ? 'is proposed to be rolled back' : 'was rolled back';
    return `chart-promoter: *${notice.chart} ${notice.rolledBackFrom}* ${what} in *${notice.environment}* to ${notice.version} ${commit}.${link}`;
  }
  const what = notice.proposed ? 'is proposed for' : 'reached';
  return `chart-promoter: *${notice.chart} ${notice.version}* ${what} *${notice.environment}* ${commit}.${link}`;
};

/**
 * Comments on each issue through Jira's REST API v2 (`POST /rest/api/2/issue/{key}/comment`,
 * https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issue-comments/#api-rest-api-2-issue-issueidorkey-comment-post).
 * Every key is tried; failures are collected into one retryable `ISSUE_NOTIFY_FAILED` naming the keys
 * and HTTP statuses (never the token), which the caller logs: a tracker outage never fails a promotion.
 */
export class JiraIssueNotifier implements IssueNotifier {
  readonly #baseUrl: string;
  readonly #credentials: () => Promise<JiraCredentials>;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(options: JiraIssueNotifierOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#credentials = options.credentials;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#timeoutMs = options.timeoutMs ?? 5000;
  }

  async promoted(keys: readonly string[], notice: PromotionNotice): Promise<void> {
    if (keys.length === 0) return;
    const auth = authorization(await this.#credentials());
    const body = JSON.stringify({ body: jiraCommentText(notice) });
    const failures: string[] = [];
    for (const key of keys) {
      const url = `${this.#baseUrl}/rest/api/2/issue/${encodeURIComponent(key)}/comment`;
      try {
        const response = await this.#fetch(url, {
          method: 'POST',
          headers: { authorization: auth, 'content-type': 'application/json', accept: 'application/json' },
          body,
          signal: AbortSignal.timeout(this.#timeoutMs),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (!response.ok) failures.push(`${key}: HTTP ${response.status}`);
      } catch (error) {
        failures.push(`${key}: ${error instanceof Error ? error.name : 'Error'}`);
      }
    }
    if (failures.length > 0) {
      throw new PromoterError(
        'ISSUE_NOTIFY_FAILED',
        'retryable',
        `Jira comment failed for ${failures.join(', ')}`,
      );
    }
  }
}
