import type { Logger } from '@aws-lambda-powertools/logger';
import { outcomeTags } from './outcome-tags';
import type { PipelineDependencies } from './pipeline-context';
import type { UploadOutcome } from './upload-outcome';

/** The log keys every line about one upload carries (queried in CloudWatch Logs Insights). */
export const runLogKeys = (outcome: UploadOutcome): Record<string, string | undefined> => ({
  runId: outcome.runId,
  chart: outcome.chart,
  version: outcome.version,
  environment: outcome.environment,
  s3Bucket: outcome.bucket,
  s3Key: outcome.key,
  s3VersionId: outcome.versionId,
  commit: outcome.commit,
});

const logOutcome = (logger: Logger, outcome: UploadOutcome): void => {
  const line = {
    ...runLogKeys(outcome),
    status: outcome.status,
    code: outcome.code,
    reason: outcome.message,
    path: outcome.path,
    // Only when intake found several: `code`/`reason`/`path` are the first (`runs` reads the rest).
    refusals: outcome.refusals,
    durationMs: outcome.durationMs,
  };
  switch (outcome.status) {
    case 'promoted':
    case 'unchanged':
    case 'superseded':
      logger.info(`${outcome.status} ${outcome.chart} ${outcome.version} in ${outcome.environment}`, line);
      return;
    case 'refused':
      logger.warn(`refused ${outcome.key}: ${outcome.code}`, line);
      return;
    case 'ignored':
      logger.info(`ignored ${outcome.key}: ${outcome.code}`, line);
      return;
    case 'retry':
      logger.error(`will retry ${outcome.key}: ${outcome.code}`, line);
      return;
  }
};

const emitMetrics = (deps: PipelineDependencies, outcome: UploadOutcome): void => {
  if (outcome.status === 'promoted') {
    deps.metrics.count('ChartsPromoted', 1);
    deps.metrics.milliseconds('PromotionDurationMs', outcome.durationMs);
  } else if (outcome.status === 'refused') {
    deps.metrics.count('ChartsRefused', 1, { code: outcome.code ?? 'UNKNOWN' });
  } else if (outcome.status === 'retry') {
    deps.metrics.count('UploadsRetried', 1);
  }
};

/**
 * Tags the object, writes the run's log line and metrics. A failed tag write is logged, not retried:
 * the commit (or the refusal in the log) is the truth, and a redelivery would find it unchanged.
 */
export const recordOutcome = async (deps: PipelineDependencies, outcome: UploadOutcome): Promise<void> => {
  const { logger } = deps;
  const tags = outcomeTags(outcome);
  if (tags) {
    try {
      await deps.store.tag(
        {
          bucket: outcome.bucket,
          key: outcome.key,
          ...(outcome.versionId ? { versionId: outcome.versionId } : {}),
        },
        tags,
      );
    } catch (error) {
      logger.warn('could not tag the uploaded object with its outcome', {
        ...runLogKeys(outcome),
        error: error as Error,
      });
    }
  }
  logOutcome(logger, outcome);
  emitMetrics(deps, outcome);
};
