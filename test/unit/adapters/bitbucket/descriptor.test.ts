import { describe, expect, it } from 'vitest';
import { bitbucketHost } from '../../../../functions/adapters/git-hosts/bitbucket/descriptor';
import {
  parseRepository,
  repositoryProblems,
} from '../../../../functions/adapters/git-hosts/bitbucket/repository';
import { PromoterError } from '../../../../functions/errors';

describe('Bitbucket repository names', () => {
  it.each([
    'acme/cluster',
    'acme-team/cluster.config',
    'my_ws/repo-1',
    '{6f2b3c9a-1d4e-4f8a-9b7c-2e5d8a1f0c3b}/cluster',
  ])('accepts %s', (repository) => {
    expect(repositoryProblems(repository)).toEqual([]);
  });

  it.each([
    ['https://bitbucket.org/acme/cluster', /not as a URL/],
    ['git@bitbucket.org:acme/cluster.git', /not as a URL/],
    ['cluster', /one "\/"/],
    ['acme/team/cluster', /one "\/"/],
    ['/cluster', /workspace is empty/],
    ['acme/', /repository slug is empty/],
    ['acme/..', /cannot be ".."/],
    ['ac me/cluster', /may only hold/],
    ['acme/cluster.git', /drop ".git"/],
  ])('refuses %s', (repository, problem) => {
    expect(repositoryProblems(repository).join('; ')).toMatch(problem);
    expect(() => parseRepository(repository)).toThrow(RangeError);
  });

  it('splits a good name', () => {
    expect(parseRepository('acme/cluster')).toEqual({ workspace: 'acme', slug: 'cluster' });
  });
});

describe('bitbucketHost', () => {
  it('describes Bitbucket Cloud: workspace/repo_slug, the cloud API root, tokens and Basic credentials', () => {
    expect(bitbucketHost).toMatchObject({
      kind: 'bitbucket',
      displayName: 'Bitbucket Cloud',
      repositoryFormat: 'workspace/repo_slug',
      defaultBaseUrl: 'https://api.bitbucket.org/2.0',
      customBaseUrl: false,
      credentialKinds: ['token', 'basic'],
      anonymous: false,
      pullRequestNoun: 'pull request',
    });
  });

  it.each([
    ['no credentials', undefined],
    ['GitHub App credentials', { kind: 'github-app' as const, appId: 1, privateKey: 'k', installationId: 2 }],
  ])('refuses to build a host with %s, saying which secret it needs', async (_, credentials) => {
    const error = await bitbucketHost
      .create({ repository: 'acme/cluster', workDir: '/tmp', ...(credentials ? { credentials } : {}) })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(PromoterError);
    expect((error as PromoterError).code).toBe('CONFIG_INVALID');
    expect((error as PromoterError).message).toContain('{"token"}');
  });

  it('builds a host that counts the HTTP requests it sends, through the injected fetch', async () => {
    // Prepare: a fetch that answers every request 404 (an empty repository).
    const seen: string[] = [];
    const fetch404: typeof fetch = async (input, init) => {
      seen.push(`${init?.method} ${String(input)} ${new Headers(init?.headers).get('authorization')}`);
      return new Response(JSON.stringify({ type: 'error', error: { message: 'Not found' } }), {
        status: 404,
      });
    };
    const wiring = await bitbucketHost.create({
      repository: 'acme/cluster',
      workDir: '/tmp',
      credentials: { kind: 'basic', username: 'me@example.com', password: 'api-token' },
      fetch: fetch404,
    });
    // Act
    const snapshot = await wiring.host.snapshot('main', { files: ['a.yaml'], trees: [] });
    // Assess
    expect(wiring.host.kind).toBe('bitbucket');
    expect(wiring.host.location).toBe('https://api.bitbucket.org/2.0/repositories/acme/cluster');
    expect(snapshot.head).toBeUndefined();
    expect(wiring.requests()).toBe(seen.length);
    expect(seen[0]).toMatch(
      new RegExp(
        `^GET https://api\\.bitbucket\\.org/2\\.0/repositories/acme/cluster/src/main/\\?.* Basic ${btoa('me@example.com:api-token')}$`,
      ),
    );
  });
});
