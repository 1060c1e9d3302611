import { GitHostError, type GitHostErrorCode } from '../../../ports/git-host-error';
import { GitLabConnectionError, GitLabTimeoutError, type HttpAnswer } from './transport';

/**
 * GitLab's answers as GitHostError codes. By the time an answer arrives here the transport has
 * already waited out 429s and retried 5xx where that was safe, so what is still failing is reported
 * as such (retryable, for the queue's own backoff), never swallowed.
 */

/** A non-2xx answer. `message` is GitLab's own (`{"message": …}` or `{"error": …}`, or the text body). */
export class GitLabHttpError extends Error {
  override readonly name = 'GitLabHttpError';
  readonly status: number;
  readonly headers: Headers;
  /** GitLab's message: a string, or the list of validation messages (e.g. 409 on merge requests). */
  readonly detail: string;

  constructor(method: string, url: string, answer: HttpAnswer) {
    const detail = messageIn(answer);
    super(`${method} ${new URL(url).pathname} answered ${answer.status}: ${detail}`);
    this.status = answer.status;
    this.headers = answer.headers;
    this.detail = detail;
  }
}

/**
 * GitLab's REST errors are `{"message": "400 Bad request - …"}`, `{"message": ["…"]}` (validation),
 * `{"message": {"field": ["…"]}}` or `{"error": "…"}` (lib/api/helpers.rb `render_api_error!`,
 * `render_validation_error!`); Rack::Attack's 429 is plain text ("Retry later").
 */
const messageIn = (answer: HttpAnswer): string => {
  const text = new TextDecoder().decode(answer.body).trim();
  try {
    const json = JSON.parse(text) as { message?: unknown; error?: unknown; error_description?: unknown };
    const value = json.message ?? json.error_description ?? json.error;
    if (typeof value === 'string') return value;
    if (value !== undefined) return JSON.stringify(value);
  } catch {
    // not JSON
  }
  return text.slice(0, 500) || '(empty body)';
};

const HINTS: Partial<Record<number, string>> = {
  401: 'GitLab rejected the token: check the token in the credentials secret (expired or revoked?)',
  403: 'the token lacks permission: it needs scope `api` and a role that may push to the branch (Developer or above, or as the branch protection allows)',
};

const codeFor = (status: number): GitHostErrorCode => {
  if (status === 401 || status === 403) return 'AUTH_FAILED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'HOST_UNAVAILABLE';
  return 'REQUEST_REJECTED';
};

export const toGitHostError = (error: unknown, action: string): GitHostError => {
  if (error instanceof GitHostError) return error;
  if (error instanceof GitLabTimeoutError || error instanceof GitLabConnectionError)
    return new GitHostError('HOST_UNAVAILABLE', `GitLab ${action} failed: ${error.message}`, {
      cause: error,
    });
  if (error instanceof GitLabHttpError) {
    const hint = HINTS[error.status];
    const message = `GitLab ${action} failed (HTTP ${error.status}): ${error.detail}${hint ? ` — ${hint}` : ''}`;
    return new GitHostError(codeFor(error.status), message, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new GitHostError('HOST_UNAVAILABLE', `GitLab ${action} failed: ${message}`, { cause: error });
};

export const statusOf = (error: unknown): number | undefined =>
  error instanceof GitLabHttpError ? error.status : undefined;

export const detailOf = (error: unknown): string => (error instanceof GitLabHttpError ? error.detail : '');
