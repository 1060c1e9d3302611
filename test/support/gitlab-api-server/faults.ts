/**
 * Failures GitLab really produces, on demand, shaped as GitLab sends them:
 * - 429 from its throttles: `Retry-After` (seconds), `RateLimit-Name`, `-Limit`, `-Observed`,
 *   `-Remaining`, `-Reset` (Unix time), `-ResetTime` (HTTP date), body "Retry later\n" as text
 *   (lib/gitlab/rack_attack/request_throttle_data.rb `throttled_response_headers`; the body is the
 *   default `rate_limiting_response_text`, https://docs.gitlab.com/security/rate_limits/);
 * - 500 `{"message":"500 Internal Server Error"}` from the API (lib/api/helpers.rb), 502/503 as an
 *   HTML page from the front proxy;
 * - 401 `{"message":"401 Unauthorized"}`, 403 `{"message":"403 Forbidden"}` (lib/api/helpers.rb);
 * - 400/409 conflicts with a given message;
 * - `race`: another writer commits to the branch just before the request is handled (the real
 *   checks then answer); `hang`: the answer comes after `ms`, for client deadlines.
 */

export interface FaultSpec {
  /** Route key (`POST /projects/:id/repository/commits`, `POST /api/graphql`, …); any route when absent. */
  readonly route?: string;
  readonly status?: 400 | 401 | 403 | 409 | 429 | 500 | 502 | 503;
  readonly kind?: 'race' | 'hang';
  /** 429: seconds, sent as Retry-After and used for RateLimit-Reset. */
  readonly retryAfter?: number;
  /** `hang`: how long the answer waits. */
  readonly ms?: number;
  readonly message?: string;
  /** How many matching requests fail (default 1; Infinity for a permanent fault). */
  readonly times?: number;
}

export interface FaultResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const json = (status: number, message: unknown): FaultResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message }),
});

export const faultResponse = (fault: FaultSpec, nowMs: number): FaultResponse => {
  const status = fault.status ?? 500;
  if (status === 429) {
    const retryAfter = fault.retryAfter ?? 1;
    const reset = new Date(nowMs + retryAfter * 1000);
    return {
      status,
      headers: {
        'content-type': 'text/plain',
        'retry-after': String(retryAfter),
        'ratelimit-name': 'throttle_authenticated_api',
        'ratelimit-limit': '2000',
        'ratelimit-observed': '2001',
        'ratelimit-remaining': '0',
        'ratelimit-reset': String(Math.ceil(reset.getTime() / 1000)),
        'ratelimit-resettime': reset.toUTCString(),
      },
      body: 'Retry later\n',
    };
  }
  if (status === 502 || status === 503) {
    return {
      status,
      headers: { 'content-type': 'text/html' },
      body: '<!DOCTYPE html><html><head><title>GitLab is not responding (502)</title></head><body></body></html>',
    };
  }
  if (status === 500) return json(500, fault.message ?? '500 Internal Server Error');
  if (status === 401) return json(401, fault.message ?? '401 Unauthorized');
  if (status === 403) return json(403, fault.message ?? '403 Forbidden');
  if (status === 409) return json(409, [fault.message ?? 'Conflict']);
  return json(status, fault.message ?? '400 Bad request');
};

/** A queue of pending faults; each request takes the first one matching its route. */
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
