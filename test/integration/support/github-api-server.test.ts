import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubApiServer, startGitHubApiServer } from '../../support/github-api-server';

/**
 * The fake GitHub is only as good as its checks: these tests prove it refuses what GitHub's OpenAPI
 * description forbids, answers with documented shapes, and injects faults the way GitHub sends them.
 * Raw fetch, not Octokit, so the requests can be deliberately wrong. The real behaviours it reproduces
 * are tested one per row of its catalogue in github-real-behaviours.test.ts.
 */

let server: GitHubApiServer;
const repoPath = () => `/repos/${server.owner}/${server.repo}`;

const call = async (method: string, path: string, body?: unknown, token = server.token) => {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
};

beforeAll(async () => {
  server = await startGitHubApiServer({ seed: { 'README.md': '# x\n', 'a/b/c.yaml': 'c: 1\n' } });
});
afterAll(async () => {
  await server.close();
});

describe('fake GitHub API server', () => {
  it('answers every implemented route with a response valid against the OpenAPI description', async () => {
    // Prepare
    const before = server.validationErrors().length;
    const head = (await call('GET', `${repoPath()}/git/ref/heads/main`)).body as { object: { sha: string } };
    // Act
    const legacyRef = await call('GET', `${repoPath()}/git/refs/heads/main`);
    const commit = await call('GET', `${repoPath()}/git/commits/${head.object.sha}`);
    const treeSha = (commit.body.tree as { sha: string }).sha;
    const tree = await call('GET', `${repoPath()}/git/trees/${treeSha}?recursive=1`);
    const utf8 = await call('POST', `${repoPath()}/git/blobs`, { content: 'héllo\n', encoding: 'utf-8' });
    const b64 = await call('POST', `${repoPath()}/git/blobs`, {
      content: Buffer.from([0, 1, 2]).toString('base64'),
      encoding: 'base64',
    });
    const blob = await call('GET', `${repoPath()}/git/blobs/${b64.body.sha as string}`);
    const newTree = await call('POST', `${repoPath()}/git/trees`, {
      base_tree: treeSha,
      tree: [
        { path: 'x/y/z.yaml', mode: '100644', type: 'blob', content: 'z: 1\n' },
        { path: 'bin.dat', mode: '100644', type: 'blob', sha: b64.body.sha },
        { path: 'a/b/c.yaml', mode: '100644', type: 'blob', sha: null },
      ],
    });
    const newCommit = await call('POST', `${repoPath()}/git/commits`, {
      message: 'm',
      tree: newTree.body.sha,
      parents: [head.object.sha],
    });
    const branch = await call('POST', `${repoPath()}/git/refs`, {
      ref: 'refs/heads/feature',
      sha: newCommit.body.sha,
    });
    const moved = await call('PATCH', `${repoPath()}/git/refs/heads/main`, {
      sha: newCommit.body.sha,
      force: false,
    });
    const pull = await call('POST', `${repoPath()}/pulls`, {
      head: 'feature',
      base: 'main',
      title: 't',
      body: 'b',
    });
    const pulls = await call('GET', `${repoPath()}/pulls?head=${server.owner}:feature&state=open`);
    // Assess
    expect([legacyRef, commit, tree, blob, moved, pulls].map((r) => r.status)).toEqual([
      200, 200, 200, 200, 200, 200,
    ]);
    expect([utf8, b64, newTree, newCommit, branch, pull].map((r) => r.status)).toEqual([
      201, 201, 201, 201, 201, 201,
    ]);
    expect((tree.body.tree as { path: string }[]).map((e) => e.path)).toEqual([
      'README.md',
      'a',
      'a/b',
      'a/b/c.yaml',
    ]);
    expect(Buffer.from(blob.body.content as string, 'base64')).toEqual(Buffer.from([0, 1, 2]));
    expect(await server.git('ls-tree', '-r', '--name-only', 'main')).toBe('README.md\nbin.dat\nx/y/z.yaml');
    expect(await server.git('cat-file', 'blob', utf8.body.sha as string)).toBe('héllo');
    expect((pulls.body as unknown as { number: number }[]).map((p) => p.number)).toEqual([pull.body.number]);
    await server.git('fsck', '--strict');
    expect(server.validationErrors().slice(before)).toEqual([]);
  });

  it('rejects and records a request body that breaks the OpenAPI description', async () => {
    // Prepare
    const before = server.validationErrors().length;
    // Act
    const response = await call('POST', `${repoPath()}/git/trees`, {
      tree: [{ path: 'a.txt', mode: '644', type: 'blob', content: 'a' }],
    });
    // Assess
    expect(response.status).toBe(422);
    expect(server.validationErrors().slice(before)).toEqual([
      expect.stringMatching(/git\/trees request: \/tree\/0\/mode/),
    ]);
  });

  it("refuses and records a GraphQL field GitHub's schema does not have, as GitHub answers it", async () => {
    // Prepare
    const before = server.validationErrors().length;
    // Act
    const response = await call('POST', '/graphql', { query: '{ viewer { loginName } }' });
    // Assess: HTTP 200 with errors and no data (octokit/graphql.js test/error.test.ts, "Invalid query").
    expect(response.status).toBe(200);
    expect(response.body.data).toBeUndefined();
    expect(response.body.errors).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/loginName/) }),
    ]);
    expect(server.validationErrors().slice(before)).toEqual([
      expect.stringMatching(/refused by GitHub's schema: .*loginName/),
    ]);
  });

  it('records a field GitHub has but the stand-in does not answer, naming it', async () => {
    // Prepare
    const before = server.validationErrors().length;
    // Act
    const response = await call('POST', '/graphql', { query: '{ viewer { login } }' });
    // Assess
    expect(response.status).toBe(200);
    expect(server.validationErrors().slice(before)).toEqual([expect.stringMatching(/Query\.viewer/)]);
  });

  it('requires the configured token', async () => {
    // Act
    const response = await call('GET', `${repoPath()}/git/ref/heads/main`, undefined, 'nope');
    // Assess
    expect(response.status).toBe(401);
    expect(response.body.message).toBe('Bad credentials');
  });

  it('injects a secondary rate limit the way GitHub sends it, once, and counts requests by route', async () => {
    // Prepare
    server.reset();
    server.failNext({ route: 'GET /repos/{owner}/{repo}/git/ref/{ref}', status: 403, retryAfter: 7 });
    // Act
    const limited = await call('GET', `${repoPath()}/git/ref/heads/main`);
    const next = await call('GET', `${repoPath()}/git/ref/heads/main`);
    // Assess
    expect(limited.status).toBe(403);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.body.message).toMatch(/secondary rate limit/);
    expect(next.status).toBe(200);
    expect(server.counts()).toEqual({ 'GET /repos/{owner}/{repo}/git/ref/{ref}': 2 });
  });
});
