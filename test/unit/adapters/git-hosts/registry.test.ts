import { describe, expect, it } from 'vitest';
import type { GitCredentials } from '../../../../functions/adapters/git-hosts/descriptor';
import {
  createGitHost,
  credentialsProblem,
  DEFAULT_GIT_HOST_KIND,
  GIT_HOST_KINDS,
  GIT_HOSTS,
  gitHostDescriptor,
  gitHostKindList,
  isGitHostKind,
} from '../../../../functions/adapters/git-hosts/registry';
import { PromoterError } from '../../../../functions/errors';

const refusal = (promise: Promise<unknown>): Promise<PromoterError> =>
  promise.then(
    () => {
      throw new Error('expected CONFIG_INVALID');
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(PromoterError);
      expect(error).toMatchObject({ code: 'CONFIG_INVALID', disposition: 'terminal' });
      return error as PromoterError;
    },
  );

describe('the Git-host registry', () => {
  it('lists each kind once, the default among them, and names them in messages', () => {
    expect(new Set(GIT_HOST_KINDS).size).toBe(GIT_HOSTS.length);
    expect(GIT_HOST_KINDS).toContain(DEFAULT_GIT_HOST_KIND);
    expect(GIT_HOST_KINDS).toEqual(expect.arrayContaining(['github', 'git', 'bitbucket', 'gitlab']));
    for (const kind of GIT_HOST_KINDS) expect(gitHostKindList()).toContain(`"${kind}"`);
    expect(isGitHostKind('svn')).toBe(false);
    expect(isGitHostKind(42)).toBe(false);
  });

  it.each(GIT_HOSTS.map((host) => [host.kind, host] as const))(
    'describes %s completely (names, repository format, credentials)',
    (_kind, host) => {
      expect(host.displayName).not.toBe('');
      expect(host.repositoryFormat).not.toBe('');
      expect(host.pullRequestNoun).not.toBe('');
      expect(host.credentialKinds.length).toBeGreaterThan(0);
      // Every accepted kind has its JSON shape in the format the secret's description shows.
      const shapes = { token: '{"token"}', basic: '{"username", "password"}', 'github-app': '{"appId"' };
      for (const kind of host.credentialKinds) expect(host.credentialsFormat).toContain(shapes[kind]);
      expect(host.repositoryProblems('')).not.toEqual([]);
      if (host.defaultBaseUrl !== undefined) expect(host.defaultBaseUrl).toMatch(/^https:\/\//);
    },
  );

  it('refuses an unknown kind with the list of known ones', async () => {
    expect(() => gitHostDescriptor('svn')).toThrow(`must be ${gitHostKindList()}`);
    const error = await refusal(createGitHost('svn', { repository: 'x', workDir: '/tmp' }));
    expect(error.message).toContain('unknown Git host kind "svn"');
  });

  it('checks the repository syntax of each host, stricter for a deployed function', () => {
    const github = gitHostDescriptor('github');
    const git = gitHostDescriptor('git');
    expect(github.repositoryProblems('acme/cluster')).toEqual([]);
    expect(github.repositoryProblems('https://github.com/acme/cluster')).toEqual(['must be "owner/name"']);
    expect(git.repositoryProblems('/srv/git/cluster.git')).toEqual([]);
    expect(git.repositoryProblems('http://127.0.0.1:8080/cluster.git')).toEqual([]);
    expect(git.repositoryProblems('git@host:acme/cluster.git')).toEqual([
      'must be an http(s) URL or absolute path',
    ]);
    expect(git.repositoryProblems('/srv/git/cluster.git', { deployed: true })).toEqual([
      'must be an https:// clone URL',
    ]);
    expect(git.repositoryProblems('https://git.example.com/c.git', { deployed: true })).toEqual([]);
  });

  it.each<[string, GitCredentials | undefined, string | undefined]>([
    [
      'github',
      undefined,
      'the github host needs a credentials secret holding a token or GitHub App credentials',
    ],
    ['github', { kind: 'basic', username: 'u', password: 'p' }, 'does not accept a username and password'],
    ['github', { kind: 'token', token: 't' }, undefined],
    ['git', undefined, undefined],
    ['git', { kind: 'basic', username: 'u', password: 'p' }, undefined],
    [
      'git',
      { kind: 'github-app', appId: 1, privateKey: 'k', installationId: 2 },
      'does not accept GitHub App credentials',
    ],
  ])('judges credentials for %s: %o', (kind, credentials, problem) => {
    const found = credentialsProblem(gitHostDescriptor(kind), credentials);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });

  it('creates nothing from settings a host cannot take: every problem named at once', async () => {
    const error = await refusal(
      createGitHost('git', {
        repository: 'git@host:acme/cluster.git',
        baseUrl: 'https://git.example.com/api',
        credentials: { kind: 'github-app', appId: 1, privateKey: 'k', installationId: 2 },
        workDir: '/tmp',
      }),
    );
    expect(error.message).toContain('must be an http(s) URL or absolute path for git');
    expect(error.message).toContain('a base URL does not apply to gitHostKind git');
    expect(error.message).toContain('does not accept GitHub App credentials');
  });

  it('builds the configured host with the kind of its descriptor', async () => {
    const { host, requests } = await createGitHost('github', {
      repository: 'acme/cluster',
      baseUrl: 'https://ghe.example.com/api/v3',
      credentials: { kind: 'token', token: 't' },
      workDir: '/tmp',
    });
    expect(host.kind).toBe('github');
    expect(host.location).toBe('https://ghe.example.com/api/v3/repos/acme/cluster');
    expect(requests()).toBe(0);
  });

  it.each([
    ['bitbucket', { kind: 'basic', username: 'me@example.com', password: 'api-token' }],
    ['gitlab', { kind: 'token', token: 'glpat-x' }],
  ] as const)('builds %s without a request, at its cloud API by default', async (kind, credentials) => {
    const repository = kind === 'gitlab' ? 'acme/platform/cluster' : 'acme/cluster';
    const { host, requests } = await createGitHost(kind, { repository, credentials, workDir: '/tmp' });
    expect(host.kind).toBe(kind);
    expect(host.location).toBe(
      kind === 'gitlab'
        ? 'https://gitlab.com/acme/platform/cluster'
        : 'https://api.bitbucket.org/2.0/repositories/acme/cluster',
    );
    expect(requests()).toBe(0);
  });

  it('takes a self-managed GitLab root (an /api/v4 suffix cut back), and no base URL for Bitbucket Cloud', async () => {
    const gitlab = await createGitHost('gitlab', {
      repository: 'acme/cluster',
      baseUrl: 'https://example.com/gitlab/api/v4/',
      credentials: { kind: 'token', token: 'glpat-x' },
      workDir: '/tmp',
    });
    expect(gitlab.host.location).toBe('https://example.com/gitlab/acme/cluster');
    const bitbucket = await refusal(
      createGitHost('bitbucket', {
        repository: 'acme/cluster',
        baseUrl: 'https://bitbucket.example.com/rest/api/1.0',
        credentials: { kind: 'token', token: 't' },
        workDir: '/tmp',
      }),
    );
    expect(bitbucket.message).toContain('a base URL does not apply to gitHostKind bitbucket');
    const query = await refusal(
      createGitHost('gitlab', {
        repository: 'acme/cluster',
        baseUrl: 'https://gitlab.example.com/#x',
        credentials: { kind: 'token', token: 'glpat-x' },
        workDir: '/tmp',
      }),
    );
    expect(query.message).toContain('base URL must be the instance root, without a query or fragment');
  });

  it.each<[string, GitCredentials | undefined, string | undefined]>([
    ['bitbucket', undefined, 'the bitbucket host needs a credentials secret holding a token or a username'],
    ['bitbucket', { kind: 'github-app', appId: 1, privateKey: 'k', installationId: 2 }, 'does not accept'],
    ['gitlab', { kind: 'basic', username: 'u', password: 'p' }, 'does not accept a username and password'],
    ['gitlab', { kind: 'token', token: 'glpat-x' }, undefined],
  ])('judges credentials for %s: %o', (kind, credentials, problem) => {
    const found = credentialsProblem(gitHostDescriptor(kind), credentials);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });
});
