import { GitHostError, type GitHostErrorCode } from '../../../ports/git-host-error';

/**
 * Classifies what Octokit throws into GitHostError codes. By the time an error arrives here the
 * throttling and retry plugins have already waited and retried, so a rate limit or 5xx that is still
 * there is reported as such (retryable, for the queue's own backoff), never swallowed.
 */

/**
 * No complete answer within the client's `requestTimeoutMs` (github-client.ts). Octokit wraps it in a
 * RequestError with status 500 (its shape for a dropped connection), so plugin-retry retries it; what
 * still times out after the retries is a HOST_UNAVAILABLE, retryable by the queue.
 */
export class GitHubRequestTimeoutError extends Error {
  override readonly name = 'GitHubRequestTimeoutError';

  constructor(method: string, url: string, timeoutMs: number, cause?: unknown) {
    super(`no answer from GitHub within ${timeoutMs} ms (${method} ${url})`, { cause });
  }
}

const timeoutIn = (error: unknown): GitHubRequestTimeoutError | undefined => {
  if (error instanceof GitHubRequestTimeoutError) return error;
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  return cause instanceof GitHubRequestTimeoutError ? cause : undefined;
};

interface GraphqlError {
  readonly type?: string;
  readonly path?: readonly (string | number)[];
  readonly message?: string;
}

interface HttpLikeError {
  readonly status?: number;
  readonly message?: string;
  readonly response?: {
    readonly headers?: Record<string, string | number | undefined>;
    readonly data?: unknown;
  };
  readonly errors?: readonly GraphqlError[];
  readonly data?: unknown;
}

/**
 * GraphQL errors wherever Octokit puts them: `errors` of the `GraphqlResponseError` @octokit/graphql
 * throws (src/error.ts), or `data.errors` of the plain `Error("GraphQL Rate Limit Exceeded")`, without
 * a status, that @octokit/plugin-throttling throws when it stops retrying a GraphQL rate limit
 * (src/wrap-request.ts: `Object.assign(new Error(…), { response, data })`).
 */
export const graphqlErrorsOf = (error: unknown): readonly GraphqlError[] => {
  const e = error as HttpLikeError | null | undefined;
  if (Array.isArray(e?.errors)) return e.errors;
  const body = e?.data as { errors?: unknown } | null | undefined;
  return Array.isArray(body?.errors) ? (body.errors as GraphqlError[]) : [];
};

// GitHub's GraphQL API answers a spent rate limit with HTTP 200 and `errors[].type` RATE_LIMITED
// (renovatebot/renovate#21861; github/docs#22607), and lately also `type: "RATE_LIMIT"`, `code:
// "graphql_rate_limit"` (yanyongyu/githubkit#271, octokit/plugin-throttling.js#848), which the
// throttling plugin does not recognise, so it arrives here unretried.
const GRAPHQL_RATE_LIMIT_TYPES = new Set(['RATE_LIMITED', 'RATE_LIMIT']);

// https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit
export const isRateLimitError = (error: unknown): boolean => {
  const e = error as HttpLikeError;
  if (graphqlErrorsOf(e).some((x) => GRAPHQL_RATE_LIMIT_TYPES.has(x.type ?? ''))) return true;
  if (e?.status !== 403 && e?.status !== 429) return false;
  const headers = e.response?.headers ?? {};
  return (
    e.status === 429 ||
    String(headers['x-ratelimit-remaining']) === '0' ||
    headers['retry-after'] !== undefined ||
    /rate limit/i.test(e.message ?? '')
  );
};

const codeFor = (error: HttpLikeError): GitHostErrorCode => {
  if (isRateLimitError(error)) return 'RATE_LIMITED';
  // GraphQL answers 200 with typed errors (https://docs.github.com/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api).
  const graphql = graphqlErrorsOf(error);
  if (graphql.some((x) => x.type === 'NOT_FOUND')) return 'NOT_FOUND';
  if (graphql.some((x) => x.type === 'FORBIDDEN')) return 'AUTH_FAILED';
  if (graphql.some((x) => x.type !== undefined)) return 'REQUEST_REJECTED';
  switch (error.status) {
    case 401:
    case 403:
      return 'AUTH_FAILED';
    case 404:
      return 'NOT_FOUND';
    case 400:
    case 409:
    case 410:
    case 413:
    case 422:
      return 'REQUEST_REJECTED';
    default:
      // 5xx, network failures (Octokit reports them as 500), timeouts, anything unexpected.
      return 'HOST_UNAVAILABLE';
  }
};

export const toGitHostError = (error: unknown, action: string): GitHostError => {
  if (error instanceof GitHostError) return error;
  const timeout = timeoutIn(error);
  if (timeout !== undefined)
    return new GitHostError('HOST_UNAVAILABLE', `GitHub ${action} timed out: ${timeout.message}`, {
      cause: error,
    });
  const e = (error ?? {}) as HttpLikeError;
  const code = codeFor(e);
  const status = e.status === undefined ? '' : ` (HTTP ${e.status})`;
  return new GitHostError(code, `GitHub ${action} failed${status}: ${e.message ?? String(error)}`, {
    cause: error,
  });
};

export const statusOf = (error: unknown): number | undefined => (error as HttpLikeError)?.status;

export const messageOf = (error: unknown): string => {
  const e = error as HttpLikeError;
  const data = e?.response?.data as { message?: string } | undefined;
  return `${e?.message ?? ''} ${data?.message ?? ''}`;
};

/**
 * GitHub answers a repository that does not exist and one these credentials may not see alike
 * (GraphQL NOT_FOUND "Could not resolve to a Repository…", REST 404), so the message names both.
 */
export const repositoryNotFound = (owner: string, repo: string, baseUrl: string, cause?: unknown) =>
  new GitHostError(
    'NOT_FOUND',
    `GitHub repository ${owner}/${repo} not found at ${baseUrl}, or these credentials cannot see it ` +
      '(GitHub answers the same for both): check the repository setting (owner/name), and that the ' +
      'token, or the GitHub App installation, has access to it',
    cause === undefined ? {} : { cause },
  );

/** The repository has commits but not this branch: a configuration mistake the pipeline must not paper over. */
export const branchNotFound = (owner: string, repo: string, branch: string, defaultBranch?: string) =>
  new GitHostError(
    'NOT_FOUND',
    `branch ${branch} does not exist in GitHub repository ${owner}/${repo}` +
      `${defaultBranch ? ` (its default branch is ${defaultBranch})` : ''}: set the pipeline's branch to ` +
      `the one Flux watches, or create ${branch} on GitHub first (chart-promoter creates a branch only ` +
      'in an empty repository)',
  );
