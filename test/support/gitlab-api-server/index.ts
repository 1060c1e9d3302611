import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { handleGitHttpRequest } from '../git-http-server';
import { GitStore } from '../github-api-server/git-store';
import { FaultQueue, type FaultSpec, faultResponse } from './faults';
import { answerGraphql } from './graphql';
import { MergeRequestStore, mergeRequestEntity, type StoredMergeRequest } from './merge-requests';
import { answerReceivePack } from './receive-pack';
import { readBranch } from './refs';
import { ApiError, branchEntity, createBranch, createCommit, type ProjectContext } from './repository';
import { applyCommitActions } from './tree-actions';

/**
 * A local stand-in for a GitLab instance (GitLab.com or self-managed): the REST v4, GraphQL and git
 * smart-HTTP doors the GitLab adapter uses, answered from a real bare git repository, built from
 * GitLab's API documentation and, where it is silent, GitLab's source (CATALOGUE.md lists each
 * behaviour and its source). git's receive-pack is the real one (`git http-backend`), so the
 * compare-and-swap on a branch is git's own. Request counts by route, fault injection, 127.0.0.1 only.
 */

export type { FaultSpec } from './faults';

export interface GitLabApiServerOptions {
  /** Project full path. @default 'acme/platform/cluster' */
  readonly projectPath?: string;
  readonly branch?: string;
  readonly token?: string;
  /** Files of the initial commit on `branch` (none: the repository starts empty). */
  readonly seed?: Readonly<Record<string, string>>;
  readonly latencyMs?: number;
  /** GraphQL blob data longer than this many bytes comes back cut short. @default 10 MiB */
  readonly blobDataLimit?: number;
  /**
   * Who answers git's receive-pack: the in-process one (fast enough for 20 racing writers on a loaded
   * machine) or the real `git http-backend`. @default 'in-process'
   */
  readonly gitBackend?: 'in-process' | 'http-backend';
}

export interface GitLabApiServer {
  /** Instance root (what the adapter takes as its base URL). */
  readonly url: string;
  readonly projectPath: string;
  readonly branch: string;
  readonly token: string;
  readonly repoDir: string;
  /** Requests by route key, e.g. `POST /projects/:id/repository/commits`, `POST /api/graphql`. */
  counts(): Record<string, number>;
  total(): number;
  reset(): void;
  /** Requests the adapter should not have made (unknown routes, invalid or too complex GraphQL). */
  validationErrors(): readonly string[];
  failNext(fault: FaultSpec): void;
  setLatency(ms: number): void;
  competingCommit(file: string, content: string): Promise<string>;
  git(...args: string[]): Promise<string>;
  mergeRequests(): readonly StoredMergeRequest[];
  close(): Promise<void>;
}

interface Route {
  readonly method: string;
  /** Segments after /api/v4; `:name` captures one (URL-decoded) segment. */
  readonly pattern: readonly string[];
  readonly key: string;
}

const route = (method: string, template: string): Route => ({
  method,
  pattern: template.split('/').filter(Boolean),
  key: `${method} ${template}`,
});

const REST = {
  showBranch: route('GET', '/projects/:id/repository/branches/:branch'),
  createBranch: route('POST', '/projects/:id/repository/branches'),
  createCommit: route('POST', '/projects/:id/repository/commits'),
  rawFile: route('GET', '/projects/:id/repository/files/:file_path/raw'),
  listMergeRequests: route('GET', '/projects/:id/merge_requests'),
  createMergeRequest: route('POST', '/projects/:id/merge_requests'),
  editMergeRequest: route('PUT', '/projects/:id/merge_requests/:merge_request_iid'),
};

const match = (r: Route, method: string, segments: readonly string[]): Record<string, string> | undefined => {
  if (r.method !== method || r.pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const want = r.pattern[i]!;
    if (want.startsWith(':')) params[want.slice(1)] = decodeURIComponent(segments[i]!);
    else if (want !== segments[i]) return undefined;
  }
  return params;
};

const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const startGitLabApiServer = async (
  options: GitLabApiServerOptions = {},
): Promise<GitLabApiServer> => {
  const projectPath = options.projectPath ?? 'acme/platform/cluster';
  const branch = options.branch ?? 'main';
  const token = options.token ?? 'glpat-test-token';
  const root = await mkdtemp(path.join(tmpdir(), 'gitlab-api-server-'));
  const repoDir = path.join(root, `${projectPath}.git`);
  await mkdir(path.dirname(repoDir), { recursive: true });
  const store = await GitStore.init(repoDir, branch);
  const faults = new FaultQueue();
  const mergeRequests = new MergeRequestStore();
  const problems: string[] = [];
  let counts: Record<string, number> = {};
  let latency = options.latencyMs ?? 0;
  const ctx: { project?: ProjectContext } = {};
  const user = { name: 'chart-promoter bot', email: 'bot@noreply.gitlab.example', username: 'project_1_bot' };

  const competingCommit = async (file: string, content: string): Promise<string> => {
    for (;;) {
      const head = await store.resolveBranch(branch);
      const base = head ? (await store.readCommit(head)).tree : undefined;
      const exists = head
        ? (await store.text(['ls-tree', '--name-only', head, '--', file]).catch(() => '')) !== ''
        : false;
      const tree = await applyCommitActions(store, base, [
        { action: exists ? 'update' : 'create', file_path: file, content },
      ]);
      const sha = await store.commitTree({
        tree,
        parents: head ? [head] : [],
        message: `competing writer: ${file}\n`,
        author: { name: 'Someone Else', email: 'someone@example.com' },
      });
      if (await store.updateRef(branch, sha, head ?? '0'.repeat(40))) return sha;
    }
  };

  if (options.seed && Object.keys(options.seed).length > 0) {
    const tree = await applyCommitActions(
      store,
      undefined,
      Object.entries(options.seed).map(([file, content]) => ({ action: 'create', file_path: file, content })),
    );
    await store.updateRef(branch, await store.commitTree({ tree, parents: [], message: 'seed\n' }));
  }

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.destroyed) return;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': typeof body === 'string' ? 'text/plain' : 'application/json',
      'x-request-id': `local-${Date.now().toString(16)}`,
      ...headers,
    });
    res.end(text);
  };

  const restAuthorized = (req: IncomingMessage): boolean => {
    const bearer = /^bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    return req.headers['private-token'] === token || bearer === token;
  };

  const gitAuthorized = (req: IncomingMessage): boolean => {
    const basic = /^basic\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!basic) return false;
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1) === token && decoded.indexOf(':') > 0;
  };

  const handleRest = async (
    method: string,
    segments: string[],
    query: URLSearchParams,
    raw: Buffer,
    res: ServerResponse,
  ): Promise<void> => {
    const project = ctx.project!;
    const found = Object.values(REST)
      .map((r) => ({ r, params: match(r, method, segments) }))
      .find((m) => m.params !== undefined);
    if (!found) {
      problems.push(`unsupported route: ${method} /api/v4/${segments.join('/')}`);
      send(res, 404, { error: '404 Not Found' });
      return;
    }
    const { r, params } = found as { r: Route; params: Record<string, string> };
    if (params.id !== projectPath && params.id !== String(project.projectId)) {
      send(res, 404, { message: '404 Project Not Found' });
      return;
    }
    let body: Record<string, unknown> = Object.fromEntries(query.entries());
    if (raw.length > 0) {
      try {
        body = { ...body, ...(JSON.parse(raw.toString('utf8')) as Record<string, unknown>) };
      } catch {
        send(res, 400, { message: 'Invalid json', error: 'Invalid json' });
        return;
      }
    }
    try {
      if (r === REST.showBranch) {
        const sha = await readBranch(store.dir, params.branch!);
        if (!sha) throw new ApiError(404, '404 Branch Not Found');
        send(res, 200, await branchEntity(project, params.branch!, sha, params.branch === branch));
      } else if (r === REST.createBranch) {
        send(res, 201, await createBranch(project, body.branch as string, body.ref as string));
      } else if (r === REST.createCommit) {
        send(res, 201, await createCommit(project, body));
      } else if (r === REST.rawFile) {
        const ref = query.get('ref') ?? branch;
        const blob = await store
          .run(['rev-parse', '--verify', '--quiet', `${ref}:${params.file_path}`])
          .catch(() => undefined);
        if (!blob) throw new ApiError(404, '404 File Not Found');
        const data = await store.readBlob(blob.toString('utf8').trim());
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(data);
      } else if (r === REST.listMergeRequests) {
        const all = mergeRequests.list(query);
        const perPage = Math.min(Number(query.get('per_page') ?? 20), 100);
        const page = Number(query.get('page') ?? 1);
        const items = all.slice((page - 1) * perPage, page * perPage);
        const entities = await Promise.all(
          items.map(async (mr) =>
            mergeRequestEntity(project, mr, await store.resolveBranch(mr.sourceBranch)),
          ),
        );
        const headers: Record<string, string> = {
          'x-page': String(page),
          'x-per-page': String(perPage),
          'x-total': String(all.length),
          'x-total-pages': String(Math.max(1, Math.ceil(all.length / perPage))),
          'x-next-page': page * perPage < all.length ? String(page + 1) : '',
          'x-prev-page': page > 1 ? String(page - 1) : '',
        };
        send(res, 200, entities, headers);
      } else if (r === REST.createMergeRequest) {
        const mr = mergeRequests.create(body);
        send(res, 201, mergeRequestEntity(project, mr, await store.resolveBranch(mr.sourceBranch)));
      } else if (r === REST.editMergeRequest) {
        const mr = mergeRequests.edit(Number(params.merge_request_iid), body);
        send(res, 200, mergeRequestEntity(project, mr, await store.resolveBranch(mr.sourceBranch)));
      }
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      send(res, error.status, { message: error.payload });
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const gitPrefix = `/${projectPath}.git/`;
    const isGit = url.pathname.startsWith(gitPrefix);
    const segments = url.pathname.startsWith('/api/v4/') ? url.pathname.slice(8).split('/') : [];
    const rest = Object.values(REST).find((r) => match(r, method, segments) !== undefined);
    const key = isGit
      ? `${method} /:project.git/${url.pathname.slice(gitPrefix.length)}`
      : rest
        ? rest.key
        : `${method} ${url.pathname}`;
    counts[key] = (counts[key] ?? 0) + 1;

    if (isGit) {
      if (!gitAuthorized(req)) {
        req.resume();
        send(res, 401, 'HTTP Basic: Access denied\n', { 'www-authenticate': 'Basic realm="GitLab"' });
        return;
      }
      const fault = faults.take(key);
      if (fault?.kind === 'race')
        await competingCommit(`competing/${Date.now()}.txt`, 'a competing writer\n');
      else if (fault?.kind === 'hang') {
        await sleep(fault.ms ?? 5_000);
        if (res.destroyed) return;
      } else if (fault) {
        req.resume();
        const response = faultResponse(fault, Date.now());
        send(res, response.status, response.body, response.headers);
        return;
      }
      if (latency > 0) await sleep(latency);
      if (options.gitBackend === 'http-backend') {
        handleGitHttpRequest(req, res, { root }, { count: 0, bytesIn: 0, bytesOut: 0 });
      } else if (method === 'POST' && url.pathname.endsWith('/git-receive-pack')) {
        const answer = await answerReceivePack(store, await readBody(req));
        if (res.destroyed) return;
        res.writeHead(200, {
          'content-type': 'application/x-git-receive-pack-result',
          'cache-control': 'no-cache',
        });
        res.end(answer);
      } else {
        problems.push(`unsupported git route: ${method} ${url.pathname} (in-process receive-pack only)`);
        req.resume();
        send(res, 404, 'Not Found\n');
      }
      return;
    }

    const raw = await readBody(req);
    if (latency > 0) await sleep(latency);
    const isGraphql = method === 'POST' && url.pathname === '/api/graphql';
    const bearer = /^bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (isGraphql ? bearer !== token && req.headers['private-token'] !== token : !restAuthorized(req)) {
      if (isGraphql) send(res, 401, { errors: [{ message: 'Invalid token' }] });
      else send(res, 401, { message: '401 Unauthorized' });
      return;
    }
    const fault = faults.take(key);
    if (fault?.kind === 'race') await competingCommit(`competing/${Date.now()}.txt`, 'a competing writer\n');
    else if (fault?.kind === 'hang') await sleep(fault.ms ?? 5_000);
    else if (fault) {
      const response = faultResponse(fault, Date.now());
      send(res, response.status, response.body, response.headers);
      return;
    }
    if (isGraphql) {
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        send(res, 400, { errors: [{ message: 'Invalid JSON' }] });
        return;
      }
      const answer = await answerGraphql(
        {
          store,
          projectPath,
          defaultBranch: branch,
          blobDataLimit: options.blobDataLimit ?? 10 * 1024 * 1024,
        },
        body,
      );
      if (answer.problem) problems.push(`POST /api/graphql: ${answer.problem}`);
      send(res, answer.status, answer.body);
      return;
    }
    if (segments.length === 0) {
      problems.push(`unsupported route: ${method} ${url.pathname}`);
      send(res, 404, { error: '404 Not Found' });
      return;
    }
    await handleRest(method, segments, url.searchParams, raw, res);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      problems.push(`internal error: ${error instanceof Error ? error.stack : String(error)}`);
      if (!res.headersSent) send(res, 500, { message: '500 Internal Server Error' });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  ctx.project = { store, instance: url, projectPath, projectId: 4242, user };

  return {
    url,
    projectPath,
    branch,
    token,
    repoDir,
    counts: () => ({ ...counts }),
    total: () => Object.values(counts).reduce((a, b) => a + b, 0),
    reset: () => {
      counts = {};
      faults.clear();
    },
    validationErrors: () => [...problems],
    failNext: (fault) => faults.add(fault),
    setLatency: (ms) => {
      latency = ms;
    },
    competingCommit,
    git: (...args) => store.text(args),
    mergeRequests: () => mergeRequests.all(),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
};
