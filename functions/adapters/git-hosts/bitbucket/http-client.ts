import { GitHostError } from '../../../ports/git-host-error';
import { BitbucketRequestTimeoutError, connectionFailure, httpFailure } from './errors';
import { BITBUCKET_CLOUD_API } from './repository';

/**
 * A small typed HTTP client for Bitbucket Cloud's REST API 2.0 over the global fetch. No npm client:
 * the maintained ones are generated type packages (@coderabbitai/bitbucket, over openapi-fetch) and
 * the long-standing `bitbucket` package sends the commit endpoint's form url-encoded on node-fetch 2;
 * what this adapter needs beyond typed JSON (multipart commits, raw file bytes, 409 as an outcome,
 * Location headers, bounded retries, a deadline per request) is the few lines below.
 *
 * - Auth: access tokens (repository, project, workspace) as `Bearer`; app passwords and Atlassian API
 *   tokens as `Basic` (https://developer.atlassian.com/cloud/bitbucket/rest/intro/#authentication).
 * - 429: Bitbucket counts requests per hour and token
 *   (https://support.atlassian.com/bitbucket-cloud/docs/api-request-limits/); `Retry-After` is honoured
 *   when sent, up to `maxRetryAfterSeconds`, else the client backs off; then RATE_LIMITED (retryable).
 * - 5xx, 555 ("timed out", documented on the src and diffstat operations), dropped connections and
 *   requests past `requestTimeoutMs` are retried with backoff, then HOST_UNAVAILABLE (retryable).
 *   Retrying a commit is safe: it names its parent, so a commit that did land answers 409 the second
 *   time and the pipeline re-reads (BRANCH_MOVED), never committing twice.
 */

export type BitbucketAuth =
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'basic'; readonly username: string; readonly password: string };

export interface BitbucketRequestEvent {
  readonly method: string;
  readonly url: string;
  /** undefined when no answer arrived (connection failure, timeout). */
  readonly status: number | undefined;
  readonly durationMs: number;
}

export interface BitbucketClientOptions {
  readonly auth: BitbucketAuth;
  /** API root. @default https://api.bitbucket.org/2.0 */
  readonly baseUrl?: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Called once per HTTP request actually sent (retries included): request budgets, metrics. */
  readonly onRequest?: (event: BitbucketRequestEvent) => void;
  /** Waits on 429 per request before giving up with RATE_LIMITED. @default 2 */
  readonly rateLimitRetries?: number;
  /** Longest `Retry-After` worth waiting for inside one invocation, in seconds. @default 60 */
  readonly maxRetryAfterSeconds?: number;
  /** Retries of 5xx, dropped connections and timeouts. @default 3 */
  readonly serverErrorRetries?: number;
  /** Backoff unit: waits are 1, 4, 9… times this, in ms. @default 1000 */
  readonly backoffMs?: number;
  /**
   * Longest wait for one HTTP request, from sending it to the last byte of the answer; a request that
   * takes longer is abandoned and retried like a dropped connection, then HOST_UNAVAILABLE, instead of
   * holding the invocation until the Lambda timeout. The same default as the GitHub client.
   * @default 20000
   */
  readonly requestTimeoutMs?: number;
  readonly userAgent?: string;
}

export interface BitbucketAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Uint8Array;
}

export interface RequestOptions {
  /** Raw request body, sent with `contentType`. */
  readonly body?: Uint8Array;
  readonly contentType?: string;
  /** JSON request body (sent with `Content-Type: application/json`). */
  readonly json?: unknown;
  /** Non-2xx statuses the caller handles itself (e.g. 404 on a read, 409 on a commit). */
  readonly accept?: readonly number[];
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;

/** Each path segment percent-encoded, slashes kept (for `src/{commit}/{path}`, `refs/branches/{name}`). */
export const encodePath = (path: string): string => path.split('/').map(encodeURIComponent).join('/');

/**
 * A string literal of Bitbucket's filter language (`q`): double-quoted, with backslash escapes
 * (https://developer.atlassian.com/cloud/bitbucket/rest/intro/#filtering).
 */
export const bbqlString = (value: string): string =>
  `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Seconds to wait from a `Retry-After` header: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export const retryAfterSeconds = (value: string | null, now = Date.now()): number | undefined => {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
};

const authorization = (auth: BitbucketAuth): string =>
  auth.kind === 'token'
    ? `Bearer ${auth.token}`
    : `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`;

export class BitbucketClient {
  readonly baseUrl: string;
  readonly #base: URL;
  readonly #fetch: typeof fetch;
  readonly #authorization: string;
  readonly #options: BitbucketClientOptions;
  readonly #timeoutMs: number;

  constructor(options: BitbucketClientOptions) {
    const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
      throw new RangeError(`requestTimeoutMs must be a positive whole number of ms (got ${timeoutMs})`);
    this.baseUrl = (options.baseUrl ?? BITBUCKET_CLOUD_API).replace(/\/+$/, '');
    this.#base = new URL(`${this.baseUrl}/`);
    if (this.#base.protocol !== 'https:' && this.#base.protocol !== 'http:')
      throw new RangeError(`baseUrl must be an http(s) URL (got ${this.baseUrl})`);
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#authorization = authorization(options.auth);
    this.#options = options;
    this.#timeoutMs = timeoutMs;
  }

  /** The URL of `path` (relative to the API root, segments already encoded) with query parameters. */
  url(path: string, query: Readonly<Record<string, string | readonly string[] | undefined>> = {}): string {
    const url = new URL(path.replace(/^\/+/, ''), this.#base);
    for (const [name, value] of Object.entries(query)) {
      for (const one of value === undefined ? [] : typeof value === 'string' ? [value] : value)
        url.searchParams.append(name, one);
    }
    return url.href;
  }

  /**
   * A `next` link from a paginated answer, checked to stay under the API root: the credentials go
   * with it, so a link elsewhere is refused.
   */
  followed(link: string): string {
    const url = new URL(link, this.#base);
    if (url.origin !== this.#base.origin || !url.pathname.startsWith(this.#base.pathname))
      throw new GitHostError('REQUEST_REJECTED', `Bitbucket sent a link outside ${this.baseUrl}: ${link}`);
    return url.href;
  }

  /**
   * Sends a request, waiting out rate limits and retrying 5xx, dropped connections and timeouts.
   * Returns 2xx answers and those the caller `accept`s; throws a GitHostError for the rest.
   */
  async request(
    action: string,
    method: string,
    url: string,
    options: RequestOptions = {},
  ): Promise<BitbucketAnswer> {
    const rateLimitRetries = this.#options.rateLimitRetries ?? 2;
    const serverErrorRetries = this.#options.serverErrorRetries ?? 3;
    const backoffMs = this.#options.backoffMs ?? 1000;
    let limited = 0;
    let failed = 0;
    for (;;) {
      let answer: BitbucketAnswer;
      try {
        answer = await this.#send(method, url, options);
      } catch (error) {
        if (failed >= serverErrorRetries) throw connectionFailure(action, error);
        failed++;
        await sleep(backoffMs * failed * failed);
        continue;
      }
      const { status } = answer;
      if ((status >= 200 && status < 300) || options.accept?.includes(status)) return answer;
      if (status === 429) {
        const wait = retryAfterSeconds(answer.headers.get('retry-after'));
        const maxWait = this.#options.maxRetryAfterSeconds ?? 60;
        if (limited >= rateLimitRetries || (wait !== undefined && wait > maxWait))
          throw httpFailure(
            status,
            `${action} (rate limited${wait === undefined ? '' : `, retry after ${wait} s`})`,
            answer.body,
          );
        limited++;
        await sleep(wait === undefined ? backoffMs * limited * limited : wait * 1000);
        continue;
      }
      if (status >= 500 && failed < serverErrorRetries) {
        failed++;
        await sleep(backoffMs * failed * failed);
        continue;
      }
      throw httpFailure(status, action, answer.body);
    }
  }

  /** GET a JSON resource; `undefined` for a status in `accept` (e.g. 404). */
  async getJson<T>(action: string, url: string, accept: readonly number[] = []): Promise<T | undefined> {
    const answer = await this.request(action, 'GET', url, { accept });
    if (answer.status < 200 || answer.status >= 300) return undefined;
    return parseJson<T>(action, answer.body);
  }

  /** Every value of a paginated collection, following `next` links (https://developer.atlassian.com/cloud/bitbucket/rest/intro/#pagination). */
  async collect<T>(action: string, url: string, accept: readonly number[] = []): Promise<T[] | undefined> {
    const values: T[] = [];
    let next: string | undefined = url;
    while (next !== undefined) {
      const page: Page<T> | undefined = await this.getJson<Page<T>>(action, next, accept);
      if (page === undefined) return undefined;
      values.push(...(page.values ?? []));
      next = page.next === undefined ? undefined : this.followed(page.next);
    }
    return values;
  }

  async #send(method: string, url: string, options: RequestOptions): Promise<BitbucketAnswer> {
    const started = Date.now();
    const deadline = AbortSignal.timeout(this.#timeoutMs);
    const headers: Record<string, string> = {
      authorization: this.#authorization,
      accept: 'application/json',
      'user-agent': this.#options.userAgent ?? 'chart-promoter',
    };
    let body: Uint8Array | string | undefined = options.body;
    if (options.contentType !== undefined) headers['content-type'] = options.contentType;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    try {
      // Redirects are not followed: the credentials must not travel to another host (LFS answers 301).
      const response = await this.#fetch(url, {
        method,
        headers,
        body,
        redirect: 'manual',
        signal: deadline,
      });
      const bytes = new Uint8Array(await response.arrayBuffer());
      this.#report(method, url, response.status, started);
      return { status: response.status, headers: response.headers, body: bytes };
    } catch (error) {
      this.#report(method, url, undefined, started);
      if (deadline.aborted) throw new BitbucketRequestTimeoutError(method, url, this.#timeoutMs, error);
      throw error;
    }
  }

  #report(method: string, url: string, status: number | undefined, started: number): void {
    this.#options.onRequest?.({ method, url, status, durationMs: Date.now() - started });
  }
}

interface Page<T> {
  readonly values?: readonly T[];
  readonly next?: string;
}

export const parseJson = <T>(action: string, body: Uint8Array): T => {
  try {
    return JSON.parse(new TextDecoder().decode(body)) as T;
  } catch (error) {
    throw new GitHostError('HOST_UNAVAILABLE', `Bitbucket ${action} answered something that is not JSON`, {
      cause: error,
    });
  }
};
