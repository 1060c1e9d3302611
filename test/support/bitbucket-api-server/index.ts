import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GitStore, ZERO_SHA } from '../github-api-server/git-store';
import { createTree } from '../github-api-server/tree-builder';
import { cannedAnswer, FaultQueue, type FaultSpec } from './faults';
import { PullStore, type StoredPull } from './pulls';
import { errorResource, type RepoContext } from './resources';
import { HttpError, ROUTES, type RouteResult } from './routes';
import { type SpecValidator, sharedSpecValidator } from './spec-validator';

/**
 * A local stand-in for api.bitbucket.org/2.0: the Bitbucket Cloud operations the Bitbucket adapter
 * uses, answered from a real bare git repository, every request and answer checked against
 * Atlassian's OpenAPI description of Bitbucket Cloud (test/fixtures/host-specs/bitbucket-cloud), with
 * request counts and fault injection. 127.0.0.1 only, port 0. Behaviours and their sources: README.md.
 */

export type { FaultSpec } from './faults';
export type { StoredPull } from './pulls';

export interface BitbucketApiServerOptions {
  readonly workspace?: string;
  readonly repo?: string;
  /** The repository's main branch. */
  readonly branch?: string;
  /** Accepted as `Authorization: Bearer <token>` (access tokens). */
  readonly token?: string;
  /** Accepted as `Authorization: Basic` (app password / API token). */
  readonly username?: string;
  readonly password?: string;
  /** Files of the initial commit on `branch` (none: the repository starts empty). */
  readonly seed?: Readonly<Record<string, string>>;
  /** Added before every answer, to make races and timing visible. */
  readonly latencyMs?: number;
  /**
   * Answer a commit with `Location: …/commit/<sha>`. Not in the OpenAPI description (its 201 documents
   * nothing), so off by default: the adapter must work without it. @default false
   */
  readonly commitLocation?: boolean;
}

export interface BitbucketApiServer {
  /** API root, like https://api.bitbucket.org/2.0 */
  readonly url: string;
  readonly workspace: string;
  readonly repo: string;
  readonly branch: string;
  readonly token: string;
  readonly username: string;
  readonly password: string;
  readonly repoDir: string;
  /** Requests by operation, e.g. `POST /repositories/{workspace}/{repo_slug}/src`. */
  counts(): Record<string, number>;
  total(): number;
  /** Forgets counts and pending faults. */
  reset(): void;
  /** Requests and answers that broke the OpenAPI description, or that the stand-in cannot reproduce. */
  validationErrors(): readonly string[];
  failNext(fault: FaultSpec): void;
  setLatency(ms: number): void;
  competingCommit(file: string, content: string): Promise<string>;
  git(...args: string[]): Promise<string>;
  pulls(): readonly StoredPull[];
  /** A human adds a reviewer to a pull request (reviewers must survive chart-promoter's updates). */
  addReviewer(id: number, displayName: string): void;
  close(): Promise<void>;
}

const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const startBitbucketApiServer = async (
  options: BitbucketApiServerOptions = {},
): Promise<BitbucketApiServer> => {
  const workspace = options.workspace ?? 'acme';
  const slug = options.repo ?? 'cluster';
  const branch = options.branch ?? 'main';
  const token = options.token ?? 'test-access-token';
  const username = options.username ?? 'chart-promoter@example.com';
  const password = options.password ?? 'test-api-token';
  const tempRoot = await mkdtemp(path.join(tmpdir(), 'bitbucket-api-server-'));
  const store = await GitStore.init(path.join(tempRoot, `${slug}.git`), branch);
  const validator: SpecValidator = await sharedSpecValidator();
  const pulls = new PullStore();
  const faults = new FaultQueue();
  const errors: string[] = [];
  let counts: Record<string, number> = {};
  let latency = options.latencyMs ?? 0;
  const context: { repo?: RepoContext } = {};
  const basic = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

  const competingCommit = async (file: string, content: string): Promise<string> => {
    for (;;) {
      const head = await store.resolveBranch(branch);
      const base = head ? (await store.readCommit(head)).tree : undefined;
      const tree = await createTree(store, base, [{ path: file, mode: '100644', type: 'blob', content }]);
      const sha = await store.commitTree({
        tree,
        parents: head ? [head] : [],
        message: `competing writer: ${file}\n`,
      });
      if (await store.updateRef(branch, sha, head ?? ZERO_SHA)) return sha;
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

  const sendJson = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    if (status === 204) {
      res.writeHead(status, headers);
      res.end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };

  const answer = (res: ServerResponse, result: RouteResult, check: (r: RouteResult) => string[]) => {
    const problems = check(result);
    errors.push(...problems);
    if (problems.length > 0 && result.status < 300) {
      sendJson(
        res,
        500,
        errorResource(`the stand-in produced an answer off the description: ${problems.join('; ')}`),
      );
      return;
    }
    if (result.raw !== undefined) {
      res.writeHead(result.status, { ...result.headers });
      res.end(result.raw);
      return;
    }
    sendJson(res, result.status, result.body, { ...result.headers });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', context.repo!.api);
    const method = req.method ?? 'GET';
    const route = ROUTES.find((r) => r.method === method && r.pattern.test(url.pathname));
    const key = route ? `${method} ${route.path}` : `${method} ${url.pathname}`;
    counts[key] = (counts[key] ?? 0) + 1;
    const raw = await readBody(req);
    if (latency > 0) await sleep(latency);
    const authorization = req.headers.authorization ?? '';
    if (authorization !== `Bearer ${token}` && authorization !== basic) {
      sendJson(res, 401, errorResource('Unauthorized', 'Invalid or missing credentials'));
      return;
    }
    const fault = faults.take(key);
    if (fault?.kind === 'hang') return; // never answered; the client's deadline must fire
    if (fault?.kind === 'drop-request') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'competing-commit')
      await competingCommit(`competing/${Date.now()}-${Math.random()}.txt`, 'another writer\n');
    if (!route) {
      errors.push(`unsupported route: ${method} ${url.pathname}`);
      sendJson(res, 404, errorResource(`Resource not found: ${url.pathname}`));
      return;
    }
    const params = route.pattern.exec(url.pathname)?.groups ?? {};
    const operation = validator.operation(method, route.path);
    const check = (result: RouteResult) => {
      const isJson = result.raw === undefined && result.body !== undefined;
      return operation.response(result.status, result.body, isJson);
    };
    if (fault?.kind === 'status') {
      answer(res, cannedAnswer(fault), check);
      return;
    }
    if (params.workspace !== workspace || params.repo_slug !== slug) {
      answer(res, { status: 404, body: errorResource('Repository not found') }, check);
      return;
    }
    const requestProblems = [...operation.query(url.searchParams)];
    if (method === 'POST' || method === 'PUT') {
      const contentType = req.headers['content-type'] ?? '';
      if (/json/.test(contentType)) {
        try {
          requestProblems.push(...operation.body(JSON.parse(raw.toString('utf8'))));
        } catch {
          requestProblems.push(`${key}: the body is not JSON`);
        }
      }
    }
    if (requestProblems.length > 0) {
      errors.push(...requestProblems);
      answer(res, { status: 400, body: errorResource(requestProblems.join('; ')) }, check);
      return;
    }
    let result: RouteResult;
    try {
      result = await route.handle({
        store,
        pulls,
        repo: context.repo!,
        params,
        url,
        raw,
        contentType: req.headers['content-type'] ?? '',
        commitLocation: options.commitLocation ?? false,
        problem: (message) => errors.push(`${key}: ${message}`),
      });
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      result = { status: error.status, body: errorResource(error.message) };
    }
    if (fault?.kind === 'drop-response') {
      req.socket.destroy();
      return;
    }
    answer(res, result, check);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      errors.push(`internal error: ${error instanceof Error ? error.stack : String(error)}`);
      if (!res.headersSent) sendJson(res, 500, errorResource('the stand-in crashed', String(error)));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const api = `http://127.0.0.1:${port}/2.0`;
  context.repo = { api, workspace, slug, mainBranch: branch };

  return {
    url: api,
    workspace,
    repo: slug,
    branch,
    token,
    username,
    password,
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
    pulls: () => pulls.all(),
    addReviewer: (id, displayName) => {
      const pr = pulls.get(id);
      if (!pr) throw new Error(`no pull request #${id}`);
      pr.reviewers.push({ uuid: `{reviewer-${pr.reviewers.length + 1}}`, display_name: displayName });
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(tempRoot, { recursive: true, force: true });
    },
  };
};
