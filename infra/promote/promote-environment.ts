import { PROMOTE_ENV } from '../../functions/config/promote-config';
import type { PipelineSettings } from '../pipeline/pipeline-props';

/** Metric namespace and service name the function's Powertools Metrics and Logger use. */
export const METRICS_NAMESPACE = 'ChartPromoter';
export const SERVICE_NAME = 'chart-promoter';

/** Resources whose names or ARNs the functions' environments carry (tokens at synth time). */
export interface EnvironmentRefs {
  readonly credentialsSecretArn: string;
  /** The intake queue: promotion commands not yet due are scheduled on it (soak). */
  readonly intakeQueueUrl: string;
}

/**
 * What every function that writes to the cluster repository reads (promote and feedback): the
 * repository, its credentials, the Flux source, the intake queue for scheduled commands, and
 * Powertools' own settings. Names are imported from the config module, so the two cannot drift.
 */
export const repositoryEnvironment = (
  settings: PipelineSettings,
  refs: EnvironmentRefs,
): Record<string, string> => {
  const E = PROMOTE_ENV;
  const env: Record<string, string> = {
    [E.repository]: settings.repository,
    [E.branch]: settings.branch,
    [E.gitHostKind]: settings.gitHostKind,
    [E.credentialsSecretArn]: refs.credentialsSecretArn,
    [E.targetEnvironment]: settings.targetEnvironment,
    [E.sourceRefName]: settings.fluxSourceName,
    [E.sourceRefNamespace]: settings.fluxSourceNamespace,
    [E.intakeQueueUrl]: refs.intakeQueueUrl,
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
  };
  if (settings.gitHostBaseUrl !== undefined) env[E.gitHostBaseUrl] = settings.gitHostBaseUrl;
  return env;
};

/**
 * The promote function's environment: the repository variables plus the upload ones (prefix, render
 * check, archive limits, provenance keyring) and the Jira notifier. The feedback function gets the
 * repository variables and the Jira ones (FeedbackEndpoint `jira`), not the upload ones.
 * helm gets its writable HELM_* folders from the helm adapter, which builds the child's environment.
 */
export const promoteEnvironment = (
  settings: PipelineSettings,
  refs: EnvironmentRefs,
): Record<string, string> => {
  const E = PROMOTE_ENV;
  const env: Record<string, string> = {
    ...repositoryEnvironment(settings, refs),
    [E.bucketPrefix]: settings.bucketPrefix,
    [E.helmRenderCheck]: String(settings.helmRenderCheck),
  };
  const limits = settings.intakeLimits;
  if (limits.maxArchiveBytes !== undefined) env[E.maxArchiveBytes] = String(limits.maxArchiveBytes);
  if (limits.maxDecompressedBytes !== undefined)
    env[E.maxDecompressedBytes] = String(limits.maxDecompressedBytes);
  if (limits.maxFileBytes !== undefined) env[E.maxFileBytes] = String(limits.maxFileBytes);
  if (limits.maxEntries !== undefined) env[E.maxEntries] = String(limits.maxEntries);
  const { provenance, jira } = settings;
  if (provenance?.keyringS3Uri !== undefined) env[E.keyringS3Uri] = provenance.keyringS3Uri;
  if (provenance?.keyringSecretArn !== undefined) env[E.keyringSecretArn] = provenance.keyringSecretArn;
  if (jira !== undefined) {
    env[E.jiraBaseUrl] = jira.baseUrl;
    env[E.jiraSecretArn] = jira.secretArn;
  }
  return env;
};
