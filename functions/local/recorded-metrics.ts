import type { PipelineMetricName, PipelineMetrics } from '../ports/pipeline-metrics';

export interface RecordedMetric {
  readonly name: PipelineMetricName;
  readonly value: number;
  readonly unit: 'Count' | 'Milliseconds';
  readonly dimensions?: Readonly<Record<string, string>>;
}

/** Metrics kept in memory: the local runtime prints them, tests assert on them. */
export class RecordedMetrics implements PipelineMetrics {
  readonly recorded: RecordedMetric[] = [];

  count(name: PipelineMetricName, value: number, dimensions?: Readonly<Record<string, string>>): void {
    this.recorded.push({ name, value, unit: 'Count', ...(dimensions ? { dimensions } : {}) });
  }

  milliseconds(name: PipelineMetricName, value: number): void {
    this.recorded.push({ name, value, unit: 'Milliseconds' });
  }

  total(name: PipelineMetricName): number {
    return this.recorded
      .filter((metric) => metric.name === name)
      .reduce((sum, metric) => sum + metric.value, 0);
  }
}
