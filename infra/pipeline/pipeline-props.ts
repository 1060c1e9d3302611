import { Duration } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { DEFAULT_GIT_HOST_KIND, type GitHostKind } from '../../functions/adapters/git-hosts/registry';
import type { AlarmDestination } from '../monitoring/alarm-destination';

/** The Git host API the functions talk to: one of the registered kinds (functions/adapters/git-hosts). */
export type { GitHostKind } from '../../functions/adapters/git-hosts/registry';

/** Archive limits passed to the function; each absent field keeps the function's own default. */
export interface IntakeLimitsProps {
  /** Largest compressed archive accepted. @default the function's default (DEFAULT_INTAKE_LIMITS) */
  readonly maxArchiveBytes?: number;
  /** Largest decompressed chart. @default the function's default (Helm's loader: 100 MiB) */
  readonly maxDecompressedBytes?: number;
  /** Largest single file. @default the function's default (Helm's loader: 5 MiB) */
  readonly maxFileBytes?: number;
  /** Most entries in one archive. @default the function's default */
  readonly maxEntries?: number;
}

/** The feedback endpoint Flux's notification-controller calls (see infra/feedback/feedback-endpoint.ts). */
export interface FeedbackProps {
  /** Deploy the feedback function and its URL. @default true */
  readonly enabled?: boolean;
  /**
   * Complete ARN (with the six-character suffix) of an existing secret holding the generic-hmac key:
   * the token itself as SecretString, or JSON `{"token": "…"}`.
   * @default - a new secret with a generated 48-character alphanumeric key
   */
  readonly webhookSecretArn?: string;
  /** Events older than this are refused as stale (replay protection), 60–3600. @default 900 */
  readonly maxEventAgeSeconds?: number;
  /**
   * Reserved concurrency of the feedback function: a cap, so a flood on the public URL cannot use
   * the account's concurrency (Flux retries throttled deliveries), 1–100. Reserving needs unreserved
   * account concurrency left above AWS's minimum of 10 (new accounts may have a quota of 10 in all).
   * @default 5
   */
  readonly reservedConcurrency?: number;
}

/**
 * Where the public keys allowed to sign charts live, for policies with `requireProvenance: true`. Give
 * exactly one source; the promote function may read that one object or secret and nothing else.
 * The keyring is ASCII-armored (`gpg --armor --export KEYID... > keyring.asc`).
 */
export interface ProvenanceProps {
  /**
   * The keyring as one S3 object, `s3://bucket/key` (no `*` or `?` in the key). A bucket encrypted
   * with a customer-managed KMS key also needs kms:Decrypt, which is not granted here.
   * @default - no S3 keyring
   */
  readonly keyringS3Uri?: string;
  /**
   * Complete ARN (with the six-character suffix) of a secret whose SecretString is the armored
   * keyring, or JSON `{"publicKeys": "…"}`.
   * @default - no Secrets Manager keyring
   */
  readonly keyringSecretArn?: string;
}

/** Jira comments when a chart carrying issue keys reaches an environment (REST API v2). */
export interface JiraProps {
  /** Site root: `https://example.atlassian.net` or `https://jira.example.com[/context]`. */
  readonly baseUrl: string;
  /**
   * Complete ARN of the secret holding the token: a bare personal access token (Bearer), JSON
   * `{"token": "…"}`, or `{"email": "…", "token": "…"}` (Jira Cloud API token, Basic auth).
   */
  readonly secretArn: string;
}

/** Props of {@link ChartPromotionPipeline}. Validated at synth time: a bad value fails `cdk synth`. */
export interface ChartPromotionPipelineProps {
  /**
   * The cluster repository, in the syntax of the Git host (its descriptor's `repositoryFormat`; the
   * README's "Git hosts" section lists each).
   */
  readonly repository: string;
  /** Branch Flux watches and the pipeline commits to. @default 'main' */
  readonly branch?: string;
  /** Which Git host API to use (GIT_HOSTS in functions/adapters/git-hosts/registry.ts). @default 'github' */
  readonly gitHostKind?: GitHostKind;
  /**
   * Where a self-managed install answers, for hosts that take one (GitHub Enterprise Server's API root
   * `https://ghe.example.com/api/v3`; a self-managed GitLab's instance root `https://gitlab.example.com`).
   * @default - the host's own (its descriptor's `defaultBaseUrl`)
   */
  readonly gitHostBaseUrl?: string;
  /**
   * Secret holding the Git host credentials (what each host accepts: README "Git hosts"). The function
   * may only read it.
   * @default - a new, empty secret to fill in after the first deploy
   */
  readonly credentialsSecret?: ISecret;
  /** Environment a fresh upload is promoted to (an RFC 1123 label). @default 'dev' */
  readonly targetEnvironment?: string;
  /** Key prefix of chart uploads: '' for the whole bucket, else ends with '/'. @default 'incoming/' */
  readonly bucketPrefix?: string;
  /** Name of the Flux GitRepository HelmReleases take their chart from. @default 'flux-system' */
  readonly fluxSourceName?: string;
  /** Namespace of that GitRepository. @default 'flux-system' */
  readonly fluxSourceNamespace?: string;
  /** Run `helm template` before committing. @default true */
  readonly helmRenderCheck?: boolean;
  /** Archive limits. @default - the function's defaults */
  readonly intakeLimits?: IntakeLimitsProps;
  /** Where alarms go. @default AlarmDestinations.newTopic() (a new encrypted topic, no subscription) */
  readonly alarmDestination?: AlarmDestination;
  /** Retention of the function's log group. @default RetentionDays.THREE_MONTHS */
  readonly logRetention?: RetentionDays;
  /** Memory of the promote function; helm and tar need room. @default 1024 */
  readonly memorySize?: number;
  /** Timeout of the promote function (at most 15 minutes). @default Duration.minutes(3) */
  readonly functionTimeout?: Duration;
  /** Messages per invocation (1–10000; above 10 needs a batching window). @default 10 */
  readonly batchSize?: number;
  /**
   * How long SQS gathers messages before invoking, so simultaneous uploads become one commit (≤ 5 min).
   * @default Duration.seconds(20)
   */
  readonly maxBatchingWindow?: Duration;
  /** Most concurrent invocations from the queue: few writers, few commit conflicts (2–1000). @default 2 */
  readonly maxConcurrency?: number;
  /**
   * Visibility timeout of the intake queue; at least 6× the function timeout (AWS's advice for SQS
   * event sources: https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html).
   * @default - 6 × functionTimeout + maxBatchingWindow
   */
  readonly queueVisibilityTimeout?: Duration;
  /** Receives before a message moves to the dead-letter queue (1–1000). @default 5 */
  readonly maxReceiveCount?: number;
  /** How long the EventBridge archive keeps upload events for replay. @default Duration.days(90) */
  readonly archiveRetention?: Duration;
  /** Alarm when the oldest queued upload is older than this. @default Duration.minutes(15) */
  readonly oldestMessageAgeThreshold?: Duration;
  /** Alarm when at least this many charts are refused within 15 minutes. @default 5 */
  readonly refusalAlarmThreshold?: number;
  /** Convergence feedback from Flux (progressive promotion). @default - enabled, with a new secret */
  readonly feedback?: FeedbackProps;
  /**
   * The provenance keyring. Without one, a policy with `requireProvenance: true` holds its uploads
   * in the queue (PROVENANCE_UNCONFIGURED, retried, then dead-lettered).
   * @default - no keyring
   */
  readonly provenance?: ProvenanceProps;
  /** Jira comments on promotions. @default - none (issue keys still go into commit trailers) */
  readonly jira?: JiraProps;
}

/** {@link FeedbackProps} with defaults applied. */
export interface FeedbackEndpointSettings {
  readonly enabled: boolean;
  readonly webhookSecretArn: string | undefined;
  readonly maxEventAgeSeconds: number;
  readonly reservedConcurrency: number;
}

/** The props with every default applied: what the constructs build from. */
export interface PipelineSettings {
  readonly repository: string;
  readonly branch: string;
  readonly gitHostKind: GitHostKind;
  readonly gitHostBaseUrl: string | undefined;
  readonly targetEnvironment: string;
  readonly bucketPrefix: string;
  readonly fluxSourceName: string;
  readonly fluxSourceNamespace: string;
  readonly helmRenderCheck: boolean;
  readonly intakeLimits: IntakeLimitsProps;
  readonly logRetention: RetentionDays;
  readonly memorySize: number;
  readonly functionTimeout: Duration;
  readonly batchSize: number;
  readonly maxBatchingWindow: Duration;
  readonly maxConcurrency: number;
  readonly queueVisibilityTimeout: Duration;
  readonly maxReceiveCount: number;
  readonly archiveRetention: Duration;
  readonly oldestMessageAgeThreshold: Duration;
  readonly refusalAlarmThreshold: number;
  readonly feedback: FeedbackEndpointSettings;
  readonly provenance: ProvenanceProps | undefined;
  readonly jira: JiraProps | undefined;
}

export const PIPELINE_DEFAULTS = {
  branch: 'main',
  gitHostKind: DEFAULT_GIT_HOST_KIND,
  targetEnvironment: 'dev',
  bucketPrefix: 'incoming/',
  fluxSourceName: 'flux-system',
  fluxSourceNamespace: 'flux-system',
  logRetention: RetentionDays.THREE_MONTHS,
  memorySize: 1024,
  functionTimeoutSeconds: 180,
  batchSize: 10,
  maxBatchingWindowSeconds: 20,
  maxConcurrency: 2,
  maxReceiveCount: 5,
  archiveRetentionDays: 90,
  oldestMessageAgeMinutes: 15,
  refusalAlarmThreshold: 5,
  maxEventAgeSeconds: 900,
  feedbackReservedConcurrency: 5,
} as const;

/** Applies the documented defaults; {@link validatePipelineSettings} checks the result. */
export const resolvePipelineSettings = (props: ChartPromotionPipelineProps): PipelineSettings => {
  const d = PIPELINE_DEFAULTS;
  const functionTimeout = props.functionTimeout ?? Duration.seconds(d.functionTimeoutSeconds);
  const maxBatchingWindow = props.maxBatchingWindow ?? Duration.seconds(d.maxBatchingWindowSeconds);
  return {
    repository: props.repository,
    branch: props.branch ?? d.branch,
    gitHostKind: props.gitHostKind ?? d.gitHostKind,
    gitHostBaseUrl: props.gitHostBaseUrl,
    targetEnvironment: props.targetEnvironment ?? d.targetEnvironment,
    bucketPrefix: props.bucketPrefix ?? d.bucketPrefix,
    fluxSourceName: props.fluxSourceName ?? d.fluxSourceName,
    fluxSourceNamespace: props.fluxSourceNamespace ?? d.fluxSourceNamespace,
    helmRenderCheck: props.helmRenderCheck ?? true,
    intakeLimits: props.intakeLimits ?? {},
    logRetention: props.logRetention ?? d.logRetention,
    memorySize: props.memorySize ?? d.memorySize,
    functionTimeout,
    batchSize: props.batchSize ?? d.batchSize,
    maxBatchingWindow,
    maxConcurrency: props.maxConcurrency ?? d.maxConcurrency,
    queueVisibilityTimeout:
      props.queueVisibilityTimeout ??
      Duration.seconds(6 * functionTimeout.toSeconds() + maxBatchingWindow.toSeconds()),
    maxReceiveCount: props.maxReceiveCount ?? d.maxReceiveCount,
    archiveRetention: props.archiveRetention ?? Duration.days(d.archiveRetentionDays),
    oldestMessageAgeThreshold: props.oldestMessageAgeThreshold ?? Duration.minutes(d.oldestMessageAgeMinutes),
    refusalAlarmThreshold: props.refusalAlarmThreshold ?? d.refusalAlarmThreshold,
    feedback: {
      enabled: props.feedback?.enabled ?? true,
      webhookSecretArn: props.feedback?.webhookSecretArn,
      maxEventAgeSeconds: props.feedback?.maxEventAgeSeconds ?? d.maxEventAgeSeconds,
      reservedConcurrency: props.feedback?.reservedConcurrency ?? d.feedbackReservedConcurrency,
    },
    provenance: props.provenance,
    jira: props.jira,
  };
};
