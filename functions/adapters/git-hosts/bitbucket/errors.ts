import { GitHostError, type GitHostErrorCode } from '../../../ports/git-host-error';

/**
 * Bitbucket Cloud answers → GitHostError codes. By the time an answer arrives here the client has
 * already waited out rate limits and retried 5xx and dropped connections (http-client.ts), so what is
 * left is reported as it is: retryable for the queue's own backoff, or terminal.
 */

/** No complete answer within the client's `requestTimeoutMs`: retried like a dropped connection. */
export class BitbucketRequestTimeoutError extends Error {
  override readonly name = 'BitbucketRequestTimeoutError';

  constructor(method: string, url: string, timeoutMs: number, cause?: unknown) {
    super(`no answer from Bitbucket within ${timeoutMs} ms (${method} ${url})`, { cause });
  }
}

/**
 * The `error` object of Bitbucket's error answers (`{"type": "error", "error": {"message", "detail"}}`,
 * definition `error` of the OpenAPI description); undefined when the body is not one.
 */
export const errorMessageOf = (body: Uint8Array): string | undefined => {
  try {
    const parsed = JSON.parse(new TextDecoder().decode(body)) as {
      error?: { message?: unknown; detail?: unknown };
    };
    const { message, detail } = parsed.error ?? {};
    if (typeof message !== 'string') return undefined;
    return typeof detail === 'string' && detail.length > 0 ? `${message} (${detail})` : message;
  } catch {
    return undefined;
  }
};

const codeFor = (status: number): GitHostErrorCode => {
  switch (status) {
    case 401:
    case 403:
      return 'AUTH_FAILED';
    case 404:
      return 'NOT_FOUND';
    case 429:
      return 'RATE_LIMITED';
    case 400:
    case 409:
    case 410:
    case 413:
    case 414:
    case 415:
    case 422:
      return 'REQUEST_REJECTED';
    default:
      // 5xx (and Bitbucket's 555 "timed out"), 3xx we do not follow, anything unexpected.
      return status >= 400 && status < 500 ? 'REQUEST_REJECTED' : 'HOST_UNAVAILABLE';
  }
};

/**
 * What the operator must do about an authentication failure. Access tokens go as Bearer, app passwords
 * and Atlassian API tokens as Basic (https://developer.atlassian.com/cloud/bitbucket/rest/intro/#authentication).
 */
const authHint = (status: number): string =>
  status === 401
    ? 'Bitbucket refused the credentials: check the secret ({"token"} for a repository, project or workspace access token; {"username", "password"} for an app password or an Atlassian API token with its account name or e-mail)'
    : 'the credentials lack a permission: the token needs the scopes repository:write and pullrequest:write (an app password: Repositories write, Pull requests write)';

export const httpFailure = (
  status: number,
  action: string,
  body: Uint8Array,
  options: { cause?: unknown } = {},
): GitHostError => {
  const code = codeFor(status);
  const said = errorMessageOf(body);
  const hint = code === 'AUTH_FAILED' ? `${authHint(status)}. ` : '';
  return new GitHostError(
    code,
    `Bitbucket ${action} failed (HTTP ${status}): ${hint}${said ?? 'no error message'}`,
    options,
  );
};

export const connectionFailure = (action: string, error: unknown): GitHostError => {
  if (error instanceof GitHostError) return error;
  const message =
    error instanceof BitbucketRequestTimeoutError
      ? `timed out: ${error.message}`
      : `failed: ${error instanceof Error ? error.message : String(error)}`;
  return new GitHostError('HOST_UNAVAILABLE', `Bitbucket ${action} ${message}`, { cause: error });
};
