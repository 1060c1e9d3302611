import { type Duration, Token } from 'aws-cdk-lib';
import {
  baseUrlProblems,
  gitHostDescriptor,
  gitHostKindList,
  isGitHostKind,
} from '../../functions/adapters/git-hosts/registry';
import { jiraBaseUrlProblem, parseS3Uri } from '../../functions/config/integrations-config';
import { splitS3Uri } from '../promote/integration-access';
import type { PipelineSettings } from './pipeline-props';

/** Thrown at synth time when props are invalid; lists every problem at once, by prop name. */
export class PipelinePropsError extends Error {
  override readonly name = 'PipelinePropsError';
  constructor(readonly issues: readonly string[]) {
    super(`Invalid ChartPromotionPipeline props:\n  - ${issues.join('\n  - ')}`);
  }
}

/** Common subset of `git check-ref-format`: no spaces, `..`, `~^:?*[\`, `@{`, no trailing `/`, `.lock`. */
const BRANCH = /^(?!\/|-|.*\/\/|.*\.\.|.*@\{|.*\.lock$|.*\/$|.*\.$)[^\s~^:?*[\\\x00-\x1f\x7f]+$/;
/** RFC 1123 label: what Kubernetes and Flux accept as names and namespaces. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/**
 * Plain path segments only: the prefix goes into an EventBridge wildcard pattern (where `*` and `\`
 * are special) and S3 sends keys URL-encoded, so anything beyond these characters would never match.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-wildcard-matching
 */
const KEY_PREFIX = /^([A-Za-z0-9._-]+\/)*$/;

const isHttpsUrl = (value: string): boolean => {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
};

type Check = (issues: string[]) => void;

const known = (value: unknown): boolean => !Token.isUnresolved(value);

const intInRange =
  (name: string, value: number, min: number, max: number, unit = ''): Check =>
  (issues) => {
    if (known(value) && !(Number.isInteger(value) && value >= min && value <= max))
      issues.push(`${name}: must be a whole number from ${min} to ${max}${unit} (got ${value})`);
  };

const secondsInRange =
  (name: string, value: Duration, min: number, max: number): Check =>
  (issues) => {
    if (value.isUnresolved()) return;
    const seconds = value.toSeconds({ integral: false });
    if (!Number.isInteger(seconds) || seconds < min || seconds > max)
      issues.push(`${name}: must be whole seconds from ${min} s to ${max} s (got ${value.toHumanString()})`);
  };

const matches =
  (name: string, value: string, pattern: RegExp, what: string): Check =>
  (issues) => {
    if (known(value) && !pattern.test(value)) issues.push(`${name}: ${what} (got ${JSON.stringify(value)})`);
  };

/** The repository syntax and base URL are the Git host's own (its descriptor in the registry). */
const repositoryChecks = (s: PipelineSettings): Check[] => {
  if (!isGitHostKind(s.gitHostKind))
    return [
      (issues) =>
        issues.push(`gitHostKind: must be ${gitHostKindList()} (got ${JSON.stringify(s.gitHostKind)})`),
      matches('branch', s.branch, BRANCH, 'not a valid git branch name'),
    ];
  const host = gitHostDescriptor(s.gitHostKind);
  return [
    (issues) => {
      if (!known(s.repository)) return;
      for (const problem of host.repositoryProblems(s.repository, { deployed: true }))
        issues.push(
          `repository: ${problem} for gitHostKind ${host.kind} (got ${JSON.stringify(s.repository)})`,
        );
    },
    (issues) => {
      const url = s.gitHostBaseUrl;
      if (url === undefined || !known(url)) return;
      if (!host.customBaseUrl) issues.push(`gitHostBaseUrl: does not apply to gitHostKind ${host.kind}`);
      else if (!isHttpsUrl(url))
        issues.push(`gitHostBaseUrl: must be an https:// URL (got ${JSON.stringify(url)})`);
      else
        for (const problem of baseUrlProblems(host, url))
          issues.push(`gitHostBaseUrl: ${problem} for gitHostKind ${host.kind} (got ${JSON.stringify(url)})`);
    },
    matches('branch', s.branch, BRANCH, 'not a valid git branch name'),
  ];
};

const namingChecks = (s: PipelineSettings): Check[] => [
  matches('targetEnvironment', s.targetEnvironment, DNS_LABEL, 'must be a lower-case RFC 1123 label'),
  matches('fluxSourceName', s.fluxSourceName, DNS_LABEL, 'must be a lower-case RFC 1123 label'),
  matches('fluxSourceNamespace', s.fluxSourceNamespace, DNS_LABEL, 'must be a lower-case RFC 1123 label'),
  matches(
    'bucketPrefix',
    s.bucketPrefix,
    KEY_PREFIX,
    'must be "" or path segments of [A-Za-z0-9._-] each ending with "/" (e.g. "incoming/")',
  ),
];

const runtimeChecks = (s: PipelineSettings): Check[] => [
  intInRange('memorySize', s.memorySize, 128, 10_240, ' MB'),
  secondsInRange('functionTimeout', s.functionTimeout, 1, 900),
  intInRange('batchSize', s.batchSize, 1, 10_000),
  secondsInRange('maxBatchingWindow', s.maxBatchingWindow, 0, 300),
  (issues) => {
    // https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html (batch size above 10)
    if (known(s.batchSize) && s.batchSize > 10 && !s.maxBatchingWindow.isUnresolved())
      if (s.maxBatchingWindow.toSeconds({ integral: false }) < 1)
        issues.push('batchSize: above 10 needs maxBatchingWindow of at least 1 second');
  },
  intInRange('maxConcurrency', s.maxConcurrency, 2, 1000),
  secondsInRange('queueVisibilityTimeout', s.queueVisibilityTimeout, 0, 43_200),
  (issues) => {
    if (s.queueVisibilityTimeout.isUnresolved() || s.functionTimeout.isUnresolved()) return;
    const minimum = 6 * s.functionTimeout.toSeconds({ integral: false });
    const visibility = s.queueVisibilityTimeout.toSeconds({ integral: false });
    if (visibility < minimum)
      issues.push(
        `queueVisibilityTimeout: must be at least 6 × functionTimeout = ${minimum} s (got ${visibility} s), ` +
          'or messages reappear while a slow batch is still running',
      );
  },
  intInRange('maxReceiveCount', s.maxReceiveCount, 1, 1000),
];

const monitoringChecks = (s: PipelineSettings): Check[] => [
  secondsInRange('archiveRetention', s.archiveRetention, 86_400, 86_400 * 3650),
  (issues) => {
    if (!s.archiveRetention.isUnresolved() && s.archiveRetention.toSeconds() % 86_400 !== 0)
      issues.push('archiveRetention: must be whole days');
  },
  secondsInRange('oldestMessageAgeThreshold', s.oldestMessageAgeThreshold, 60, 1_209_600),
  intInRange('refusalAlarmThreshold', s.refusalAlarmThreshold, 1, 1_000_000),
  ...Object.entries(s.intakeLimits).map(([key, value]) =>
    intInRange(`intakeLimits.${key}`, value as number, 1, Number.MAX_SAFE_INTEGER),
  ),
];

/** A complete secret ARN: the name is followed by `-` and the six random characters Secrets Manager adds. */
const COMPLETE_SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/;

const completeSecretArn =
  (name: string, arn: string | undefined): Check =>
  (issues) => {
    if (arn !== undefined && known(arn) && !COMPLETE_SECRET_ARN.test(arn))
      issues.push(
        `${name}: must be the complete ARN of a Secrets Manager secret, ending with the six-character ` +
          `suffix (got ${JSON.stringify(arn)})`,
      );
  };

const feedbackChecks = (s: PipelineSettings): Check[] => {
  const f = s.feedback;
  if (!f.enabled) return [];
  return [
    intInRange('feedback.maxEventAgeSeconds', f.maxEventAgeSeconds, 60, 3600),
    intInRange('feedback.reservedConcurrency', f.reservedConcurrency, 1, 100),
    completeSecretArn('feedback.webhookSecretArn', f.webhookSecretArn),
  ];
};

/** The same rules the function's config applies (integrations-config.ts), caught at synth instead. */
const integrationChecks = (s: PipelineSettings): Check[] => {
  const checks: Check[] = [];
  const p = s.provenance;
  if (p !== undefined) {
    checks.push((issues) => {
      const given = [p.keyringS3Uri, p.keyringSecretArn].filter((v) => v !== undefined).length;
      if (given !== 1)
        issues.push(`provenance: give exactly one of keyringS3Uri and keyringSecretArn (got ${given})`);
      const uri = p.keyringS3Uri;
      if (uri === undefined) return;
      // `s3://${bucket.bucketName}/keyring.asc`: the bucket is a token, only the shape can be checked.
      if (!known(uri)) {
        if (splitS3Uri(uri) === undefined)
          issues.push(
            'provenance.keyringS3Uri: must be s3://<bucket>/<key> (a token may stand for the bucket)',
          );
        return;
      }
      const parsed = parseS3Uri(uri);
      if (!parsed.ok) issues.push(`provenance.keyringS3Uri: ${parsed.message} (got ${JSON.stringify(uri)})`);
    });
    checks.push(completeSecretArn('provenance.keyringSecretArn', p.keyringSecretArn));
  }
  const j = s.jira;
  if (j !== undefined) {
    checks.push((issues) => {
      if (!known(j.baseUrl)) return;
      const problem = jiraBaseUrlProblem(j.baseUrl);
      // Deployed, the token must only ever travel over TLS (loopback http is for local runs).
      const secure = problem === undefined && new URL(j.baseUrl).protocol === 'https:';
      if (!secure)
        issues.push(
          `jira.baseUrl: ${problem ?? 'must be an https:// URL'} (got ${JSON.stringify(j.baseUrl)})`,
        );
    });
    checks.push(completeSecretArn('jira.secretArn', j.secretArn));
  }
  return checks;
};

/** Throws a {@link PipelinePropsError} naming every invalid prop; unresolved tokens are not checked. */
export const validatePipelineSettings = (settings: PipelineSettings): void => {
  const issues: string[] = [];
  for (const check of [
    ...repositoryChecks(settings),
    ...namingChecks(settings),
    ...runtimeChecks(settings),
    ...monitoringChecks(settings),
    ...feedbackChecks(settings),
    ...integrationChecks(settings),
  ])
    check(issues);
  if (issues.length > 0) throw new PipelinePropsError(issues);
};
