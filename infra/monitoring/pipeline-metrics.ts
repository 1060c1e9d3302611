import { Duration } from 'aws-cdk-lib';
import { MathExpression, type Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { FilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../promote/promote-environment';

/** EMF metrics the promote function emits (Powertools Metrics adds a `service` dimension to each). */
export const PROMOTER_METRICS = {
  promoted: 'ChartsPromoted',
  /** With a `code` dimension: the refusal code. */
  refused: 'ChartsRefused',
  durationMs: 'PromotionDurationMs',
  gitHostRequests: 'GitHostRequests',
  conflictsRetried: 'CommitConflictsRetried',
  // Progressive promotion: the feedback function (and rollback commands) emit these.
  /** Lead time from upload to a converged release (ms). */
  uploadToReadyMs: 'UploadToReadyMs',
  /** With an `environment` dimension. */
  releaseConverged: 'ReleaseConverged',
  /** With an `environment` dimension: a Flux install/upgrade/test failure or remediation exhausted. */
  releaseFailed: 'ReleaseFailed',
  rollbacksCommitted: 'RollbacksCommitted',
  /** With a `reason` dimension: signature, freshness, replay or body refusals. */
  feedbackRejected: 'FeedbackRejected',
  /** With an `environment` dimension: the deadline sweep found a release past its convergeWithin. */
  releaseNotConverged: 'ReleaseNotConverged',
} as const;

/** Refusals over every code: a log metric filter, since an alarm cannot SEARCH across dimensions. */
export const REFUSED_TOTAL_METRIC = 'ChartsRefusedTotal';

/** Releases past their convergence deadline, over every environment (the sweep's EMF lines). */
export const RELEASE_NOT_CONVERGED_TOTAL_METRIC = 'ReleaseNotConvergedTotal';

/** Release failures over every environment, counted from the feedback function's EMF lines. */
export const RELEASE_FAILED_TOTAL_METRIC = 'ReleaseFailedTotal';

/**
 * Every series of one metric, whatever its dimensions (service, code, …): a SEARCH expression, for graphs.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/search-expression-syntax.html
 */
export const searchMetric = (metricName: string, statistic: string, label?: string): MathExpression =>
  new MathExpression({
    expression: `SEARCH('Namespace="${METRICS_NAMESPACE}" MetricName="${metricName}"', '${statistic}', 300)`,
    ...(label === undefined ? {} : { label }),
    period: Duration.minutes(5),
  });

export interface PipelineMetricsProps {
  readonly logGroup: ILogGroup;
}

/**
 * A metric summed over all its dimensions, for alarms (which cannot SEARCH): a log metric filter on
 * the EMF lines, which are plain JSON objects with the metric as a top-level key.
 */
export const emfTotal = (
  scope: Construct,
  id: string,
  options: { logGroup: ILogGroup; source: string; total: string; period: Duration },
): Metric =>
  new MetricFilter(scope, id, {
    logGroup: options.logGroup,
    filterPattern: FilterPattern.numberValue(`$.${options.source}`, '>=', 1),
    metricNamespace: METRICS_NAMESPACE,
    metricName: options.total,
    metricValue: `$.${options.source}`,
  }).metric({ statistic: 'Sum', period: options.period });

/** Derived metrics: the refusal total, counted from the EMF lines in the function's log group. */
export class PipelineMetrics extends Construct {
  readonly refusedTotal: Metric;

  constructor(scope: Construct, id: string, props: PipelineMetricsProps) {
    super(scope, id);
    this.refusedTotal = emfTotal(this, 'RefusedTotal', {
      logGroup: props.logGroup,
      source: PROMOTER_METRICS.refused,
      total: REFUSED_TOTAL_METRIC,
      period: Duration.minutes(15),
    });
  }
}
