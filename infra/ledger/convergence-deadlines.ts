import { Duration, Stack } from 'aws-cdk-lib';
import type { Alarm, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import type { Function as BundledFunction } from 'aws-cdk-lib/aws-lambda';
import type { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEADLINE_SWEEP_ENV } from '../../functions/config/deadline-sweep-config';
import { grantSendMessage } from '../intake/grant-send-message';
import { acknowledgeTracingWildcard, bundledNodeFunction } from '../lambda/bundled-node-function';
import { notifyingAlarm } from '../monitoring/notifying-alarm';
import {
  emfTotal,
  PROMOTER_METRICS,
  RELEASE_NOT_CONVERGED_TOTAL_METRIC,
} from '../monitoring/pipeline-metrics';

/** What the sweep does to the ledger: Scan (list), GetItem (read the revision), PutItem (write). */
export const DEADLINE_SWEEP_LEDGER_ACTIONS = [
  'dynamodb:Scan',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
] as const;

export interface ConvergenceDeadlinesProps {
  /** The release ledger's table name (this stack's account and region). */
  readonly ledgerTableName: string;
  /** Rollback commands go here (the promote function runs them); absent = no rollbacks. */
  readonly intakeQueue?: IQueue;
  /** The alarm topic: a release that missed its deadline pages through it. */
  readonly topic: ITopic;
  readonly logRetention: RetentionDays;
  /** How often the sweep runs. @default Duration.minutes(1) */
  readonly every?: Duration;
  /** The handler module. @default functions/handlers/deadline-sweep.ts of this repository */
  readonly entry?: string;
}

/**
 * Convergence deadlines in AWS: an EventBridge schedule invokes a small function that turns
 * `committed` releases past their deadline (`convergeWithin`) into `not-converged`
 * (functions/promotion/ledger/sweep-deadlines.ts), and an alarm on ReleaseNotConverged notifies the
 * alarm topic. The function holds no Git credentials: with autoRollback it sends a rollback command
 * to the intake queue, which the promote function runs like any rollback.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html
 */
export class ConvergenceDeadlines extends Construct {
  readonly function: BundledFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;
  readonly rule: Rule;
  /** Releases that missed their deadline, over every environment. */
  readonly notConvergedTotal: Metric;
  readonly notConverged: Alarm;

  constructor(scope: Construct, id: string, props: ConvergenceDeadlinesProps) {
    super(scope, id);
    const parts = bundledNodeFunction(this, {
      description:
        'chart-promoter: convergence deadlines (committed releases with no healthy Flux event in time)',
      entry: props.entry ?? 'functions/handlers/deadline-sweep.ts',
      roleDescription: 'chart-promoter deadline sweep',
      memorySize: 256,
      timeout: Duration.seconds(60),
      // One sweep at a time: a second would only race the first for the same records.
      reservedConcurrentExecutions: 1,
      environment: {
        [DEADLINE_SWEEP_ENV.ledgerTable]: props.ledgerTableName,
        ...(props.intakeQueue === undefined
          ? {}
          : { [DEADLINE_SWEEP_ENV.intakeQueueUrl]: props.intakeQueue.queueUrl }),
      },
      logRetention: props.logRetention,
    });
    this.function = parts.function;
    this.logGroup = parts.logGroup;
    this.role = parts.role;
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [...DEADLINE_SWEEP_LEDGER_ACTIONS],
        resources: [
          Stack.of(this).formatArn({
            service: 'dynamodb',
            resource: 'table',
            resourceName: props.ledgerTableName,
          }),
        ],
      }),
    );
    if (props.intakeQueue !== undefined) grantSendMessage(this.role, props.intakeQueue);
    acknowledgeTracingWildcard(this.role);

    this.rule = new Rule(this, 'Schedule', {
      description: 'chart-promoter: look for releases past their convergence deadline',
      schedule: Schedule.rate(props.every ?? Duration.minutes(1)),
      targets: [new LambdaFunction(this.function, { retryAttempts: 2 })],
    });

    this.notConvergedTotal = emfTotal(this, 'NotConvergedTotal', {
      logGroup: this.logGroup,
      source: PROMOTER_METRICS.releaseNotConverged,
      total: RELEASE_NOT_CONVERGED_TOTAL_METRIC,
      period: Duration.minutes(5),
    });
    this.notConverged = notifyingAlarm(this, 'NotConverged', {
      metric: this.notConvergedTotal,
      threshold: 1,
      topic: props.topic,
      description:
        'A committed chart version had no healthy Flux event before its convergeWithin deadline ' +
        '(Flux down, a broken Kustomization, a lost event): see `chart-promoter status` and the sweep ' +
        'logs (chart, version, environment, run id); with autoRollback the previous version is being restored.',
    });
  }
}
