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
} as const;

/** Refusals over every code: a log metric filter, since an alarm cannot SEARCH across dimensions. */
export const REFUSED_TOTAL_METRIC = 'ChartsRefusedTotal';

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

/** Derived metrics: the refusal total, counted from the EMF lines in the function's log group. */
export class PipelineMetrics extends Construct {
  readonly refusedTotal: Metric;

  constructor(scope: Construct, id: string, props: PipelineMetricsProps) {
    super(scope, id);
    const filter = new MetricFilter(this, 'RefusedTotal', {
      logGroup: props.logGroup,
      // EMF lines are plain JSON objects with the metric as a top-level key.
      filterPattern: FilterPattern.numberValue(`$.${PROMOTER_METRICS.refused}`, '>=', 1),
      metricNamespace: METRICS_NAMESPACE,
      metricName: REFUSED_TOTAL_METRIC,
      metricValue: `$.${PROMOTER_METRICS.refused}`,
    });
    this.refusedTotal = filter.metric({ statistic: 'Sum', period: Duration.minutes(15) });
  }
}
