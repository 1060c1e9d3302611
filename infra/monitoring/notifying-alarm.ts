import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

export interface NotifyingAlarmOptions {
  readonly metric: IMetric;
  /** Alarm at or above this value. */
  readonly threshold: number;
  readonly description: string;
  readonly topic: ITopic;
}

/**
 * An alarm as the pipeline pages with them: one period at or above the threshold, notifying the topic
 * on ALARM and on OK (so an Opsgenie-style integration closes the alert it opened). Missing data is
 * "fine": an idle pipeline emits nothing.
 */
export const notifyingAlarm = (scope: Construct, id: string, options: NotifyingAlarmOptions): Alarm => {
  const alarm = new Alarm(scope, id, {
    metric: options.metric,
    threshold: options.threshold,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    alarmDescription: options.description,
  });
  const action = new SnsAction(options.topic);
  alarm.addAlarmAction(action);
  alarm.addOkAction(action);
  return alarm;
};
