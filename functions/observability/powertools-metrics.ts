import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { PipelineMetricName, PipelineMetrics } from '../ports/pipeline-metrics';

/**
 * PipelineMetrics as CloudWatch embedded metric format through Powertools. A metric with its own
 * dimensions (ChartsRefused by code) goes out as a single-metric document so the dimension does not
 * apply to the rest of the batch's metrics.
 * https://docs.powertools.aws.dev/lambda/typescript/latest/features/metrics/#single-metric
 */
export const powertoolsMetrics = (metrics: Metrics): PipelineMetrics => ({
  count(name: PipelineMetricName, value: number, dimensions?: Readonly<Record<string, string>>): void {
    if (!dimensions || Object.keys(dimensions).length === 0) {
      metrics.addMetric(name, MetricUnit.Count, value);
      return;
    }
    const single = metrics.singleMetric();
    for (const [key, dimension] of Object.entries(dimensions)) single.addDimension(key, dimension);
    single.addMetric(name, MetricUnit.Count, value);
  },
  milliseconds(name: PipelineMetricName, value: number): void {
    metrics.addMetric(name, MetricUnit.Milliseconds, value);
  },
});
