/**
 * Failures GitHub really produces, on demand, shaped as GitHub sends them:
 * - secondary rate limit: 403 or 429, `retry-after`, and the documented message
 *   (https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit);
 * - primary rate limit: 403 with `x-ratelimit-remaining: 0` and `x-ratelimit-reset`;
 * - GraphQL's rate limit: HTTP 200 with `errors[].type` RATE_LIMITED and `x-ratelimit-remaining: 0`
 *   (renovatebot/renovate#21861, github/docs#22607), or the newer `type: "RATE_LIMIT"`, `code:
 *   "graphql_rate_limit"` (yanyongyu/githubkit#271);
 * - 502 from GitHub's edge; 401 bad credentials;
 * - 422 on update-ref is not faked: a competing writer commits first, then the real check answers
 *   (`Update is not a fast forward`), or, with `message`, GitHub's other answer to racing writers
 *   (`Reference cannot be updated`, osunyorg/admin#119).
 */

export interface FaultSpec {
  /** Route key (`PATCH /repos/{owner}/{repo}/git/refs/{ref}`, `POST /graphql`); any route when absent. */
  readonly route?: string;
  readonly status: 200 | 401 | 403 | 422 | 429 | 500 | 502 | 503;
  /** Seconds, sent as `retry-after` (secondary limit) or used for `x-ratelimit-reset` (primary). */
  readonly retryAfter?: number;
  /**
   * For 403: `secondary` (default when retryAfter is set) or `primary` rate limit, or `forbidden`.
   * For 200 (`POST /graphql`): `graphql-rate-limited` (default) or `graphql-rate-limit`.
   */
  readonly kind?: 'secondary' | 'primary' | 'forbidden' | 'graphql-rate-limited' | 'graphql-rate-limit';
  readonly message?: string;
  /** How many matching requests fail (default 1; Infinity for a permanent fault). */
  readonly times?: number;
}

export interface FaultResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

const DOCS = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api';
const SECONDARY =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. ' +
  'If you reach out to GitHub Support for help, please include the request ID 0000:1111:2222:3333:4444.';

const primaryLimitHeaders = (resource: string, retryAfter: number) => ({
  'x-ratelimit-limit': '5000',
  'x-ratelimit-remaining': '0',
  'x-ratelimit-used': '5000',
  'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000 + retryAfter)),
  'x-ratelimit-resource': resource,
});

export const faultResponse = (fault: FaultSpec): FaultResponse => {
  const { status } = fault;
  const retryAfter = fault.retryAfter ?? 1;
  if (status === 200) {
    const error =
      fault.kind === 'graphql-rate-limit'
        ? {
            type: 'RATE_LIMIT',
            code: 'graphql_rate_limit',
            message: 'API rate limit already exceeded for user ID 1234.',
          }
        : { type: 'RATE_LIMITED', message: 'API rate limit exceeded for installation ID 1234.' };
    return {
      status,
      headers: primaryLimitHeaders('graphql', retryAfter),
      body: { errors: [fault.message ? { ...error, message: fault.message } : error] },
    };
  }
  const kind = fault.kind ?? (status === 403 && fault.retryAfter === undefined ? 'forbidden' : 'secondary');
  if ((status === 403 || status === 429) && kind === 'primary') {
    return {
      status,
      headers: primaryLimitHeaders('core', retryAfter),
      body: {
        message: fault.message ?? 'API rate limit exceeded for installation ID 1234.',
        documentation_url: `${DOCS}#about-the-primary-rate-limit`,
      },
    };
  }
  if ((status === 403 || status === 429) && kind === 'secondary') {
    return {
      status,
      headers: { 'retry-after': String(retryAfter) },
      body: { message: fault.message ?? SECONDARY, documentation_url: `${DOCS}#about-secondary-rate-limits` },
    };
  }
  if (status === 401) {
    return {
      status,
      headers: {},
      body: {
        message: fault.message ?? 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      },
    };
  }
  if (status === 403) {
    return {
      status,
      headers: {},
      body: {
        message: fault.message ?? 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest/git/refs#update-a-reference',
        status: '403',
      },
    };
  }
  return {
    status,
    headers: {},
    body: { message: fault.message ?? (status === 422 ? 'Validation Failed' : 'Server Error') },
  };
};

/** A queue of pending faults; each request takes the first one matching its route. */
export class FaultQueue {
  private readonly pending: { spec: FaultSpec; left: number }[] = [];

  add(spec: FaultSpec): void {
    this.pending.push({ spec, left: spec.times ?? 1 });
  }

  take(route: string): FaultSpec | undefined {
    const index = this.pending.findIndex((f) => f.spec.route === undefined || f.spec.route === route);
    if (index < 0) return undefined;
    const fault = this.pending[index]!;
    fault.left -= 1;
    if (fault.left <= 0) this.pending.splice(index, 1);
    return fault.spec;
  }

  clear(): void {
    this.pending.length = 0;
  }
}
