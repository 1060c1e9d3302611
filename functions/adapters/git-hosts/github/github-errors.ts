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

interface HttpLikeError {
  readonly status?: number;
  readonly message?: string;
  readonly response?: {
    readonly headers?: Record<string, string | number | undefined>;
    readonly data?: unknown;
  };
  readonly errors?: readonly { readonly type?: string; readonly message?: string }[];
}

// https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit
export const isRateLimitError = (error: unknown): boolean => {
  const e = error as HttpLikeError;
  if (e?.errors?.some((x) => x.type === 'RATE_LIMITED')) return true;
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
  if (error.errors?.some((x) => x.type === 'NOT_FOUND')) return 'NOT_FOUND';
  if (error.errors?.some((x) => x.type === 'FORBIDDEN')) return 'AUTH_FAILED';
  if (error.errors?.some((x) => x.type !== undefined)) return 'REQUEST_REJECTED';
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
