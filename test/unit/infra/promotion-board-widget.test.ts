import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBoardWidgetConfig } from '../../../functions/config/board-widget-config';
import { PromotionBoardWidget } from '../../../infra/board/promotion-board-widget';
import { ChartPromotionPipeline } from '../../../infra/pipeline/chart-promotion-pipeline';
import { actionsOf, nagFindings, policyStatements } from '../../support/cdk-template';

// Wiring only: bundling is skipped here (chart-promoter-stack.test.ts bundles every function once).
let outdir: string;
const newStack = () =>
  new Stack(new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } }), 'Board', {
    env: { account: '123456789012', region: 'eu-west-1' },
  });
beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'chart-promoter-board-cdk-'));
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const build = (props: Partial<ConstructorParameters<typeof PromotionBoardWidget>[2]> = {}) => {
  const stack = newStack();
  const board = new PromotionBoardWidget(stack, 'Board', { logRetention: RetentionDays.ONE_MONTH, ...props });
  const dashboard = new Dashboard(stack, 'Dashboard');
  dashboard.addWidgets(board.widget());
  const template = Template.fromStack(stack);
  const functionId = stack.getLogicalId(board.function.node.defaultChild as CfnElement);
  return { stack, board, template, functionId, fn: template.toJSON().Resources[functionId].Properties };
};

describe('PromotionBoardWidget', () => {
  it('deploys a small Node 22 function with X-Ray and JSON logs to its own log group', () => {
    // Act
    const { fn, template } = build();
    // Assess
    expect(fn).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['x86_64'],
      Handler: 'index.handler',
      MemorySize: 256,
      Timeout: 10,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON' },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    expect(fn.Layers).toBeUndefined();
  });

  it('without a ledger: no table in its environment and no DynamoDB permission at all', () => {
    // Act
    const { fn, template } = build();
    const actions = policyStatements(template).flatMap(actionsOf);
    // Assess
    expect(parseBoardWidgetConfig(fn.Environment.Variables)).toEqual({ environments: [] });
    expect(actions.sort()).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it('with a ledger table: may Scan that table only (no write, no other table, no index), and reads its name', () => {
    // Act
    const { fn, template } = build({
      ledgerTableName: 'ChartPromoter-Ledger',
      environments: ['dev', 'staging', 'prod'],
    });
    const statements = policyStatements(template);
    const dynamo = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    // Assess
    expect(dynamo).toEqual([
      {
        Effect: 'Allow',
        Action: 'dynamodb:Scan',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':dynamodb:eu-west-1:123456789012:table/ChartPromoter-Ledger',
            ],
          ],
        },
      },
    ]);
    expect(parseBoardWidgetConfig(fn.Environment.Variables)).toEqual({
      ledgerTable: 'ChartPromoter-Ledger',
      environments: ['dev', 'staging', 'prod'],
    });
    // Only X-Ray (no resource-level permissions exist for it) may use Resource "*".
    expect(
      statements
        .filter((s) => s.Resource === '*')
        .flatMap(actionsOf)
        .sort(),
    ).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
  });

  it('places a custom widget calling the function, refreshed with the dashboard and on resize', () => {
    // Act
    const { template, functionId } = build();
    const body = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
    // Assess
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html#CloudWatch-Dashboard-Properties-Custom-Widget-Object
    expect(body).toContain('\\"type\\":\\"custom\\"');
    expect(body).toContain(`{"Fn::GetAtt":["${functionId}","Arn"]}`);
    expect(body).toContain('\\"updateOn\\":{\\"refresh\\":true,\\"resize\\":true,\\"timeRange\\":false}');
    expect(body).toContain('\\"title\\":\\"Promotion board\\"');
    expect(body).toContain('\\"width\\":24,\\"height\\":12');
  });

  it('passes cdk-nag with and without a ledger table', () => {
    expect(nagFindings(build().stack)).toEqual([]);
    expect(nagFindings(build({ ledgerTableName: 'ChartPromoter-Ledger' }).stack)).toEqual([]);
  });
});

describe('ChartPromotionPipeline dashboard', () => {
  it('shows the promotion board right under the alarms', () => {
    // Prepare
    const stack = newStack();
    const pipeline = new ChartPromotionPipeline(stack, 'Pipeline', { repository: 'acme/cluster' });
    const template = Template.fromStack(stack);
    const functionId = stack.getLogicalId(pipeline.board.function.node.defaultChild as CfnElement);
    // Act
    const body = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
    // Assess
    const alarms = body.indexOf('\\"type\\":\\"alarm\\"');
    const board = body.indexOf(`{"Fn::GetAtt":["${functionId}","Arn"]}`);
    const firstGraph = body.indexOf('\\"title\\":\\"Promotions\\"');
    expect(alarms).toBeGreaterThan(-1);
    expect(board).toBeGreaterThan(alarms);
    expect(firstGraph).toBeGreaterThan(board);
  });
});
