import { Duration } from 'aws-cdk-lib';
import type { Alarm, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { notifyingAlarm } from './notifying-alarm';
import { emfTotal, PROMOTER_METRICS, RELEASE_FAILED_TOTAL_METRIC } from './pipeline-metrics';

export interface FeedbackAlarmsProps {
  /** The endpoint (function URL). */
  readonly function: IFunction;
  /** The worker, and its log group (ReleaseFailed is emitted there). */
  readonly worker: IFunction;
  readonly logGroup: ILogGroup;
  /** The feedback queue's dead-letter queue. */
  readonly deadLetterQueue: IQueue;
  readonly topic: ITopic;
}

/**
 * The feedback side's alarms: a release failed in the cluster (Flux reported it; with autoRollback a
 * rollback commit is already on its way, without it a human decides); the endpoint crashing (Flux's
 * events are then lost after its retries); the worker crashing; and a Flux event in the feedback
 * dead-letter queue (it failed every retry: its promotion or rollback did not happen).
 */
export class FeedbackAlarms extends Construct {
  /** Release failures over every environment (ReleaseFailed carries an environment dimension). */
  readonly releaseFailedTotal: Metric;
  readonly releaseFailed: Alarm;
  readonly functionErrors: Alarm;
  readonly workerErrors: Alarm;
  readonly deadLetters: Alarm;

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
        'The feedback endpoint crashed: Flux events may go unrecorded once Flux stops retrying (refused ' +
        'signatures are answers, not errors).',
    });
    this.workerErrors = notifyingAlarm(this, 'WorkerErrors', {
      metric: props.worker.metricErrors({ statistic: 'Sum', period: fiveMinutes }),
      threshold: 1,
      topic: props.topic,
      description:
        'The feedback worker crashed: its batch comes back from the feedback queue (failed events are ' +
        'reported per record, so a crash is a bug or a timeout): see the worker logs.',
    });
    this.deadLetters = notifyingAlarm(this, 'DeadLetters', {
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        statistic: 'Maximum',
        period: fiveMinutes,
      }),
      threshold: 1,
      topic: props.topic,
      description:
        'A Flux event failed every retry and waits in the feedback dead-letter queue: its promotion or ' +
        'rollback did not happen. Read the reason in the worker logs (message id), fix it, then redrive ' +
        '(README: Flux events in the dead-letter queue).',
    });
  }

  get all(): Alarm[] {
    return [this.releaseFailed, this.functionErrors, this.workerErrors, this.deadLetters];
  }
}
