import { describe, expect, it } from 'vitest';
import { gitHostKindList } from '../../../functions/adapters/git-hosts/registry';
import { DEFAULT_INTAKE_LIMITS } from '../../../functions/chart/chart';
import { PROMOTE_ENV, parsePromoteConfig } from '../../../functions/config/promote-config';
import { PromoterError } from '../../../functions/errors';

const configError = (env: Record<string, string | undefined>): PromoterError => {
  try {
    parsePromoteConfig(env);
  } catch (error) {
    if (error instanceof PromoterError) return error;
    throw error;
  }
  throw new Error('expected CONFIG_INVALID');
};

describe('parsePromoteConfig', () => {
  it('fills every default from one required variable', () => {
    // Act
    const config = parsePromoteConfig({ CHART_PROMOTER_REPOSITORY: 'acme/cluster' });

    // Assess
    expect(config).toEqual({
      repository: 'acme/cluster',
      branch: 'main',
      gitHostKind: 'github',
      bucketPrefix: 'incoming/',
      targetEnvironment: 'dev',
      limits: DEFAULT_INTAKE_LIMITS,
      helmRenderCheck: true,
      sourceRef: { name: 'flux-system', namespace: 'flux-system' },
    });
  });

  it('reads every variable when set', () => {
    // Prepare
    const env = {
      CHART_PROMOTER_REPOSITORY: 'acme/cluster.repo',
      CHART_PROMOTER_BRANCH: 'release/2026-q4',
      CHART_PROMOTER_GIT_HOST_KIND: 'github',
      CHART_PROMOTER_GIT_HOST_BASE_URL: 'https://ghe.example.com/api/v3/',
      CHART_PROMOTER_CREDENTIALS_SECRET_ARN:
        'arn:aws:secretsmanager:eu-west-1:123456789012:secret:chart-promoter/github-AbCdEf',
      CHART_PROMOTER_BUCKET_PREFIX: 'charts/',
      CHART_PROMOTER_TARGET_ENVIRONMENT: 'staging',
      CHART_PROMOTER_MAX_ARCHIVE_BYTES: '1048576',
      CHART_PROMOTER_MAX_DECOMPRESSED_BYTES: '2097152',
      CHART_PROMOTER_MAX_FILE_BYTES: '4096',
      CHART_PROMOTER_MAX_ENTRIES: '50',
      CHART_PROMOTER_HELM_RENDER_CHECK: 'FALSE',
      CHART_PROMOTER_SOURCE_REF_NAME: 'cluster',
      CHART_PROMOTER_SOURCE_REF_NAMESPACE: 'gitops',
      UNRELATED: 'ignored',
    };

    // Act
    const config = parsePromoteConfig(env);

    // Assess
    expect(config).toEqual({
      repository: 'acme/cluster.repo',
      branch: 'release/2026-q4',
      gitHostKind: 'github',
      gitHostBaseUrl: 'https://ghe.example.com/api/v3',
      credentialsSecretArn:
        'arn:aws:secretsmanager:eu-west-1:123456789012:secret:chart-promoter/github-AbCdEf',
      bucketPrefix: 'charts/',
      targetEnvironment: 'staging',
      limits: { maxArchiveBytes: 1048576, maxDecompressedBytes: 2097152, maxFileBytes: 4096, maxEntries: 50 },
      helmRenderCheck: false,
      sourceRef: { name: 'cluster', namespace: 'gitops' },
    });
  });

  it.each([
    ['https://git.example.com/team/cluster.git'],
    ['http://127.0.0.1:8080/cluster.git'],
    ['/srv/git/cluster.git'],
  ])('accepts %s as a plain git repository', (repository) => {
    const config = parsePromoteConfig({
      CHART_PROMOTER_REPOSITORY: repository,
      CHART_PROMOTER_GIT_HOST_KIND: 'git',
    });
    expect(config).toMatchObject({ repository, gitHostKind: 'git' });
  });

  it('treats empty variables as unset, except the bucket prefix where "" means the whole bucket', () => {
    const config = parsePromoteConfig({
      CHART_PROMOTER_REPOSITORY: 'acme/cluster',
      CHART_PROMOTER_BRANCH: '',
      CHART_PROMOTER_GIT_HOST_BASE_URL: '',
      CHART_PROMOTER_BUCKET_PREFIX: '',
    });
    expect(config).toMatchObject({ branch: 'main', bucketPrefix: '' });
    expect(config).not.toHaveProperty('gitHostBaseUrl');
  });

  it('reports a missing repository as a terminal CONFIG_INVALID', () => {
    // Act
    const error = configError({});

    // Assess
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', disposition: 'terminal' });
    expect(error.message).toContain('CHART_PROMOTER_REPOSITORY: required');
  });

  it('lists every bad variable in one message', () => {
    // Prepare
    const env = {
      CHART_PROMOTER_REPOSITORY: 'not a repo',
      CHART_PROMOTER_BRANCH: 'bad..branch',
      CHART_PROMOTER_GIT_HOST_BASE_URL: 'ftp://ghe',
      CHART_PROMOTER_CREDENTIALS_SECRET_ARN: 'my-secret',
      CHART_PROMOTER_BUCKET_PREFIX: '/incoming',
      CHART_PROMOTER_TARGET_ENVIRONMENT: 'Prod_EU',
      CHART_PROMOTER_MAX_ARCHIVE_BYTES: '-1',
      CHART_PROMOTER_MAX_DECOMPRESSED_BYTES: 'lots',
      CHART_PROMOTER_MAX_FILE_BYTES: '1.5',
      CHART_PROMOTER_MAX_ENTRIES: '0',
      CHART_PROMOTER_HELM_RENDER_CHECK: 'maybe',
      CHART_PROMOTER_SOURCE_REF_NAME: 'Flux System',
      CHART_PROMOTER_SOURCE_REF_NAMESPACE: '-x',
      CHART_PROMOTER_INTAKE_QUEUE_URL: 'sqs:intake',
      CHART_PROMOTER_KEYRING_S3_URI: 's3://Keys/',
      CHART_PROMOTER_KEYRING_SECRET_ARN: 'keyring',
      CHART_PROMOTER_JIRA_BASE_URL: 'http://jira.example.com',
      CHART_PROMOTER_JIRA_SECRET_ARN: 'jira-token',
    };

    // Act
    const error = configError(env);

    // Assess
    const named = Object.values(PROMOTE_ENV).filter((name) => error.message.includes(`${name}:`));
    expect(named.sort()).toEqual(
      Object.values(PROMOTE_ENV)
        .filter((name) => name !== PROMOTE_ENV.gitHostKind)
        .sort(),
    );
  });

  it('refuses a base URL for a plain git host and an owner/name repository for it', () => {
    // Act
    const error = configError({
      CHART_PROMOTER_REPOSITORY: 'acme/cluster',
      CHART_PROMOTER_GIT_HOST_KIND: 'git',
      CHART_PROMOTER_GIT_HOST_BASE_URL: 'https://ghe.example.com/api/v3',
    });

    // Assess
    expect(error.message).toContain(
      'CHART_PROMOTER_REPOSITORY: must be an http(s) URL or absolute path for git',
    );
    expect(error.message).toContain('CHART_PROMOTER_GIT_HOST_BASE_URL: does not apply to gitHostKind git');
  });

  it.each([
    ['bitbucket', 'acme/cluster', undefined],
    ['gitlab', 'acme/platform/cluster', undefined],
    ['gitlab', 'acme/cluster', 'https://gitlab.example.com'],
    ['gitlab', 'acme/cluster', 'https://example.com/gitlab/api/v4/'],
  ])('accepts a %s repository %s (base URL %s)', (kind, repository, baseUrl) => {
    const config = parsePromoteConfig({
      CHART_PROMOTER_REPOSITORY: repository,
      CHART_PROMOTER_GIT_HOST_KIND: kind,
      ...(baseUrl ? { CHART_PROMOTER_GIT_HOST_BASE_URL: baseUrl } : {}),
    });
    expect(config).toMatchObject({ repository, gitHostKind: kind });
  });

  it.each([
    [
      'bitbucket',
      'https://bitbucket.org/acme/cluster',
      undefined,
      'CHART_PROMOTER_REPOSITORY: write the repository as workspace/repo_slug',
    ],
    ['bitbucket', 'acme/team/cluster', undefined, 'CHART_PROMOTER_REPOSITORY: a Bitbucket repository is'],
    [
      'bitbucket',
      'acme/cluster',
      'https://bitbucket.example.com',
      'CHART_PROMOTER_GIT_HOST_BASE_URL: does not apply to gitHostKind bitbucket',
    ],
    ['gitlab', 'cluster', undefined, 'CHART_PROMOTER_REPOSITORY: "cluster" is not group/project'],
    [
      'gitlab',
      'acme/cluster',
      'https://gitlab.example.com/api/graphql',
      'CHART_PROMOTER_GIT_HOST_BASE_URL: must be the instance root',
    ],
    [
      'gitlab',
      'acme/cluster',
      'https://bot:glpat-x@gitlab.example.com',
      'CHART_PROMOTER_GIT_HOST_BASE_URL: must not hold credentials',
    ],
  ])('refuses for %s the repository %s with base URL %s', (kind, repository, baseUrl, message) => {
    const error = configError({
      CHART_PROMOTER_REPOSITORY: repository,
      CHART_PROMOTER_GIT_HOST_KIND: kind,
      ...(baseUrl ? { CHART_PROMOTER_GIT_HOST_BASE_URL: baseUrl } : {}),
    });
    expect(error.message).toContain(message);
  });

  it('refuses an unknown git host kind', () => {
    const error = configError({
      CHART_PROMOTER_REPOSITORY: 'acme/cluster',
      CHART_PROMOTER_GIT_HOST_KIND: 'svn',
    });
    expect(error.message).toContain(`CHART_PROMOTER_GIT_HOST_KIND: must be ${gitHostKindList()}`);
  });
});
