import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { type AlarmDestination, AlarmDestinations } from './monitoring/alarm-destination';
import { ChartPromotionPipeline } from './pipeline/chart-promotion-pipeline';
import type { ChartPromotionPipelineProps } from './pipeline/pipeline-props';

/** Pipeline props as plain values (what cdk.json context can hold): existing resources by ARN. */
export type PipelineValues = Omit<ChartPromotionPipelineProps, 'credentialsSecret' | 'alarmDestination'> & {
  /** Complete ARN of an existing credentials secret. @default - a new secret */
  readonly credentialsSecretArn?: string;
  /** ARN of an existing SNS topic for alarms. @default - a new topic */
  readonly alarmTopicArn?: string;
  /** HTTPS endpoint (Opsgenie) subscribed to the new alarm topic. @default - none */
  readonly alarmHttpsEndpoint?: string;
};

export interface ChartPromoterStackProps extends StackProps {
  readonly pipeline: PipelineValues;
}

/** The deployable stack of the sample app: one pipeline, and the outputs the CLI and README use. */
export class ChartPromoterStack extends Stack {
  readonly pipeline: ChartPromotionPipeline;

  constructor(scope: Construct, id: string, props: ChartPromoterStackProps) {
    super(scope, id, props);
    const { credentialsSecretArn, alarmTopicArn, alarmHttpsEndpoint, ...values } = props.pipeline;
    if (alarmTopicArn !== undefined && alarmHttpsEndpoint !== undefined)
      throw new Error(
        'alarmTopicArn and alarmHttpsEndpoint exclude each other: subscribe the endpoint to your topic',
      );
    const alarmDestination: AlarmDestination =
      alarmTopicArn === undefined
        ? AlarmDestinations.newTopic(
            alarmHttpsEndpoint === undefined ? {} : { httpsEndpoint: alarmHttpsEndpoint },
          )
        : AlarmDestinations.topic(Topic.fromTopicArn(this, 'AlarmTopic', alarmTopicArn));
    this.pipeline = new ChartPromotionPipeline(this, 'Pipeline', {
      ...values,
      alarmDestination,
      ...(credentialsSecretArn === undefined
        ? {}
        : { credentialsSecret: Secret.fromSecretCompleteArn(this, 'Credentials', credentialsSecretArn) }),
    });

    const output = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description });
    const { intake, promote, credentials, dashboard, alarmTopic } = this.pipeline;
    output('BucketName', intake.bucket.bucketName, 'Upload chart archives here');
    output('UploadPrefix', this.pipeline.settings.bucketPrefix, 'Key prefix of chart uploads');
    output('QueueUrl', intake.queue.queueUrl, 'Intake queue');
    output('DeadLetterQueueUrl', intake.deadLetterQueue.queueUrl, 'Failed uploads, to redrive');
    output('DeadLetterQueueArn', intake.deadLetterQueue.queueArn, 'Failed uploads (redrive source)');
    output('ArchiveName', intake.archive.archiveName, 'EventBridge archive of upload events (replay)');
    output('FunctionName', promote.function.functionName, 'Promote function');
    output('LogGroupName', promote.logGroup.logGroupName, 'Promote function logs (Logs Insights)');
    output('CredentialsSecretArn', credentials.secret.secretArn, 'Put the Git host credentials here');
    output('DashboardName', dashboard.dashboard.dashboardName, 'CloudWatch dashboard');
    output('AlarmTopicArn', alarmTopic.topicArn, 'Alarm notifications');
    output(
      'LedgerTableName',
      this.pipeline.ledger.table.tableName,
      'Release ledger (chart-promoter status --stack reads it)',
    );
    const { feedback, feedbackWorker, feedbackQueue } = this.pipeline;
    if (feedback !== undefined) {
      output('FeedbackUrl', feedback.url.url, 'Flux notification Provider address (generic-hmac)');
      output(
        'WebhookSecretArn',
        feedback.webhookSecret.secretArn,
        'HMAC key of the Flux Provider (key "token")',
      );
      output('FeedbackLogGroupName', feedback.logGroup.logGroupName, 'Feedback endpoint logs');
    }
    if (feedbackWorker !== undefined)
      output(
        'FeedbackWorkerLogGroupName',
        feedbackWorker.logGroup.logGroupName,
        'Feedback worker logs: what each Flux event did',
      );
    if (feedbackQueue !== undefined)
      output(
        'FeedbackDeadLetterQueueArn',
        feedbackQueue.deadLetterQueue.queueArn,
        'Flux events that failed every retry (redrive source)',
      );
  }
}
