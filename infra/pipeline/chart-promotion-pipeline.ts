import { Stack } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { PromotionBoardWidget } from '../board/promotion-board-widget';
import { GitCredentials } from '../credentials/git-credentials';
import { FeedbackEndpoint } from '../feedback/feedback-endpoint';
import { ChartIntake } from '../intake/chart-intake';
import { AlarmDestinations } from '../monitoring/alarm-destination';
import { FeedbackAlarms } from '../monitoring/feedback-alarms';
import { PipelineAlarms } from '../monitoring/pipeline-alarms';
import { PipelineDashboard } from '../monitoring/pipeline-dashboard';
import { PipelineMetrics } from '../monitoring/pipeline-metrics';
import { RunQueries } from '../monitoring/run-queries';
import { integrationAccess } from '../promote/integration-access';
import { promoteEnvironment, repositoryEnvironment } from '../promote/promote-environment';
import { PromoteFunction } from '../promote/promote-function';
import {
  type ChartPromotionPipelineProps,
  type PipelineSettings,
  resolvePipelineSettings,
} from './pipeline-props';
import { validatePipelineSettings } from './validate-settings';

/**
 * Server access logs delivered through a bucket policy (AWS's current advice) rather than the legacy
 * LogDeliveryWrite ACL, which BucketOwnerEnforced buckets reject. Set here so the construct works in
 * apps whose cdk.json predates the flag; an explicit app setting wins.
 */
const ACCESS_LOGS_POLICY_FLAG = '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy';

/**
 * The whole chart promotion pipeline, ready to drop into any CDK app: an upload bucket whose chart
 * archives flow through EventBridge and SQS into the promote function, which commits them to the
 * cluster repository; the feedback endpoint Flux reports convergence to, which promotes onwards or
 * rolls back; with alarms, a dashboard (with the promotion board) and saved Logs Insights queries.
 */
export class ChartPromotionPipeline extends Construct {
  /** The props with defaults applied. */
  readonly settings: PipelineSettings;
  readonly intake: ChartIntake;
  readonly credentials: GitCredentials;
  readonly promote: PromoteFunction;
  /** The Flux webhook endpoint; absent when `feedback.enabled` is false. */
  readonly feedback: FeedbackEndpoint | undefined;
  readonly feedbackAlarms: FeedbackAlarms | undefined;
  readonly alarmTopic: ITopic;
  readonly alarms: PipelineAlarms;
  readonly dashboard: PipelineDashboard;
  /** The promotion board widget's function (on the dashboard). */
  readonly board: PromotionBoardWidget;
  readonly queries: RunQueries;

  constructor(scope: Construct, id: string, props: ChartPromotionPipelineProps) {
    super(scope, id);
    this.settings = resolvePipelineSettings(props);
    validatePipelineSettings(this.settings);
    if (this.node.tryGetContext(ACCESS_LOGS_POLICY_FLAG) === undefined)
      this.node.setContext(ACCESS_LOGS_POLICY_FLAG, true);
    const s = this.settings;

    this.intake = new ChartIntake(this, 'Intake', {
      bucketPrefix: s.bucketPrefix,
      queueVisibilityTimeout: s.queueVisibilityTimeout,
      maxReceiveCount: s.maxReceiveCount,
      archiveRetention: s.archiveRetention,
    });
    this.credentials = new GitCredentials(this, 'GitCredentials', {
      gitHostKind: s.gitHostKind,
      ...(props.credentialsSecret === undefined ? {} : { secret: props.credentialsSecret }),
    });
    const refs = {
      credentialsSecretArn: this.credentials.secret.secretArn,
      intakeQueueUrl: this.intake.queue.queueUrl,
    };
    const integrations = integrationAccess(this, s);
    this.promote = new PromoteFunction(this, 'Promote', {
      bucket: this.intake.bucket,
      bucketPrefix: s.bucketPrefix,
      queue: this.intake.queue,
      credentials: this.credentials,
      environment: promoteEnvironment(s, refs),
      memorySize: s.memorySize,
      timeout: s.functionTimeout,
      batchSize: s.batchSize,
      maxBatchingWindow: s.maxBatchingWindow,
      maxConcurrency: s.maxConcurrency,
      logRetention: s.logRetention,
      integrations,
    });

    this.feedback = s.feedback.enabled
      ? new FeedbackEndpoint(this, 'Feedback', {
          queue: this.intake.queue,
          credentials: this.credentials,
          environment: repositoryEnvironment(s, refs),
          ...(s.feedback.webhookSecretArn === undefined
            ? {}
            : {
                webhookSecret: Secret.fromSecretCompleteArn(
                  this,
                  'WebhookSecret',
                  s.feedback.webhookSecretArn,
                ),
              }),
          ...(s.jira === undefined || integrations.jiraSecret === undefined
            ? {}
            : { jira: { baseUrl: s.jira.baseUrl, secret: integrations.jiraSecret } }),
          maxEventAgeSeconds: s.feedback.maxEventAgeSeconds,
          reservedConcurrency: s.feedback.reservedConcurrency,
          logRetention: s.logRetention,
        })
      : undefined;

    const metrics = new PipelineMetrics(this, 'Metrics', { logGroup: this.promote.logGroup });
    this.alarmTopic = (props.alarmDestination ?? AlarmDestinations.newTopic()).bind(this);
    this.alarms = new PipelineAlarms(this, 'Alarms', {
      function: this.promote.function,
      queue: this.intake.queue,
      deadLetterQueue: this.intake.deadLetterQueue,
      refusedTotal: metrics.refusedTotal,
      topic: this.alarmTopic,
      oldestMessageAgeThreshold: s.oldestMessageAgeThreshold,
      refusalAlarmThreshold: s.refusalAlarmThreshold,
    });
    this.feedbackAlarms =
      this.feedback === undefined
        ? undefined
        : new FeedbackAlarms(this, 'FeedbackAlarms', {
            function: this.feedback.function,
            logGroup: this.feedback.logGroup,
            topic: this.alarmTopic,
          });
    this.board = new PromotionBoardWidget(this, 'Board', { logRetention: s.logRetention });
    this.dashboard = new PipelineDashboard(this, 'Dashboard', {
      function: this.promote.function,
      logGroup: this.promote.logGroup,
      queue: this.intake.queue,
      deadLetterQueue: this.intake.deadLetterQueue,
      alarms: [...this.alarms.all, ...(this.feedbackAlarms?.all ?? [])],
      ...(this.feedback === undefined ? {} : { feedbackFunction: this.feedback.function }),
      board: this.board.widget(),
    });
    this.queries = new RunQueries(this, 'Queries', {
      logGroup: this.promote.logGroup,
      folder: `${Stack.of(this).stackName}`,
    });
  }
}
