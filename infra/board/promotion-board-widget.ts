import { Duration, Stack } from 'aws-cdk-lib';
import { CustomWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BOARD_WIDGET_ENV } from '../../functions/config/board-widget-config';
import { acknowledgeTracingWildcard, bundledNodeFunction } from '../lambda/bundled-node-function';
import { SERVICE_NAME } from '../promote/promote-environment';

/**
 * What the board's ledger reader does: it lists every release (`ReleaseLedgerReader.list()` without
 * a filter), a Scan of the table. Nothing else: no writes, no other table, no index.
 */
export const LEDGER_READ_ACTIONS = ['dynamodb:Scan'] as const;

export interface PromotionBoardWidgetProps {
  /**
   * Name of the release ledger's DynamoDB table, in this stack's account and region. The function
   * may Scan that table and nothing else. A table encrypted with a customer-managed KMS key also
   * needs kms:Decrypt on the key, which is not granted here.
   * @default - no ledger: the board says no ledger is deployed yet
   */
  readonly ledgerTableName?: string;
  /**
   * Environment order, first to last (the policy's, `.chart-promoter.yaml`).
   * @default - the order in which releases first reached each environment
   */
  readonly environments?: readonly string[];
  readonly logRetention: RetentionDays;
  /** Rendering 1,000 cells is string work: little memory. @default 256 */
  readonly memorySize?: number;
  /** One ledger read and one render; the dashboard waits for it. @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** The handler module. @default functions/handlers/board-widget.ts of this repository */
  readonly entry?: string;
}

/** Options of the dashboard widget. */
export interface BoardWidgetOptions {
  /** @default 'Promotion board' */
  readonly title?: string;
  /** In dashboard grid units (24 = full width). @default 24 */
  readonly width?: number;
  /** In dashboard grid units. @default 12 */
  readonly height?: number;
}

/**
 * The promotion board as a CloudWatch custom widget: a small function that renders the release
 * ledger as HTML, and the widget that shows it on a dashboard. The dashboard calls the function
 * with the viewer's own credentials (lambda:InvokeFunction is the viewer's permission), so no
 * resource policy is added; the console asks each viewer once to allow the widget to run.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/add_custom_widget_dashboard.html
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/add_custom_widget_dashboard_security.html
 */
export class PromotionBoardWidget extends Construct {
  readonly function: LambdaFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: PromotionBoardWidgetProps) {
    super(scope, id);
    const environment: Record<string, string> = {
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    };
    if (props.ledgerTableName !== undefined)
      environment[BOARD_WIDGET_ENV.ledgerTable] = props.ledgerTableName;
    if (props.environments !== undefined && props.environments.length > 0)
      environment[BOARD_WIDGET_ENV.environments] = props.environments.join(',');
    const parts = bundledNodeFunction(this, {
      description: 'chart-promoter: promotion board (CloudWatch custom widget): the release ledger as HTML',
      entry: props.entry ?? 'functions/handlers/board-widget.ts',
      roleDescription: 'chart-promoter promotion board widget',
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      environment,
      logRetention: props.logRetention,
    });
    this.function = parts.function;
    this.logGroup = parts.logGroup;
    this.role = parts.role;

    if (props.ledgerTableName !== undefined)
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: [...LEDGER_READ_ACTIONS],
          resources: [
            Stack.of(this).formatArn({
              service: 'dynamodb',
              resource: 'table',
              resourceName: props.ledgerTableName,
            }),
          ],
        }),
      );
    acknowledgeTracingWildcard(this.role);
  }

  /**
   * The widget for a dashboard. It re-renders on the dashboard's refresh and on resize (the board
   * does not depend on the time range). No JavaScript runs in a custom widget; the board needs none.
   */
  widget(options: BoardWidgetOptions = {}): CustomWidget {
    return new CustomWidget({
      functionArn: this.function.functionArn,
      title: options.title ?? 'Promotion board',
      width: options.width ?? 24,
      height: options.height ?? 12,
      updateOnRefresh: true,
      updateOnResize: true,
      updateOnTimeRangeChange: false,
    });
  }
}
