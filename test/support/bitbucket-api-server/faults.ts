import { errorResource } from './resources';

/**
 * Failures Bitbucket Cloud really produces, on demand (sources in README.md):
 * - `status`: a canned answer: 429 "Rate limit for this resource has been exceeded" (with or without
 *   `Retry-After` and the `X-RateLimit-*` headers access tokens get), 5xx, 555 (src and diffstat
 *   "timed out"), 400 (e.g. "parents: Commit not found"), 401/403;
 * - `competing-commit`: another writer commits on the branch first, so the real compare-and-swap check
 *   answers (409 on the commit endpoint) — never a canned 409;
 * - `hang`: no answer at all (the client's deadline must fire);
 * - `drop-request`: the connection closes before the server acts;
 * - `drop-response`: the server acts (a commit lands), then the connection closes before the answer.
 */

export type FaultSpec =
  | {
      readonly kind: 'status';
      readonly status: 400 | 401 | 403 | 404 | 429 | 500 | 502 | 503 | 504 | 555;
      /** `Retry-After` value (delta-seconds, or an HTTP date string); none when absent. */
      readonly retryAfter?: number | string;
      /** Also send X-RateLimit-Limit / -Resource / -NearLimit (access-token requests get them). */
      readonly rateLimitHeaders?: boolean;
      readonly message?: string;
      readonly route?: string;
      readonly times?: number;
    }
  | {
      readonly kind: 'competing-commit' | 'hang' | 'drop-request' | 'drop-response';
      readonly route?: string;
      readonly times?: number;
    };

export interface CannedAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

const MESSAGES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  // The text Bitbucket sends, quoted by Atlassian's rate-limit troubleshooting article.
  429: 'Rate limit for this resource has been exceeded',
  555: 'Timed out',
};

export const cannedAnswer = (fault: Extract<FaultSpec, { kind: 'status' }>): CannedAnswer => {
  const headers: Record<string, string> = {};
  if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
  if (fault.rateLimitHeaders) {
    headers['x-ratelimit-limit'] = '1000';
    headers['x-ratelimit-resource'] = 'api';
    headers['x-ratelimit-nearlimit'] = 'true';
  }
  const message = fault.message ?? MESSAGES[fault.status] ?? 'Something went wrong';
  return { status: fault.status, headers, body: errorResource(message) };
};

/** Pending faults; each request takes the first one matching its route key. */
export class FaultQueue {
  readonly #pending: { spec: FaultSpec; left: number }[] = [];

  add(spec: FaultSpec): void {
    this.#pending.push({ spec, left: spec.times ?? 1 });
  }

  take(route: string): FaultSpec | undefined {
    const index = this.#pending.findIndex((f) => f.spec.route === undefined || f.spec.route === route);
    if (index < 0) return undefined;
    const fault = this.#pending[index]!;
    fault.left -= 1;
    if (fault.left <= 0) this.#pending.splice(index, 1);
    return fault.spec;
  }

  clear(): void {
    this.#pending.length = 0;
  }
}
