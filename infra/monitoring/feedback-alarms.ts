import { Duration } from 'aws-cdk-lib';
import type { Alarm, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { notifyingAlarm } from './notifying-alarm';
import { emfTotal, PROMOTER_METRICS, RELEASE_FAILED_TOTAL_METRIC } from './pipeline-metrics';

export interface FeedbackAlarmsProps {
  readonly function: IFunction;
  readonly logGroup: ILogGroup;
  readonly topic: ITopic;
}

/**
 * The feedback side's alarms: a release failed in the cluster (Flux reported it; with autoRollback a
 * rollback commit is already on its way, without it a human decides), and the feedback function
 * crashing (Flux's events are then lost after its retries: convergence goes unrecorded).
 */
export class FeedbackAlarms extends Construct {
  /** Release failures over every environment (ReleaseFailed carries an environment dimension). */
  readonly releaseFailedTotal: Metric;
  readonly releaseFailed: Alarm;
  readonly functionErrors: Alarm;

  constructor(scope: Construct, id: string, props: FeedbackAlarmsProps) {
    super(scope, id);
    const fiveMinutes = Duration.minutes(5);
    this.releaseFailedTotal = emfTotal(this, 'ReleaseFailedTotal', {
      logGroup: props.logGroup,
      source: PROMOTER_METRICS.releaseFailed,
      total: RELEASE_FAILED_TOTAL_METRIC,
      period: fiveMinutes,
    });
    this.releaseFailed = notifyingAlarm(this, 'ReleaseFailed', {
      metric: this.releaseFailedTotal,
      threshold: 1,
      topic: props.topic,
      description:
        'Flux reported a failed install, upgrade or test of a promoted chart: see the feedback logs ' +
        '(environment, chart, version, run id); with autoRollback the previous version is being restored.',
    });
    this.functionErrors = notifyingAlarm(this, 'FunctionErrors', {
      metric: props.function.metricErrors({ statistic: 'Sum', period: fiveMinutes }),
      threshold: 1,
      topic: props.topic,
      description:
        'The feedback function crashed: Flux events may go unrecorded once Flux stops retrying (refused ' +
        'signatures are answers, not errors).',
    });
  }

  get all(): Alarm[] {
    return [this.releaseFailed, this.functionErrors];
  }
}
