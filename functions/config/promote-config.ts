import {
  baseUrlProblems,
  DEFAULT_GIT_HOST_KIND,
  GIT_HOST_KINDS,
  type GitHostKind,
  gitHostDescriptor,
  gitHostKindList,
  isGitHostKind,
} from '../adapters/git-hosts/registry';
import { DEFAULT_INTAKE_LIMITS, type IntakeLimits } from '../chart/chart';
import { PromoterError } from '../errors';
import * as z from '../zod';
import {
  INTEGRATIONS_ENV,
  type IntegrationsConfig,
  integrationsCrossIssues,
  integrationsEnvShape,
  integrationsFrom,
} from './integrations-config';

/** Typed configuration of the promote function, parsed once at cold start. */
export interface PromoteConfig extends IntegrationsConfig {
  /** In the syntax of the host's descriptor (its `repositoryFormat`: `owner/name` for `github`, …). */
  readonly repository: string;
  readonly branch: string;
  /** One of the registered kinds (functions/adapters/git-hosts/registry.ts). */
  readonly gitHostKind: GitHostKind;
  /**
   * Where a self-managed install answers, for hosts whose descriptor takes one (`customBaseUrl`): GitHub
   * Enterprise Server's API root `https://ghe.example.com/api/v3`, a GitLab instance root.
   */
  readonly gitHostBaseUrl?: string;
  /** Secrets Manager secret holding the Git host credentials; absent = anonymous (local git only). */
  readonly credentialsSecretArn?: string;
  /** Only keys under this prefix are chart uploads ('' = the whole bucket). */
  readonly bucketPrefix: string;
  /** The environment a fresh upload is promoted to. */
  readonly targetEnvironment: string;
  readonly limits: IntakeLimits;
  /** Run `helm template` on the chart before committing. */
  readonly helmRenderCheck: boolean;
  /** The Flux GitRepository HelmReleases take their chart from. */
  readonly sourceRef: { readonly name: string; readonly namespace: string };
  /**
   * The intake queue, for promotion commands that are not due yet (soak): they go back on it with a
   * delivery delay (SqsScheduler). Absent = such a command is a `retry` (SCHEDULER_MISSING).
   */
  readonly intakeQueueUrl?: string;
}

/** Environment variable names, one per setting (documented in the README table). */
export const PROMOTE_ENV = {
  repository: 'CHART_PROMOTER_REPOSITORY',
  branch: 'CHART_PROMOTER_BRANCH',
  gitHostKind: 'CHART_PROMOTER_GIT_HOST_KIND',
  gitHostBaseUrl: 'CHART_PROMOTER_GIT_HOST_BASE_URL',
  credentialsSecretArn: 'CHART_PROMOTER_CREDENTIALS_SECRET_ARN',
  bucketPrefix: 'CHART_PROMOTER_BUCKET_PREFIX',
  targetEnvironment: 'CHART_PROMOTER_TARGET_ENVIRONMENT',
  maxArchiveBytes: 'CHART_PROMOTER_MAX_ARCHIVE_BYTES',
  maxDecompressedBytes: 'CHART_PROMOTER_MAX_DECOMPRESSED_BYTES',
  maxFileBytes: 'CHART_PROMOTER_MAX_FILE_BYTES',
  maxEntries: 'CHART_PROMOTER_MAX_ENTRIES',
  helmRenderCheck: 'CHART_PROMOTER_HELM_RENDER_CHECK',
  sourceRefName: 'CHART_PROMOTER_SOURCE_REF_NAME',
  sourceRefNamespace: 'CHART_PROMOTER_SOURCE_REF_NAMESPACE',
  intakeQueueUrl: 'CHART_PROMOTER_INTAKE_QUEUE_URL',
  /** Provenance keyring and Jira (integrations-config.ts): all optional. */
  ...INTEGRATIONS_ENV,
} as const;

const E = PROMOTE_ENV;

/** Unset and empty are the same thing in an environment (CDK and shells both produce ''). */
const optional = <T extends z.ZodMiniType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), z.optional(schema));

const withDefault = <T extends z.ZodMiniType>(schema: T, fallback: z.input<T>) =>
  z.preprocess((value) => (value === undefined || value === '' ? fallback : value), schema);

/** Kubernetes object names and namespaces: RFC 1123 labels (what Flux accepts in a sourceRef). */
const dnsLabel = z
  .string()
  .check(
    z.maxLength(63),
    z.regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a lower-case RFC 1123 label (a-z, 0-9, "-")'),
  );

/** Branch names per `git check-ref-format`, the common subset: no spaces, `..`, `~^:?*[\`, `@{`. */
const branchName = z
  .string()
  .check(
    z.regex(
      /^(?!\/|-|.*\/\/|.*\.\.|.*@\{|.*\.lock$|.*\/$|.*\.$)[^\s~^:?*[\\\x00-\x1f\x7f]+$/,
      'not a valid git branch name',
    ),
  );

const positiveInt = (fallback: number) =>
  withDefault(
    z.coerce.number().check(z.int('must be a whole number'), z.positive('must be > 0')),
    String(fallback),
  );

const bool = withDefault(
  z.pipe(
    z.pipe(
      z.string().check(z.toLowerCase()),
      z.enum(['true', 'false', '1', '0', 'yes', 'no'], 'must be true or false'),
    ),
    z.transform((value) => value === 'true' || value === '1' || value === 'yes'),
  ),
  'true',
);

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const gitHostKind = z.enum(
  GIT_HOST_KINDS as readonly GitHostKind[] as [GitHostKind, ...GitHostKind[]],
  `must be ${gitHostKindList()}`,
);

const envSchema = z.object({
  [E.repository]: z
    .string('required: the cluster repository')
    .check(z.minLength(1, 'required: the cluster repository')),
  [E.branch]: withDefault(branchName, 'main'),
  [E.gitHostKind]: withDefault(gitHostKind, DEFAULT_GIT_HOST_KIND),
  [E.gitHostBaseUrl]: optional(httpUrl),
  [E.credentialsSecretArn]: optional(
    z
      .string()
      .check(
        z.regex(
          /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/,
          'must be a Secrets Manager ARN',
        ),
      ),
  ),
  [E.bucketPrefix]: z.preprocess(
    (value) => value ?? 'incoming/',
    z.string().check(
      z.refine((value) => value === '' || (value.endsWith('/') && !value.startsWith('/')), {
        message: 'must be empty or end with "/" (and not start with "/")',
      }),
    ),
  ),
  [E.targetEnvironment]: withDefault(dnsLabel, 'dev'),
  [E.maxArchiveBytes]: positiveInt(DEFAULT_INTAKE_LIMITS.maxArchiveBytes),
  [E.maxDecompressedBytes]: positiveInt(DEFAULT_INTAKE_LIMITS.maxDecompressedBytes),
  [E.maxFileBytes]: positiveInt(DEFAULT_INTAKE_LIMITS.maxFileBytes),
  [E.maxEntries]: positiveInt(DEFAULT_INTAKE_LIMITS.maxEntries),
  [E.helmRenderCheck]: bool,
  [E.sourceRefName]: withDefault(dnsLabel, 'flux-system'),
  [E.sourceRefNamespace]: withDefault(dnsLabel, 'flux-system'),
  [E.intakeQueueUrl]: optional(httpUrl),
  ...integrationsEnvShape,
});

interface EnvIssue {
  readonly variable: string;
  readonly message: string;
}

/**
 * Checks that depend on two variables, run on the raw values so they are reported together with
 * every other issue (zod skips object refinements once a field has failed).
 */
const crossFieldIssues = (env: Readonly<Record<string, string | undefined>>): EnvIssue[] => {
  const repository = env[E.repository] ?? '';
  const kind = env[E.gitHostKind] || DEFAULT_GIT_HOST_KIND;
  const issues: EnvIssue[] = integrationsCrossIssues(env);
  // An unknown kind is the schema's to report; the repository syntax is the host's own.
  if (repository === '' || !isGitHostKind(kind)) return issues;
  const host = gitHostDescriptor(kind);
  for (const problem of host.repositoryProblems(repository, { deployed: false }))
    issues.push({ variable: E.repository, message: `${problem} for ${kind}` });
  const baseUrl = env[E.gitHostBaseUrl];
  if (baseUrl && !host.customBaseUrl)
    issues.push({ variable: E.gitHostBaseUrl, message: `does not apply to gitHostKind ${kind}` });
  else if (baseUrl)
    for (const problem of baseUrlProblems(host, baseUrl))
      issues.push({ variable: E.gitHostBaseUrl, message: `${problem} for ${kind}` });
  return issues;
};

const fromZod = (issues: readonly z.core.$ZodIssue[]): EnvIssue[] =>
  issues.map((issue) => ({ variable: issue.path.join('.') || '(environment)', message: issue.message }));

/**
 * Reads the promote function's configuration from an environment-like record. Pure: the
 * composition module passes `process.env`. Throws a terminal `CONFIG_INVALID` naming every bad
 * variable at once, so a deployment fails loudly at cold start rather than on the first message.
 */
export const parsePromoteConfig = (env: Readonly<Record<string, string | undefined>>): PromoteConfig => {
  const parsed = envSchema.safeParse(env);
  const issues = [...(parsed.success ? [] : fromZod(parsed.error.issues)), ...crossFieldIssues(env)];
  if (!parsed.success || issues.length > 0) {
    const list = issues.map((issue) => `${issue.variable}: ${issue.message}`).join('; ');
    throw new PromoterError('CONFIG_INVALID', 'terminal', `invalid configuration: ${list}`);
  }
  const v = parsed.data;
  const config: PromoteConfig = {
    repository: v[E.repository],
    branch: v[E.branch],
    gitHostKind: v[E.gitHostKind],
    bucketPrefix: v[E.bucketPrefix],
    targetEnvironment: v[E.targetEnvironment],
    limits: {
      maxArchiveBytes: v[E.maxArchiveBytes],
      maxDecompressedBytes: v[E.maxDecompressedBytes],
      maxFileBytes: v[E.maxFileBytes],
      maxEntries: v[E.maxEntries],
    },
    helmRenderCheck: v[E.helmRenderCheck],
    sourceRef: { name: v[E.sourceRefName], namespace: v[E.sourceRefNamespace] },
  };
  const baseUrl = v[E.gitHostBaseUrl];
  const secret = v[E.credentialsSecretArn];
  const queue = v[E.intakeQueueUrl];
  return {
    ...config,
    ...integrationsFrom(v),
    ...(queue === undefined ? {} : { intakeQueueUrl: queue }),
    ...(baseUrl === undefined ? {} : { gitHostBaseUrl: baseUrl.replace(/\/+$/, '') }),
    ...(secret === undefined ? {} : { credentialsSecretArn: secret }),
  };
};
