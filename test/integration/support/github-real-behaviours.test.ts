import { afterEach, describe, expect, it } from 'vitest';
import {
  type GitHubApiServer,
  type GitHubApiServerOptions,
  startGitHubApiServer,
} from '../../support/github-api-server';
import { REAL_BEHAVIOURS, type RealBehaviourId } from '../../support/github-api-server/real-behaviours';
import { recordedScenario, shapeOf } from '../../support/github-api-server/recorded-answers';

/**
 * One test per row of the stand-in's catalogue of GitHub's real behaviours (real-behaviours.ts, where
 * each row cites its source). Raw fetch, so the answers are seen exactly as they go over the wire;
 * recorded answers (@octokit/fixtures) are compared shape for shape with the stand-in's.
 */

const SEED = { 'README.md': '# cluster\n', 'charts/demo/1.0.0/Chart.yaml': 'name: demo\n' };

const open: GitHubApiServer[] = [];
const start = async (options: GitHubApiServerOptions = { seed: SEED }) => {
  const server = await startGitHubApiServer(options);
  open.push(server);
  return server;
};

afterEach(async () => {
  for (const server of open.splice(0)) await server.close();
});

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: answers are read as GitHub's JSON
  readonly body: any;
}

const call = async (
  server: GitHubApiServer,
  method: string,
  path: string,
  body?: unknown,
): Promise<Answer> => {
  const response = await fetch(
    `${server.url}${path.replace('{repo}', `repos/${server.owner}/${server.repo}`)}`,
    {
      method,
      headers: { authorization: `token ${server.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    },
  );
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
};

const graphql = (server: GitHubApiServer, query: string, variables: Record<string, unknown> = {}) =>
  call(server, 'POST', '/graphql', { query, variables });

const REPO_VARS = '$owner: String!, $repo: String!';
const repoVars = (server: GitHubApiServer) => ({ owner: server.owner, repo: server.repo });
const head = async (server: GitHubApiServer) => server.git('rev-parse', server.branch);

/** Every key path and JSON type of GitHub's recorded answer is in the stand-in's answer too. */
const expectShapeCovers = (standIn: unknown, recorded: unknown) => {
  const ours = new Set(shapeOf(standIn));
  expect(shapeOf(recorded).filter((entry) => !ours.has(entry))).toEqual([]);
};

const openPullRequest = async (server: GitHubApiServer): Promise<number> => {
  await call(server, 'POST', '/{repo}/git/refs', { ref: 'refs/heads/feature', sha: await head(server) });
  const pull = await call(server, 'POST', '/{repo}/pulls', {
    head: 'feature',
    base: 'main',
    title: 't',
    body: 'b',
  });
  return pull.body.number as number;
};

const CHECKS: Record<RealBehaviourId, () => Promise<void>> = {
  'graphql-schema': async () => {
    const server = await start();
    const refused = await graphql(
      server,
      `query(${REPO_VARS}) { repository(owner: $owner, name: $repo) { isEmptyy } }`,
      repoVars(server),
    );
    expect(refused.status).toBe(200);
    expect(refused.body.data).toBeUndefined();
    expect(refused.body.errors).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/isEmptyy/) }),
    ]);
    expect(server.validationErrors()).toEqual([expect.stringMatching(/refused by GitHub's schema/)]);
  },

  'graphql-missing-path': async () => {
    const server = await start();
    const answer = await graphql(
      server,
      `query(${REPO_VARS}, $ref: String!, $f0: String!, $f1: String!, $t0: String!) {
        repository(owner: $owner, name: $repo) {
          ref(qualifiedName: $ref) {
            target {
              ... on Commit {
                oid
                f0: file(path: $f0) { type }
                f1: file(path: $f1) { type }
                t0: file(path: $t0) { type }
              }
            }
          }
        }
      }`,
      {
        ...repoVars(server),
        ref: 'refs/heads/main',
        f0: 'README.md',
        f1: 'environments/dev/demo.yaml',
        t0: 'charts/demo/2.0.0',
      },
    );
    expect(answer.status).toBe(200);
    expect(answer.body.data.repository.ref.target).toEqual({
      oid: await head(server),
      f0: { type: 'blob' },
      f1: null,
      t0: null,
    });
    expect(answer.body.errors).toEqual([
      {
        type: 'NOT_FOUND',
        path: ['repository', 'ref', 'target', 'f1'],
        locations: [{ line: 8, column: 17 }],
        message: "Could not resolve file for path 'environments/dev/demo.yaml'.",
      },
      {
        type: 'NOT_FOUND',
        path: ['repository', 'ref', 'target', 't0'],
        locations: [{ line: 9, column: 17 }],
        message: "Could not resolve file for path 'charts/demo/2.0.0'.",
      },
    ]);
    expect(Object.keys(answer.body.errors[0])).toEqual(['type', 'path', 'locations', 'message']);
    expect(server.validationErrors()).toEqual([]);
  },

  'graphql-missing-repository': async () => {
    const server = await start();
    const answer = await graphql(
      server,
      `query(${REPO_VARS}) { repository(owner: $owner, name: $repo) { isEmpty } }`,
      {
        owner: server.owner,
        repo: 'nope',
      },
    );
    expect(answer.body).toEqual({
      data: { repository: null },
      errors: [
        {
          type: 'NOT_FOUND',
          path: ['repository'],
          locations: [{ line: 1, column: 42 }],
          message: `Could not resolve to a Repository with the name '${server.owner}/nope'.`,
        },
      ],
    });
  },

  'graphql-missing-ref': async () => {
    const server = await start();
    const answer = await graphql(
      server,
      `query(${REPO_VARS}) { repository(owner: $owner, name: $repo) { isEmpty ref(qualifiedName: "refs/heads/nope") { name } } }`,
      repoVars(server),
    );
    expect(answer.body).toEqual({ data: { repository: { isEmpty: false, ref: null } } });
  },

  'graphql-empty-repository': async () => {
    const server = await start({ seed: {} });
    const answer = await graphql(
      server,
      `query(${REPO_VARS}) { repository(owner: $owner, name: $repo) { isEmpty defaultBranchRef { name } ref(qualifiedName: "refs/heads/main") { name } } }`,
      repoVars(server),
    );
    expect(answer.body).toEqual({
      data: { repository: { isEmpty: true, defaultBranchRef: null, ref: null } },
    });
  },

  'graphql-blob-text': async () => {
    const server = await start({
      seed: { 'logo.png': '\u0089PNG\u0000\u0001', 'big.yaml': 'x'.repeat(100) },
      graphqlTextLimit: 64,
    });
    const blob = '{ type object { ... on Blob { text isBinary isTruncated } } }';
    const answer = await graphql(
      server,
      `query(${REPO_VARS}) { repository(owner: $owner, name: $repo) { ref(qualifiedName: "refs/heads/main") { target { ... on Commit {
        binary: file(path: "logo.png") ${blob} big: file(path: "big.yaml") ${blob} } } } } }`,
      repoVars(server),
    );
    const target = answer.body.data.repository.ref.target;
    expect(target.binary.object).toEqual({ text: null, isBinary: true, isTruncated: false });
    expect(target.big.object).toEqual({ text: null, isBinary: false, isTruncated: true });
  },

  'graphql-rate-limited': async () => {
    const server = await start();
    server.failNext({ route: 'POST /graphql', status: 200, kind: 'graphql-rate-limited', retryAfter: 60 });
    const answer = await graphql(server, '{ viewer { login } }');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      errors: [
        {
          type: 'RATE_LIMITED',
          message: expect.stringMatching(/^API rate limit exceeded for installation ID \d+\.$/),
        },
      ],
    });
    expect(answer.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(answer.headers.get('x-ratelimit-resource')).toBe('graphql');
    expect(Number(answer.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
  },

  'graphql-rate-limit-type': async () => {
    const server = await start();
    server.failNext({ route: 'POST /graphql', status: 200, kind: 'graphql-rate-limit' });
    const answer = await graphql(server, '{ viewer { login } }');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      errors: [
        {
          type: 'RATE_LIMIT',
          code: 'graphql_rate_limit',
          message: expect.stringMatching(/^API rate limit already exceeded for user ID \d+\.$/),
        },
      ],
    });
  },

  'update-ref-not-fast-forward': async () => {
    const server = await start();
    const sha = await head(server);
    const commit = await call(server, 'GET', `/{repo}/git/commits/${sha}`);
    const sibling = await call(server, 'POST', '/{repo}/git/commits', {
      message: 'sibling',
      tree: commit.body.tree.sha,
      parents: [],
    });
    const answer = await call(server, 'PATCH', '/{repo}/git/refs/heads/main', {
      sha: sibling.body.sha,
      force: false,
    });
    expect(answer.status).toBe(422);
    expect(answer.body.message).toBe('Update is not a fast forward');
    expect(await head(server)).toBe(sha);
  },

  'update-ref-cannot-be-updated': async () => {
    const server = await start();
    const sha = await head(server);
    const commit = await call(server, 'GET', `/{repo}/git/commits/${sha}`);
    const child = await call(server, 'POST', '/{repo}/git/commits', {
      message: 'mine',
      tree: commit.body.tree.sha,
      parents: [sha],
    });
    server.failNext({
      route: 'PATCH /repos/{owner}/{repo}/git/refs/{ref}',
      status: 422,
      message: 'Reference cannot be updated',
    });
    const answer = await call(server, 'PATCH', '/{repo}/git/refs/heads/main', {
      sha: child.body.sha,
      force: false,
    });
    expect(answer.status).toBe(422);
    expect(answer.body).toEqual({
      message: 'Reference cannot be updated',
      documentation_url: 'https://docs.github.com/rest/git/refs#update-a-reference',
    });
    expect(await server.git('log', '-1', '--format=%s', 'main')).toMatch(/^competing writer/);
  },

  'git-data-empty-repository': async () => {
    const server = await start({ seed: {} });
    const answers = await Promise.all([
      call(server, 'POST', '/{repo}/git/blobs', { content: 'x', encoding: 'utf-8' }),
      call(server, 'POST', '/{repo}/git/trees', {
        tree: [{ path: 'a', mode: '100644', type: 'blob', content: 'a' }],
      }),
      call(server, 'GET', '/{repo}/git/ref/heads/main'),
      call(server, 'POST', '/{repo}/git/refs', { ref: 'refs/heads/main', sha: 'a'.repeat(40) }),
    ]);
    expect(answers.map((a) => [a.status, a.body])).toEqual(
      [
        'https://docs.github.com/rest/git/blobs#create-a-blob',
        'https://docs.github.com/rest/git/trees#create-a-tree',
        'https://docs.github.com/rest/git/refs#get-a-reference',
        'https://docs.github.com/rest/git/refs#create-a-reference',
      ].map((docs) => [409, { message: 'Git Repository is empty.', documentation_url: docs }]),
    );
  },

  'contents-first-commit': async () => {
    const server = await start({ seed: {} });
    const [recorded] = recordedScenario('create-file');
    const answer = await call(server, 'PUT', '/{repo}/contents/test.txt', {
      ...(recorded!.requestBody as object),
      branch: 'main',
    });
    expect(answer.status).toBe(recorded!.status);
    expectShapeCovers(answer.body, recorded!.response);
    expect(answer.body.commit.parents).toEqual([]);
    expect(await head(server)).toBe(answer.body.commit.sha);
    expect(await server.git('show', 'main:test.txt')).toBe('Test content');
    expect(server.validationErrors()).toEqual([]);
  },

  'contents-sha-required': async () => {
    const server = await start();
    const answer = await call(server, 'PUT', '/{repo}/contents/README.md', { message: 'm', content: 'eA==' });
    expect(answer.status).toBe(422);
    expect(answer.body.message).toBe('Invalid request.\n\n"sha" wasn\'t supplied.');
  },

  'secondary-rate-limit': async () => {
    const server = await start();
    for (const status of [403, 429] as const) {
      server.failNext({
        route: 'GET /repos/{owner}/{repo}/git/ref/{ref}',
        status,
        kind: 'secondary',
        retryAfter: 7,
      });
      const answer = await call(server, 'GET', '/{repo}/git/ref/heads/main');
      expect(answer.status).toBe(status);
      expect(answer.headers.get('retry-after')).toBe('7');
      expect(answer.body.message).toMatch(/^You have exceeded a secondary rate limit/);
    }
  },

  'primary-rate-limit': async () => {
    const server = await start();
    server.failNext({
      route: 'GET /repos/{owner}/{repo}/git/ref/{ref}',
      status: 403,
      kind: 'primary',
      retryAfter: 30,
    });
    const answer = await call(server, 'GET', '/{repo}/git/ref/heads/main');
    expect(answer.status).toBe(403);
    expect(answer.headers.get('x-ratelimit-remaining')).toBe('0');
    const reset = Number(answer.headers.get('x-ratelimit-reset'));
    expect(reset).toBeGreaterThan(Date.now() / 1000);
    expect(reset).toBeLessThan(Date.now() / 1000 + 60);
    expect(answer.body.message).toMatch(/^API rate limit exceeded/);
  },

  'validation-failed': async () => {
    const server = await start();
    const number = await openPullRequest(server);
    const [recorded] = recordedScenario('errors');
    const answer = await call(server, 'POST', `/{repo}/issues/${number}/labels`, {
      labels: ['x'.repeat(51)],
    });
    expect(answer.status).toBe(recorded!.status);
    expectShapeCovers(answer.body, recorded!.response);
    expect(answer.body.message).toBe('Validation Failed');
  },

  'label-resource': async () => {
    const server = await start();
    const number = await openPullRequest(server);
    const recorded = recordedScenario('add-labels-to-issue')[1]!;
    const added = await call(server, 'POST', `/{repo}/issues/${number}/labels`, recorded.requestBody);
    const listed = await call(server, 'GET', `/{repo}/pulls?head=${server.owner}:feature`);
    expect(added.status).toBe(recorded.status);
    expect(shapeOf(added.body)).toEqual(shapeOf(recorded.response));
    expect(shapeOf(listed.body[0].labels)).toEqual(shapeOf(recorded.response));
    // GitHub's default labels (recorded in `labels`) carry the same fields.
    expect(shapeOf(added.body[0]).filter((e) => !e.startsWith('.description'))).toEqual(
      shapeOf((recordedScenario('labels')[0]!.response as unknown[])[0]).filter(
        (e) => !e.startsWith('.description'),
      ),
    );
    expect(server.validationErrors()).toEqual([]);
  },

  'ref-resource': async () => {
    const server = await start();
    const [, created, updated] = recordedScenario('git-refs');
    const sha = await head(server);
    const create = await call(server, 'POST', '/{repo}/git/refs', { ref: 'refs/heads/test', sha });
    const update = await call(server, 'PATCH', '/{repo}/git/refs/heads/test', { sha });
    expect([create.status, update.status]).toEqual([created!.status, updated!.status]);
    expect(shapeOf(create.body)).toEqual(shapeOf(created!.response));
    expect(shapeOf(update.body)).toEqual(shapeOf(updated!.response));
  },
};

describe("the GitHub stand-in reproduces GitHub's real behaviours (real-behaviours.ts)", () => {
  it.each(REAL_BEHAVIOURS)('$id: $behaviour', async ({ id }) => {
    await CHECKS[id]();
  });

  it('cites where GitHub was seen doing each of them', () => {
    for (const row of REAL_BEHAVIOURS) {
      expect(row.sources.length, row.id).toBeGreaterThan(0);
      for (const source of row.sources)
        expect(source, row.id).toMatch(/^https:\/\/(docs\.)?github\.com\/|^https:\/\/www\.npmjs\.com\//);
    }
    expect(new Set(REAL_BEHAVIOURS.map((row) => row.id)).size).toBe(REAL_BEHAVIOURS.length);
  });
});
