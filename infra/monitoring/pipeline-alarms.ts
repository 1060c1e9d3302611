import { Duration } from 'aws-cdk-lib';
import type { Alarm, IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { notifyingAlarm } from './notifying-alarm';

export interface PipelineAlarmsProps {
  readonly function: IFunction;
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
  /** Refusals summed over every code (see PipelineMetrics). */
  readonly refusedTotal: IMetric;
  readonly topic: ITopic;
  readonly oldestMessageAgeThreshold: Duration;
  readonly refusalAlarmThreshold: number;
}

/**
 * The alarms that page someone. Each notifies the topic on ALARM and on OK, so an Opsgenie-style
 * integration closes the alert it opened. Missing data is "fine": an idle pipeline emits nothing.
 */
export class PipelineAlarms extends Construct {
  readonly deadLetters: Alarm;
  readonly oldestMessageAge: Alarm;
  readonly functionErrors: Alarm;
  readonly functionThrottles: Alarm;
  readonly refusalSpike: Alarm;

  constructor(scope: Construct, id: string, props: PipelineAlarmsProps) {
    super(scope, id);
    const fiveMinutes = Duration.minutes(5);
    const alarm = (name: string, metric: IMetric, threshold: number, description: string): Alarm =>
      notifyingAlarm(this, name, { metric, threshold, description, topic: props.topic });

    this.deadLetters = alarm(
      'DeadLetters',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        statistic: 'Maximum',
        period: fiveMinutes,
      }),
      1,
      'Uploads failed every retry and wait in the dead-letter queue: read the reason in the logs, then redrive.',
    );
    this.oldestMessageAge = alarm(
      'OldestMessageAge',
      props.queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: fiveMinutes }),
      props.oldestMessageAgeThreshold.toSeconds(),
      'Uploads wait too long in the intake queue: the promote function is failing, throttled or too slow.',
    );
    this.functionErrors = alarm(
      'FunctionErrors',
      props.function.metricErrors({ statistic: 'Sum', period: fiveMinutes }),
      1,
      'The promote function crashed (transient failures are batch item failures, not errors).',
    );
    this.functionThrottles = alarm(
      'FunctionThrottles',
      props.function.metricThrottles({ statistic: 'Sum', period: fiveMinutes }),
      1,
      'The promote function was throttled: check account concurrency.',
    );
    this.refusalSpike = alarm(
      'RefusalSpike',
      props.refusedTotal,
      props.refusalAlarmThreshold,
      'Many uploaded charts were refused: see the "refusals" saved query for codes and keys.',
    );
  }

  get all(): Alarm[] {
    return [
      this.deadLetters,
      this.oldestMessageAge,
      this.functionErrors,
      this.functionThrottles,
      this.refusalSpike,
    ];
  }
}
