import { Duration } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FEEDBACK_IDEMPOTENCY_PARTITION } from '../../functions/adapters/ledger/ledger-keys';
import { FEEDBACK_ENV } from '../../functions/config/feedback-config';
import { INTEGRATIONS_ENV } from '../../functions/config/integrations-config';
import type { GitCredentials } from '../credentials/git-credentials';
import { grantSendMessage } from '../intake/grant-send-message';
import { acknowledgeTracingWildcard, bundledNodeFunction } from '../lambda/bundled-node-function';
import { grantIntegrationAccess } from '../promote/integration-access';
import type { FeedbackJiraProps } from './feedback-endpoint';

export interface FeedbackWorkerProps {
  /** The feedback queue (FIFO) the worker consumes. */
  readonly feedbackQueue: IQueue;
  /** Its maxReceiveCount (the worker logs the last failure as dead-lettered). */
  readonly maxReceiveCount: number;
  /** The intake queue: promotions after a soak are scheduled on it (SQS delay hops). */
  readonly intakeQueue: IQueue;
  /** The release ledger table: the worker's idempotency records live in it. */
  readonly ledgerTable: ITableV2;
  readonly credentials: GitCredentials;
  /** The repository variables the worker shares with the promote function (repositoryEnvironment). */
  readonly environment: Record<string, string>;
  readonly logRetention: RetentionDays;
  /** @default 512 */
  readonly memorySize?: number;
  /**
   * Enough for one promotion commit with retries on a moved branch, and the Git host's rate-limit
   * waits. The feedback queue's visibility timeout must be at least 6 × this.
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;
  /** Jira comments on the promotions and rollbacks the worker makes. @default - none */
  readonly jira?: FeedbackJiraProps;
  /** The handler module. @default functions/handlers/feedback-worker.ts of this repository */
  readonly entry?: string;
}

/** The worker's default timeout (the feedback queue's visibility timeout is derived from it). */
export const FEEDBACK_WORKER_TIMEOUT = Duration.seconds(60);

/**
 * The feedback worker: consumes the feedback queue (batches of up to 10 Flux events, partial batch
 * failures reported with ReportBatchItemFailures) and acts on each event once — lead time, next
 * environment, pull request, rollback. It may read the Git credentials (and the Jira secret when
 * Jira comments are on), send to the intake queue (soak), and read/write/delete ONLY the
 * idempotency rows of the ledger table (dynamodb:LeadingKeys = `idempotency#feedback`).
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting
 */
export class FeedbackWorker extends Construct {
  readonly function: LambdaFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: FeedbackWorkerProps) {
    super(scope, id);
    const parts = bundledNodeFunction(this, {
      description: 'chart-promoter: Flux events from the feedback queue: convergence, promotion, rollback',
      entry: props.entry ?? 'functions/handlers/feedback-worker.ts',
      roleDescription: 'chart-promoter feedback worker',
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? FEEDBACK_WORKER_TIMEOUT,
      environment: {
        ...props.environment,
        [FEEDBACK_ENV.intakeQueueUrl]: props.intakeQueue.queueUrl,
        [FEEDBACK_ENV.ledgerTableName]: props.ledgerTable.tableName,
        [FEEDBACK_ENV.maxReceives]: String(props.maxReceiveCount),
        ...(props.jira === undefined
          ? {}
          : {
              [INTEGRATIONS_ENV.jiraBaseUrl]: props.jira.baseUrl,
              [INTEGRATIONS_ENV.jiraSecretArn]: props.jira.secret.secretArn,
            }),
      },
      logRetention: props.logRetention,
    });
    this.function = parts.function;
    this.logGroup = parts.logGroup;
    this.role = parts.role;

    this.function.addEventSource(
      new SqsEventSource(props.feedbackQueue, { batchSize: 10, reportBatchItemFailures: true }),
    );
    // Powertools idempotency calls GetItem, PutItem (conditional), UpdateItem and DeleteItem, on its
    // own partition only.
    // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resources: [props.ledgerTable.tableArn],
        conditions: {
          'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [FEEDBACK_IDEMPOTENCY_PARTITION] },
        },
      }),
    );
    props.ledgerTable.encryptionKey?.grantEncryptDecrypt(this.role);
    props.credentials.grantRead(this.role);
    grantSendMessage(this.role, props.intakeQueue);
    if (props.jira !== undefined) grantIntegrationAccess(this.role, { jiraSecret: props.jira.secret });
    acknowledgeTracingWildcard(this.role);
  }
}
