import * as z from '../zod';

/**
 * The optional integrations of a deployment, as environment variables: where the provenance keyring
 * lives (issue 9: `requireProvenance` policies) and the Jira site promotions are reported to. Parsed
 * together with the rest of the promote configuration (promote-config.ts), so one CONFIG_INVALID
 * names every bad variable; the infra imports the names and `parseS3Uri`, so the two cannot drift.
 */

/** Where the armored public keyring is read from: one S3 object, or one Secrets Manager secret. */
export type KeyringLocation =
  | { readonly kind: 's3'; readonly bucket: string; readonly key: string }
  | { readonly kind: 'secret'; readonly secretArn: string };

export interface JiraConfig {
  /** Site root, no trailing `/` and no `/rest/...` (the notifier appends `/rest/api/2/...`). */
  readonly baseUrl: string;
  /** Secrets Manager secret with the token (bare PAT, `{"token"}` or `{"email","token"}`). */
  readonly secretArn: string;
}

export interface IntegrationsConfig {
  /** Absent = no keyring: a policy with `requireProvenance: true` is a retry (PROVENANCE_UNCONFIGURED). */
  readonly keyring?: KeyringLocation;
  /** Absent = no issue-tracker comments (issue keys still travel in commit trailers). */
  readonly jira?: JiraConfig;
}

export const INTEGRATIONS_ENV = {
  keyringS3Uri: 'CHART_PROMOTER_KEYRING_S3_URI',
  keyringSecretArn: 'CHART_PROMOTER_KEYRING_SECRET_ARN',
  jiraBaseUrl: 'CHART_PROMOTER_JIRA_BASE_URL',
  jiraSecretArn: 'CHART_PROMOTER_JIRA_SECRET_ARN',
} as const;

const E = INTEGRATIONS_ENV;

/**
 * General purpose bucket names (3–63 characters, lower case, digits, `.` and `-`).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export type S3UriParse =
  | { readonly ok: true; readonly bucket: string; readonly key: string }
  | { readonly ok: false; readonly message: string };

/**
 * `s3://bucket/key`, the key taken literally (as the AWS CLI does, no percent-decoding). The key may not
 * contain `*` or `?`: the deployment grants s3:GetObject on exactly this object, and in an IAM resource
 * those characters are wildcards (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
 */
export const parseS3Uri = (uri: string): S3UriParse => {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) return { ok: false, message: 'must be s3://<bucket>/<key>' };
  const [, bucket = '', key = ''] = match;
  if (!BUCKET_NAME.test(bucket) || bucket.includes('..'))
    return { ok: false, message: `"${bucket}" is not a valid S3 bucket name` };
  if (key.endsWith('/')) return { ok: false, message: 'must name an object, not a folder (ends with "/")' };
  if (/[*?]/.test(key)) return { ok: false, message: 'the key may not contain "*" or "?" (IAM wildcards)' };
  if (Buffer.byteLength(key, 'utf8') > 1024) return { ok: false, message: 'the key is over 1024 bytes' };
  return { ok: true, bucket, key };
};

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The Jira site root: https (the token travels in the Authorization header), or http on loopback only
 * (tests, a local Jira). No query, fragment or user info; a context path (`/jira`) is fine.
 */
export const jiraBaseUrlProblem = (value: string): string | undefined => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an https:// URL';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname)))
    return 'must be an https:// URL (http only on 127.0.0.1/localhost)';
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '')
    return 'must be the site root, without query, fragment or credentials';
  if (/\/rest(\/|$)/.test(url.pathname)) return 'must be the site root, without /rest/api/...';
  return undefined;
};

const secretArn = z
  .string()
  .check(
    z.regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, 'must be a Secrets Manager ARN'),
  );

/** Unset and empty are the same thing in an environment (CDK and shells both produce ''). */
const optional = <T extends z.ZodMiniType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), z.optional(schema));

/** Fields merged into the promote configuration's zod object. */
export const integrationsEnvShape = {
  [E.keyringS3Uri]: optional(
    z.string().check(
      z.superRefine((value, context) => {
        const parsed = parseS3Uri(value);
        if (!parsed.ok) context.addIssue({ code: 'custom', message: parsed.message });
      }),
    ),
  ),
  [E.keyringSecretArn]: optional(secretArn),
  [E.jiraBaseUrl]: optional(
    z.string().check(
      z.superRefine((value, context) => {
        const problem = jiraBaseUrlProblem(value);
        if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
      }),
    ),
  ),
  [E.jiraSecretArn]: optional(secretArn),
};

type Env = Readonly<Record<string, string | undefined>>;
const isSet = (env: Env, name: string): boolean => (env[name] ?? '') !== '';

/** Pairs of variables: the keyring has one source (never two), Jira needs both its variables. */
export const integrationsCrossIssues = (env: Env): { variable: string; message: string }[] => {
  const issues: { variable: string; message: string }[] = [];
  if (isSet(env, E.keyringS3Uri) && isSet(env, E.keyringSecretArn))
    issues.push({
      variable: E.keyringS3Uri,
      message: `set either it or ${E.keyringSecretArn}, not both (one keyring source)`,
    });
  const url = isSet(env, E.jiraBaseUrl);
  const secret = isSet(env, E.jiraSecretArn);
  if (url && !secret)
    issues.push({ variable: E.jiraSecretArn, message: `required when ${E.jiraBaseUrl} is set` });
  if (secret && !url)
    issues.push({ variable: E.jiraBaseUrl, message: `required when ${E.jiraSecretArn} is set` });
  return issues;
};

/** From the validated values (cross checks passed) to the typed settings. */
export const integrationsFrom = (
  values: {
    readonly [name in (typeof E)[keyof typeof E]]?: string | undefined;
  },
): IntegrationsConfig => {
  const s3Uri = values[E.keyringS3Uri];
  const keyringSecret = values[E.keyringSecretArn];
  const s3 = s3Uri === undefined ? undefined : parseS3Uri(s3Uri);
  const keyring: KeyringLocation | undefined =
    s3?.ok === true
      ? { kind: 's3', bucket: s3.bucket, key: s3.key }
      : keyringSecret === undefined
        ? undefined
        : { kind: 'secret', secretArn: keyringSecret };
  const baseUrl = values[E.jiraBaseUrl];
  const jiraSecret = values[E.jiraSecretArn];
  return {
    ...(keyring === undefined ? {} : { keyring }),
    ...(baseUrl === undefined || jiraSecret === undefined
      ? {}
      : { jira: { baseUrl: baseUrl.replace(/\/+$/, ''), secretArn: jiraSecret } }),
  };
};
