import { createAppAuth } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { type ThrottlingOptions, throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { GitHubRequestTimeoutError } from './github-errors';

/**
 * Builds the Octokit client the GitHub adapter is given: token or GitHub App installation auth,
 * GitHub's recommended throttling (https://github.com/octokit/plugin-throttling.js: writes spaced
 * out, `retry-after` honoured on primary and secondary rate limits,
 * https://docs.github.com/rest/using-the-rest-api/best-practices-for-using-the-rest-api) and retries
 * with backoff for 5xx, dropped connections and requests that time out (plugin-retry). Rate-limit
 * retries are bounded: a limit that outlasts them surfaces as RATE_LIMITED and the message goes back
 * to the queue.
 */

export type GitHubAuth =
  | { readonly token: string }
  | {
      readonly appId: number | string;
      readonly privateKey: string;
      readonly installationId: number | string;
    };

export interface GitHubRequestEvent {
  readonly method: string;
  readonly url: string;
  /** undefined when no response arrived (connection failure). */
  readonly status: number | undefined;
  readonly durationMs: number;
}

export interface GitHubClientOptions {
  readonly auth: GitHubAuth;
  /** API root; GitHub Enterprise Server: https://HOST/api/v3. @default https://api.github.com */
  readonly baseUrl?: string;
  /** Called once per HTTP request actually sent (retries included): metrics, request budgets. */
  readonly onRequest?: (event: GitHubRequestEvent) => void;
  /** Rate-limit waits per request before giving up. @default 2 */
  readonly rateLimitRetries?: number;
  /** Longest `retry-after` worth waiting for inside one invocation, in seconds. @default 60 */
  readonly maxRetryAfterSeconds?: number;
  /** Retries of 5xx and connection failures. @default 3 */
  readonly serverErrorRetries?: number;
  /** Backoff unit for those retries: waits are 1, 4, 9… times this, in ms. @default 1000 */
  readonly serverErrorBackoffMs?: number;
  /**
   * Minimum spacing between content-creating requests, in ms. GitHub asks integrators to make them
   * serially, about one per second (the plugin's default); tests against a local server set 0.
   * @default the throttling plugin's own (1000 ms, shared by all clients in the process)
   */
  readonly writeSpacingMs?: number;
  /**
   * Longest wait for one HTTP request, from sending it to the last byte of the answer. A request that
   * takes longer is abandoned and counts as a dropped connection: retried (serverErrorRetries), then
   * HOST_UNAVAILABLE, instead of holding the invocation until the Lambda timeout. GitHub itself stops
   * working on a REST request after 10 s
   * (https://docs.github.com/rest/using-the-rest-api/troubleshooting-the-rest-api#timeouts), so
   * anything much longer is a hung connection, not a slow answer.
   * @default 20000
   */
  readonly requestTimeoutMs?: number;
  readonly userAgent?: string;
  /**
   * Where Octokit logs (every failed request is logged at `error`, even the ones this adapter expects
   * and handles, like "branch already exists"). @default console for warn/error, nothing below
   */
  readonly log?: GitHubClientLog;
}

export interface GitHubClientLog {
  debug(message: string, ...more: unknown[]): void;
  info(message: string, ...more: unknown[]): void;
  warn(message: string, ...more: unknown[]): void;
  error(message: string, ...more: unknown[]): void;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;

type Group = NonNullable<Extract<ThrottlingOptions, { onRateLimit: unknown }>['write']>;

/**
 * A per-client stand-in for the plugin's write limiter (a Bottleneck group, which the plugin only
 * ever asks to `key(id).schedule(options, task)`): serial, at least `minTimeMs` apart.
 */
const spacedWrites = (minTimeMs: number): Group => {
  let queue: Promise<unknown> = Promise.resolve();
  let lastStart = 0;
  const limiter = {
    schedule: (...args: unknown[]) => {
      const task = args.find((a) => typeof a === 'function') as () => Promise<unknown>;
      const run = queue.then(async () => {
        const wait = lastStart + minTimeMs - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        lastStart = Date.now();
        return task();
      });
      queue = run.catch(() => undefined);
      return run;
    },
  };
  return { key: () => limiter } as unknown as Group;
};

/** Statuses whose Response may not carry a body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * fetch with a deadline per request, reporting each request to `onRequest`. The answer is read whole
 * under the same deadline: Octokit reads the body after fetch resolves and turns a failed read into
 * empty data (@octokit/request fetch-wrapper `getResponseData`), which would pass a cut-off answer as
 * a success. Octokit wraps what this throws in a RequestError with status 500, which plugin-retry
 * retries like any dropped connection (an AbortError would not be: Octokit rethrows it as is, for
 * callers that cancel on purpose, and so does this wrapper when the caller's own signal fired).
 */
const timedFetch =
  (timeoutMs: number, onRequest: ((event: GitHubRequestEvent) => void) | undefined): typeof fetch =>
  async (input, init) => {
    const started = Date.now();
    const method = init?.method ?? 'GET';
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    try {
      const response = await fetch(input, { ...init, signal });
      const body = NULL_BODY.has(response.status) ? null : await response.arrayBuffer();
      onRequest?.({ method, url, status: response.status, durationMs: Date.now() - started });
      const whole = new Response(body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
      Object.defineProperty(whole, 'url', { value: response.url });
      return whole;
    } catch (error) {
      onRequest?.({ method, url, status: undefined, durationMs: Date.now() - started });
      if (deadline.aborted && !init?.signal?.aborted)
        throw new GitHubRequestTimeoutError(method, url, timeoutMs, error);
      throw error;
    }
  };

export const createGitHubClient = (options: GitHubClientOptions): Octokit => {
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
    throw new RangeError(`requestTimeoutMs must be a positive whole number of ms (got ${timeoutMs})`);
  const rateLimitRetries = options.rateLimitRetries ?? 2;
  const maxRetryAfter = options.maxRetryAfterSeconds ?? 60;
  const onLimit = (retryAfter: number, _request: unknown, _octokit: unknown, retryCount: number): boolean =>
    retryCount < rateLimitRetries && retryAfter <= maxRetryAfter;
  const ThrottledOctokit = Octokit.plugin(throttling, retry);
  const auth =
    'token' in options.auth
      ? { auth: options.auth.token }
      : {
          authStrategy: createAppAuth,
          auth: {
            appId: options.auth.appId,
            privateKey: options.auth.privateKey,
            installationId: options.auth.installationId,
          },
        };
  return new ThrottledOctokit({
    ...auth,
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    userAgent: options.userAgent ?? 'chart-promoter',
    ...(options.log ? { log: options.log } : {}),
    request: { fetch: timedFetch(timeoutMs, options.onRequest) },
    throttle: {
      onRateLimit: onLimit,
      onSecondaryRateLimit: onLimit,
      ...(options.writeSpacingMs === undefined ? {} : { write: spacedWrites(options.writeSpacingMs) }),
    },
    retry: {
      retries: options.serverErrorRetries ?? 3,
      retryAfterBaseValue: options.serverErrorBackoffMs ?? 1000,
      // 403 and 429 belong to the throttling plugin, which honours retry-after; retrying them here
      // again, on a fixed backoff, would ignore what GitHub asked for.
      doNotRetry: [400, 401, 403, 404, 409, 410, 422, 429, 451],
    },
  });
};
