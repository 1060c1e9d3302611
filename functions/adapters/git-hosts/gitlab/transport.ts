/**
 * Every HTTP request the GitLab adapter sends goes through here (REST via gitbeaker, GraphQL, git's
 * receive-pack): a deadline per request, GitLab's rate-limit answers waited out as its headers ask,
 * bounded retries of 5xx and dropped connections for requests that are safe to repeat, and a count
 * of requests actually sent. What is still failing after that is returned (status) or thrown
 * (timeout, connection) for the adapter to classify.
 */

export interface GitLabRequestEvent {
  readonly method: string;
  readonly url: string;
  /** undefined when no complete answer arrived (timeout, dropped connection). */
  readonly status: number | undefined;
  readonly durationMs: number;
}

export interface GitLabTransportOptions {
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /**
   * Longest wait for one request, from sending it to the last byte of the answer. GitLab's own
   * Workhorse gives up on a proxied API request after 60 s by default (`proxyHeadersTimeout`), but a
   * promotion's requests answer in well under a second; 20 s marks a hung connection.
   * @default 20000
   */
  readonly requestTimeoutMs?: number;
  /** Rate-limit waits per request before giving up with the 429. @default 2 */
  readonly rateLimitRetries?: number;
  /** Longest wait a 429 may ask for inside one invocation, in seconds. @default 60 */
  readonly maxRetryAfterSeconds?: number;
  /** Retries of 5xx and dropped connections (idempotent requests only). @default 3 */
  readonly serverErrorRetries?: number;
  /** Backoff unit for those retries: waits are 1, 4, 9… times this, in ms. @default 1000 */
  readonly serverErrorBackoffMs?: number;
  /** Called once per HTTP request sent (retries included). */
  readonly onRequest?: (event: GitLabRequestEvent) => void;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Uint8Array;
}

export interface SendOptions {
  readonly headers?: Record<string, string>;
  readonly body?: string | Uint8Array;
  /**
   * Whether repeating the request after a 5xx or a lost answer is harmless. A 429 is always retried:
   * GitLab throttles before the request reaches the application.
   */
  readonly idempotent: boolean;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;

/** Used when a 429 carries neither Retry-After nor RateLimit-Reset. */
const FALLBACK_RETRY_AFTER_SECONDS = 2;

/** No answer within the deadline. */
export class GitLabTimeoutError extends Error {
  override readonly name = 'GitLabTimeoutError';

  constructor(method: string, url: string, timeoutMs: number, cause?: unknown) {
    super(`no answer from GitLab within ${timeoutMs} ms (${method} ${url})`, { cause });
  }
}

/** The connection failed before an answer (DNS, refused, reset). */
export class GitLabConnectionError extends Error {
  override readonly name = 'GitLabConnectionError';

  constructor(method: string, url: string, cause: unknown) {
    super(`GitLab could not be reached (${method} ${url}): ${(cause as Error)?.message ?? cause}`, { cause });
  }
}

/**
 * Seconds a 429 asks the client to wait. GitLab's throttles send `Retry-After` (seconds) and
 * `RateLimit-Reset` (Unix time), plus `RateLimit-ResetTime` (HTTP date)
 * (lib/gitlab/rack_attack/request_throttle_data.rb, `throttled_response_headers`;
 * https://docs.gitlab.com/security/rate_limits/#headers).
 */
export const retryAfterSeconds = (headers: Headers, nowMs: number): number | undefined => {
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter)) return Number(retryAfter);
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(0, Math.ceil((date - nowMs) / 1000));
  }
  const reset = headers.get('ratelimit-reset')?.trim();
  if (reset && /^\d+$/.test(reset)) return Math.max(0, Number(reset) - Math.floor(nowMs / 1000));
  const resetTime = headers.get('ratelimit-resettime');
  const date = resetTime ? Date.parse(resetTime) : Number.NaN;
  return Number.isFinite(date) ? Math.max(0, Math.ceil((date - nowMs) / 1000)) : undefined;
};

const NULL_BODY = new Set([101, 103, 204, 205, 304]);

export class GitLabTransport {
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #rateLimitRetries: number;
  readonly #maxRetryAfter: number;
  readonly #serverRetries: number;
  readonly #backoffMs: number;
  readonly #onRequest: ((event: GitLabRequestEvent) => void) | undefined;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => number;
  #sent = 0;

  constructor(options: GitLabTransportOptions = {}) {
    const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
      throw new RangeError(`requestTimeoutMs must be a positive whole number of ms (got ${timeoutMs})`);
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#timeoutMs = timeoutMs;
    this.#rateLimitRetries = options.rateLimitRetries ?? 2;
    this.#maxRetryAfter = options.maxRetryAfterSeconds ?? 60;
    this.#serverRetries = options.serverErrorRetries ?? 3;
    this.#backoffMs = options.serverErrorBackoffMs ?? 1000;
    this.#onRequest = options.onRequest;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#now = options.now ?? Date.now;
  }

  /** HTTP requests sent so far (retries included). */
  requests(): number {
    return this.#sent;
  }

  async send(method: string, url: string, options: SendOptions): Promise<HttpAnswer> {
    let rateLimitWaits = 0;
    let serverRetries = 0;
    for (;;) {
      let answer: HttpAnswer;
      try {
        answer = await this.#once(method, url, options);
      } catch (error) {
        if (!options.idempotent || serverRetries >= this.#serverRetries) throw error;
        serverRetries++;
        await this.#sleep(this.#backoffMs * serverRetries ** 2);
        continue;
      }
      if (answer.status === 429) {
        const wait = retryAfterSeconds(answer.headers, this.#now()) ?? FALLBACK_RETRY_AFTER_SECONDS;
        if (rateLimitWaits >= this.#rateLimitRetries || wait > this.#maxRetryAfter) return answer;
        rateLimitWaits++;
        await this.#sleep(wait * 1000);
        continue;
      }
      if (answer.status >= 500 && options.idempotent && serverRetries < this.#serverRetries) {
        serverRetries++;
        await this.#sleep(this.#backoffMs * serverRetries ** 2);
        continue;
      }
      return answer;
    }
  }

  /** One request; the whole answer is read under the same deadline (a cut-off body is a failure). */
  async #once(method: string, url: string, options: SendOptions): Promise<HttpAnswer> {
    const started = this.#now();
    const deadline = AbortSignal.timeout(this.#timeoutMs);
    this.#sent++;
    try {
      const response = await this.#fetch(url, {
        method,
        ...(options.headers ? { headers: options.headers } : {}),
        ...(options.body === undefined ? {} : { body: options.body }),
        signal: deadline,
        redirect: 'manual',
      });
      const body = NULL_BODY.has(response.status)
        ? new Uint8Array()
        : new Uint8Array(await response.arrayBuffer());
      this.#onRequest?.({ method, url, status: response.status, durationMs: this.#now() - started });
      return { status: response.status, headers: response.headers, body };
    } catch (error) {
      this.#onRequest?.({ method, url, status: undefined, durationMs: this.#now() - started });
      if (deadline.aborted) throw new GitLabTimeoutError(method, url, this.#timeoutMs, error);
      throw new GitLabConnectionError(method, url, error);
    }
  }
}
