import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { APP_TOKEN_PATTERN, APP_TOKEN_ROUTE, type AppAuthConfig, AppTokenIssuer } from './app-auth';
import { FaultQueue, type FaultSpec, faultResponse } from './faults';
import { GitStore } from './git-store';
import { answerGraphql } from './graphql';
import { gitHubGraphqlSchema } from './graphql-schema';
import { createOpenApiValidator, describeErrors, type OpenApiValidator } from './openapi-validator';
import { PullStore, type StoredPull } from './pulls';
import type { RepoContext } from './resources';
import { HttpError, REST_ROUTES } from './rest-routes';
import { createTree } from './tree-builder';

/**
 * A local stand-in for api.github.com: the REST git-data, pulls and GraphQL calls the GitHub adapter
 * makes, answered from a real bare git repository, every request body and response checked against
 * GitHub's OpenAPI description, with request counts and fault injection. 127.0.0.1 only, port 0.
 */

export type { FaultSpec } from './faults';

export interface GitHubApiServerOptions {
  readonly owner?: string;
  readonly repo?: string;
  readonly branch?: string;
  readonly token?: string;
  /** Also accept GitHub App installation tokens obtained with this App's JWT. */
  readonly app?: AppAuthConfig;
  /** Files of the initial commit on `branch` (none: the repository starts empty). */
  readonly seed?: Readonly<Record<string, string>>;
  /** Added before every response, to make races and timing visible. */
  readonly latencyMs?: number;
  /** GraphQL Blob.text is null (isTruncated) above this many bytes. */
  readonly graphqlTextLimit?: number;
}

export interface GitHubApiServer {
  readonly url: string;
  readonly owner: string;
  readonly repo: string;
  readonly branch: string;
  readonly token: string;
  readonly repoDir: string;
  /** Requests by route key, e.g. `POST /repos/{owner}/{repo}/git/trees`, `POST /graphql`. */
  counts(): Record<string, number>;
  total(): number;
  reset(): void;
  /** Request or response that broke GitHub's OpenAPI description or the supported GraphQL shape. */
  validationErrors(): readonly string[];
  failNext(fault: FaultSpec): void;
  setLatency(ms: number): void;
  competingCommit(file: string, content: string): Promise<string>;
  git(...args: string[]): Promise<string>;
  pulls(): readonly StoredPull[];
  close(): Promise<void>;
}

const documented = [
  ...REST_ROUTES.map((r) => ({ method: r.method, path: r.schemaPath ?? r.path })),
  { method: 'POST', path: APP_TOKEN_ROUTE },
];

/**
 * Compiled once per process and shared by every server it starts (validators keep no state between
 * calls): compiling the documented operations' schemas took 200–700 ms, on every server start.
 */
let openApiValidator: Promise<OpenApiValidator> | undefined;
const documentedOperations = (): Promise<OpenApiValidator> => {
  openApiValidator ??= createOpenApiValidator(documented);
  return openApiValidator;
};

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const startGitHubApiServer = async (
  options: GitHubApiServerOptions = {},
): Promise<GitHubApiServer> => {
  const owner = options.owner ?? 'acme';
  const repoName = options.repo ?? 'cluster';
  const branch = options.branch ?? 'main';
  const token = options.token ?? 'test-token';
  const tempRoot = await mkdtemp(path.join(tmpdir(), 'github-api-server-'));
  const store = await GitStore.init(path.join(tempRoot, `${repoName}.git`), branch);
  const validator = await documentedOperations();
  // Built once per process, here rather than on the first GraphQL request: that request would
  // otherwise carry a build that takes longer than some tests' request timeouts.
  gitHubGraphqlSchema();
  const pullStore = new PullStore();
  const faults = new FaultQueue();
  const appTokens = options.app ? new AppTokenIssuer(options.app) : undefined;
  const errors: string[] = [];
  let counts: Record<string, number> = {};
  let latency = options.latencyMs ?? 0;
  const context: { repo?: RepoContext } = {};

  const competingCommit = async (file: string, content: string): Promise<string> => {
    for (;;) {
      const head = await store.resolveBranch(branch);
      const base = head ? (await store.readCommit(head)).tree : undefined;
      const tree = await createTree(store, base, [{ path: file, mode: '100644', type: 'blob', content }]);
      const parents = head ? [head] : [];
      const sha = await store.commitTree({ tree, parents, message: `competing writer: ${file}\n` });
      if (await store.updateRef(branch, sha, head ?? '0'.repeat(40))) return sha;
    }
  };

  if (options.seed && Object.keys(options.seed).length > 0) {
    const edits = Object.entries(options.seed).map(([p, content]) => ({
      path: p,
      mode: '100644',
      type: 'blob',
      content,
    }));
    const tree = await createTree(store, undefined, edits);
    await store.updateRef(branch, await store.commitTree({ tree, parents: [], message: 'seed\n' }));
  }

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-request-id': `LOCAL:${Date.now().toString(16)}`,
      ...headers,
    });
    res.end(JSON.stringify(body));
  };

  const handleGraphql = async (body: unknown, res: ServerResponse) => {
    const answer = await answerGraphql(body as { query?: unknown; variables?: unknown }, {
      store,
      owner,
      repo: repoName,
      defaultBranch: branch,
      textLimit: options.graphqlTextLimit ?? 512 * 1024,
    });
    for (const problem of answer.problems) errors.push(`POST /graphql: ${problem}`);
    send(res, answer.status, answer.body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const route = REST_ROUTES.find((r) => r.method === method && r.pattern.test(url.pathname));
    const isGraphql = method === 'POST' && url.pathname === '/graphql';
    const appToken = method === 'POST' ? APP_TOKEN_PATTERN.exec(url.pathname) : null;
    const key = route
      ? `${method} ${route.path}`
      : appToken
        ? `POST ${APP_TOKEN_ROUTE}`
        : `${method} ${url.pathname}`;
    counts[key] = (counts[key] ?? 0) + 1;
    const rawBody = await readBody(req);
    if (latency > 0) await sleep(latency);

    if (appToken && appTokens) {
      const { status, body } = appTokens.exchange(req.headers.authorization, appToken[1]!);
      const check = validator.operation('POST', APP_TOKEN_ROUTE).responses.get(status);
      if (check && !check(body)) errors.push(`${key} response ${status}: ${describeErrors(check)}`);
      send(res, status, body);
      return;
    }
    const auth = /^(token|bearer)\s+(.+)$/i.exec(req.headers.authorization ?? '');
    const presented = auth?.[2] ?? '';
    if (presented !== token && !appTokens?.accepts(presented)) {
      send(res, 401, faultResponse({ status: 401 }).body);
      return;
    }
    const fault = faults.take(key);
    if (fault?.status === 422) {
      await competingCommit(`competing/${Date.now()}.txt`, 'a competing writer\n');
      if (fault.message) {
        const docs = route
          ? validator.operation(method, route.schemaPath ?? route.path).documentationUrl
          : undefined;
        send(res, 422, { message: fault.message, documentation_url: docs });
        return;
      }
    } else if (fault) {
      const response = faultResponse(fault);
      send(res, response.status, response.body, response.headers);
      return;
    }
    let body: unknown;
    try {
      body = rawBody.length > 0 ? JSON.parse(rawBody) : undefined;
    } catch {
      send(res, 400, { message: 'Problems parsing JSON', documentation_url: 'https://docs.github.com/rest' });
      return;
    }
    if (isGraphql) {
      await handleGraphql(body, res);
      return;
    }
    const params = route?.pattern.exec(url.pathname)?.groups ?? {};
    if (!route || params.owner !== owner || params.repo !== repoName) {
      if (!route) errors.push(`unsupported route: ${method} ${url.pathname}`);
      send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
      return;
    }
    const operation = validator.operation(method, route.schemaPath ?? route.path);
    // The Git Data API refuses every call on a repository without commits, reads and writes alike
    // (https://docs.github.com/rest/guides/using-the-rest-api-to-interact-with-your-git-database#overview,
    // github/rest-api-description#637, github/docs#31951 for the body).
    if (route.path.includes('/git/') && !(await store.hasBranches())) {
      send(res, 409, {
        message: 'Git Repository is empty.',
        documentation_url: operation.documentationUrl,
      });
      return;
    }
    if (operation.request && !operation.request(body)) {
      const detail = describeErrors(operation.request);
      errors.push(`${key} request: ${detail}`);
      send(res, 422, {
        message: `Invalid request.\n\n${detail}`,
        documentation_url: 'https://docs.github.com/rest',
      });
      return;
    }
    let status: number;
    let responseBody: unknown;
    try {
      const decoded = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, decodeURIComponent(v)]));
      const ctx = {
        store,
        pulls: pullStore,
        repo: context.repo!,
        params: decoded,
        query: url.searchParams,
        body,
      };
      ({ status, body: responseBody } = await route.handle(ctx));
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      status = error.status;
      responseBody = {
        message: error.message,
        documentation_url: 'https://docs.github.com/rest',
        ...(error.errors ? { errors: error.errors } : {}),
        status: String(error.status),
      };
    }
    const check = operation.responses.get(status);
    if (!check) {
      errors.push(`${key} answered ${status}, which GitHub does not document for ${operation.operationId}`);
    } else if (!check(responseBody)) {
      const detail = describeErrors(check);
      errors.push(`${key} response ${status}: ${detail}`);
      send(res, 500, {
        message: `fake GitHub produced an invalid ${operation.operationId} response: ${detail}`,
      });
      return;
    }
    send(res, status, responseBody);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      errors.push(`internal error: ${error instanceof Error ? error.stack : String(error)}`);
      if (!res.headersSent) send(res, 500, { message: 'fake GitHub crashed', detail: String(error) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  context.repo = { api: url, owner, repo: repoName, defaultBranch: branch };

  return {
    url,
    owner,
    repo: repoName,
    branch,
    token,
    repoDir: store.dir,
    counts: () => ({ ...counts }),
    total: () => Object.values(counts).reduce((a, b) => a + b, 0),
    reset: () => {
      counts = {};
      faults.clear();
    },
    validationErrors: () => [...errors],
    failNext: (fault) => faults.add(fault),
    setLatency: (ms) => {
      latency = ms;
    },
    competingCommit,
    git: async (...args) => store.text(args),
    pulls: () => pullStore.all(),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(tempRoot, { recursive: true, force: true });
    },
  };
};
