import { createRequesterFn, type RequestHandlerFn } from '@gitbeaker/requester-utils';
import { Branches, Commits, MergeRequests, RepositoryFiles } from '@gitbeaker/rest';
import { GitLabHttpError } from './errors';
import {
  parseReceivePackReport,
  type ReceivePackReport,
  type RefCommand,
  receivePackRequest,
} from './receive-pack';
import type { GitLabTransport } from './transport';

/**
 * The three doors of one GitLab project, all through one transport (deadlines, rate limits, counts):
 * - REST v4 through gitbeaker's resources (`PRIVATE-TOKEN` header), with this module as its
 *   requester: gitbeaker's own retries 429 and 502 ten times a quarter-millisecond apart and has no
 *   deadline (@gitbeaker/rest `defaultRequestHandler`), which is not what GitLab asks for.
 * - GraphQL at `/api/graphql` (`Authorization: Bearer <token>`:
 *   https://docs.gitlab.com/api/graphql/#authentication).
 * - git's smart HTTP at `/<project>.git` (HTTP Basic with the token as password; GitLab ignores the
 *   user name for personal, project and group access tokens, and scope `api` grants push:
 *   lib/gitlab/auth.rb `personal_access_token_check`, `abilities_for_scopes`).
 */

export interface GitLabApiOptions {
  /** Instance root: https://gitlab.com, or https://git.example.com[/relative-root]. */
  readonly baseUrl: string;
  /** group/subgroup/project */
  readonly projectPath: string;
  readonly token: string;
  readonly transport: GitLabTransport;
}

/** Methods that are safe to repeat after a 5xx or a lost answer. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);

const textDecoder = new TextDecoder();

const parseBody = (headers: Headers, body: Uint8Array): unknown => {
  const type = (headers.get('content-type') ?? '').split(';')[0]!.trim();
  if (type === 'application/json') return body.byteLength === 0 ? {} : JSON.parse(textDecoder.decode(body));
  if (type.startsWith('text/')) return textDecoder.decode(body);
  return new Blob([body]);
};

const requestHandler =
  (transport: GitLabTransport): RequestHandlerFn =>
  async (endpoint, options = {}) => {
    const { prefixUrl, searchParams, method, headers, body } = options as {
      prefixUrl: string;
      searchParams?: string;
      method: string;
      headers?: Record<string, string>;
      body?: string;
    };
    const url = new URL(endpoint, prefixUrl.endsWith('/') ? prefixUrl : `${prefixUrl}/`);
    if (searchParams) url.search = searchParams;
    const answer = await transport.send(method, url.href, {
      ...(headers ? { headers } : {}),
      ...(body === undefined ? {} : { body }),
      idempotent: IDEMPOTENT.has(method),
    });
    if (answer.status < 200 || answer.status >= 300) throw new GitLabHttpError(method, url.href, answer);
    return {
      status: answer.status,
      headers: Object.fromEntries(answer.headers.entries()),
      body: (answer.status === 204 ? null : parseBody(answer.headers, answer.body)) as never,
    };
  };

export interface GraphqlAnswer<T> {
  readonly data: T | null | undefined;
  readonly errors?: readonly { readonly message: string }[];
}

export class GitLabApi {
  readonly baseUrl: string;
  readonly projectPath: string;
  readonly branches: InstanceType<typeof Branches>;
  readonly commits: InstanceType<typeof Commits>;
  readonly mergeRequests: InstanceType<typeof MergeRequests>;
  readonly files: InstanceType<typeof RepositoryFiles>;
  readonly #token: string;
  readonly #transport: GitLabTransport;

  constructor(options: GitLabApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.projectPath = options.projectPath;
    this.#token = options.token;
    this.#transport = options.transport;
    const config = {
      host: this.baseUrl,
      token: options.token,
      requesterFn: createRequesterFn(
        (_, requestOptions) => Promise.resolve(requestOptions),
        requestHandler(options.transport),
      ),
      // Client-side pacing off: GitLab's own 429s (and their headers) decide, in the transport.
      rateLimits: {},
    };
    this.branches = new Branches(config);
    this.commits = new Commits(config);
    this.mergeRequests = new MergeRequests(config);
    this.files = new RepositoryFiles(config);
  }

  /** A read-only query: repeated after a 5xx or a lost answer like a GET. */
  async graphql<T>(query: string, variables: Record<string, unknown>): Promise<GraphqlAnswer<T>> {
    const url = `${this.baseUrl}/api/graphql`;
    const answer = await this.#transport.send('POST', url, {
      headers: {
        authorization: `Bearer ${this.#token}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify({ query, variables }),
      idempotent: true,
    });
    if (answer.status !== 200) throw new GitLabHttpError('POST', url, answer);
    return JSON.parse(textDecoder.decode(answer.body)) as GraphqlAnswer<T>;
  }

  /**
   * Ref updates through git's receive-pack. Not repeated after a lost answer: the commands may have
   * been applied, and a repeat would report the ref as stale; the caller re-reads instead.
   */
  async receivePack(commands: readonly RefCommand[]): Promise<ReceivePackReport> {
    const url = `${this.baseUrl}/${this.projectPath}.git/git-receive-pack`;
    const answer = await this.#transport.send('POST', url, {
      headers: {
        authorization: `Basic ${Buffer.from(`chart-promoter:${this.#token}`).toString('base64')}`,
        'content-type': 'application/x-git-receive-pack-request',
        accept: 'application/x-git-receive-pack-result',
      },
      body: receivePackRequest(commands),
      idempotent: false,
    });
    if (answer.status !== 200) throw new GitLabHttpError('POST', url, answer);
    return parseReceivePackReport(answer.body);
  }
}
