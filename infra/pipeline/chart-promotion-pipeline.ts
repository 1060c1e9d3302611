import { Duration, Stack } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { LEDGER_ENV } from '../../functions/config/ledger-config';
import { PromotionBoardWidget } from '../board/promotion-board-widget';
import { GitCredentials } from '../credentials/git-credentials';
import { FeedbackEndpoint } from '../feedback/feedback-endpoint';
import { FeedbackQueue } from '../feedback/feedback-queue';
import { FEEDBACK_WORKER_TIMEOUT, FeedbackWorker } from '../feedback/feedback-worker';
import { ChartIntake } from '../intake/chart-intake';
import { ConvergenceDeadlines } from '../ledger/convergence-deadlines';
import { grantLedgerWrites } from '../ledger/grant-ledger-writes';
import { ReleaseLedgerTable } from '../ledger/release-ledger-table';
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
  /** The Flux webhook endpoint; absent when `feedback.enabled` is false (as the three below). */
  readonly feedback: FeedbackEndpoint | undefined;
  /** Where accepted Flux events wait for the worker, with its dead-letter queue. */
  readonly feedbackQueue: FeedbackQueue | undefined;
  /** Acts on the Flux events from the feedback queue. */
  readonly feedbackWorker: FeedbackWorker | undefined;
  readonly feedbackAlarms: FeedbackAlarms | undefined;
  readonly alarmTopic: ITopic;
  readonly alarms: PipelineAlarms;
  readonly dashboard: PipelineDashboard;
  /** The promotion board widget's function (on the dashboard). */
  readonly board: PromotionBoardWidget;
  /**
   * The release ledger: what the pipeline saw happen per chart × environment (the feedback worker
   * also keeps its idempotency records there).
   */
  readonly ledger: ReleaseLedgerTable;
  /** The convergence deadline sweep (schedule, function, not-converged alarm). */
  readonly deadlines: ConvergenceDeadlines;
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

    // The release ledger: promote and the feedback worker record what they commit and what Flux reports.
    this.ledger = new ReleaseLedgerTable(this, 'Ledger');
    const ledgerTableName = this.ledger.table.tableName;

    if (s.feedback.enabled) {
      this.feedbackQueue = new FeedbackQueue(this, 'FeedbackQueue', {
        // AWS: at least six times the consumer's timeout.
        visibilityTimeout: Duration.seconds(6 * FEEDBACK_WORKER_TIMEOUT.toSeconds()),
        maxReceiveCount: s.maxReceiveCount,
      });
      this.feedback = new FeedbackEndpoint(this, 'Feedback', {
        feedbackQueue: this.feedbackQueue.queue,
        ...(s.feedback.webhookSecretArn === undefined
          ? {}
          : {
              webhookSecret: Secret.fromSecretCompleteArn(this, 'WebhookSecret', s.feedback.webhookSecretArn),
            }),
        maxEventAgeSeconds: s.feedback.maxEventAgeSeconds,
        reservedConcurrency: s.feedback.reservedConcurrency,
        logRetention: s.logRetention,
      });
      this.feedbackWorker = new FeedbackWorker(this, 'FeedbackWorker', {
        feedbackQueue: this.feedbackQueue.queue,
        maxReceiveCount: s.maxReceiveCount,
        intakeQueue: this.intake.queue,
        ledgerTable: this.ledger.table,
        credentials: this.credentials,
        environment: repositoryEnvironment(s, refs),
        ...(s.jira === undefined || integrations.jiraSecret === undefined
          ? {}
          : { jira: { baseUrl: s.jira.baseUrl, secret: integrations.jiraSecret } }),
        timeout: FEEDBACK_WORKER_TIMEOUT,
        logRetention: s.logRetention,
      });
    }

    // Both record releases; the worker already has the table's name (FeedbackWorker's ledgerTable).
    this.promote.function.addEnvironment(LEDGER_ENV.ledgerTable, ledgerTableName);
    grantLedgerWrites(this.promote.function, this.ledger.table);
    if (this.feedbackWorker) grantLedgerWrites(this.feedbackWorker.function, this.ledger.table);

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
      this.feedback === undefined || this.feedbackWorker === undefined || this.feedbackQueue === undefined
        ? undefined
        : new FeedbackAlarms(this, 'FeedbackAlarms', {
            function: this.feedback.function,
            worker: this.feedbackWorker.function,
            logGroup: this.feedbackWorker.logGroup,
            deadLetterQueue: this.feedbackQueue.deadLetterQueue,
            topic: this.alarmTopic,
          });
    this.deadlines = new ConvergenceDeadlines(this, 'Deadlines', {
      ledgerTableName,
      intakeQueue: this.intake.queue,
      topic: this.alarmTopic,
      logRetention: s.logRetention,
    });
    this.board = new PromotionBoardWidget(this, 'Board', { logRetention: s.logRetention, ledgerTableName });
    this.dashboard = new PipelineDashboard(this, 'Dashboard', {
      function: this.promote.function,
      logGroup: this.promote.logGroup,
      queue: this.intake.queue,
      deadLetterQueue: this.intake.deadLetterQueue,
      alarms: [...this.alarms.all, ...(this.feedbackAlarms?.all ?? []), this.deadlines.notConverged],
      ...(this.feedback === undefined ? {} : { feedbackFunction: this.feedback.function }),
      ...(this.feedbackQueue === undefined || this.feedbackWorker === undefined
        ? {}
        : {
            feedbackQueue: {
              queue: this.feedbackQueue.queue,
              deadLetterQueue: this.feedbackQueue.deadLetterQueue,
              worker: this.feedbackWorker.function,
            },
          }),
      board: this.board.widget(),
    });
    this.queries = new RunQueries(this, 'Queries', {
      logGroup: this.promote.logGroup,
      moreLogGroups: [this.deadlines.logGroup],
      folder: `${Stack.of(this).stackName}`,
    });
  }
}
