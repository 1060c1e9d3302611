import { PROMOTE_ENV } from '../../functions/config/promote-config';
import type { PipelineSettings } from '../pipeline/pipeline-props';

/** Metric namespace and service name the function's Powertools Metrics and Logger use. */
export const METRICS_NAMESPACE = 'ChartPromoter';
export const SERVICE_NAME = 'chart-promoter';

/**
 * The promote function's environment: the CHART_PROMOTER_* variables its config module parses
 * (names imported from it, so the two cannot drift), plus Powertools' own settings. helm gets its
 * writable HELM_* folders from the helm adapter, which builds the child's environment itself.
 */
export const promoteEnvironment = (
  settings: PipelineSettings,
  credentialsSecretArn: string,
): Record<string, string> => {
  const E = PROMOTE_ENV;
  const env: Record<string, string> = {
    [E.repository]: settings.repository,
    [E.branch]: settings.branch,
    [E.gitHostKind]: settings.gitHostKind,
    [E.credentialsSecretArn]: credentialsSecretArn,
    [E.bucketPrefix]: settings.bucketPrefix,
    [E.targetEnvironment]: settings.targetEnvironment,
    [E.helmRenderCheck]: String(settings.helmRenderCheck),
    [E.sourceRefName]: settings.fluxSourceName,
    [E.sourceRefNamespace]: settings.fluxSourceNamespace,
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    NODE_OPTIONS: '--enable-source-maps',
  };
  if (settings.gitHostBaseUrl !== undefined) env[E.gitHostBaseUrl] = settings.gitHostBaseUrl;
  const limits = settings.intakeLimits;
  if (limits.maxArchiveBytes !== undefined) env[E.maxArchiveBytes] = String(limits.maxArchiveBytes);
  if (limits.maxDecompressedBytes !== undefined)
    env[E.maxDecompressedBytes] = String(limits.maxDecompressedBytes);
  if (limits.maxFileBytes !== undefined) env[E.maxFileBytes] = String(limits.maxFileBytes);
  if (limits.maxEntries !== undefined) env[E.maxEntries] = String(limits.maxEntries);
  return env;
};
