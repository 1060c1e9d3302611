import type { GitHostErrorCode } from '../../../ports/git-host-error';

/**
 * What an HTTP status from a Git host means for the pipeline, for hosts whose API answers plainly
 * (no typed error bodies to read first): 401/403 credentials (terminal), 404 no such repository or
 * branch (terminal), 429 rate limited and 5xx unavailable (retryable), any other refusal terminal.
 * Hosts that signal more in the body (GitHub's secondary rate limits on 403) classify that first.
 */
export const gitHostErrorCodeOf = (status: number): GitHostErrorCode => {
  if (status === 401 || status === 403) return 'AUTH_FAILED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'HOST_UNAVAILABLE';
  return 'REQUEST_REJECTED';
};
