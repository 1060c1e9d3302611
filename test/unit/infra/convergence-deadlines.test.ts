import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDeadlineSweepConfig } from '../../../functions/config/deadline-sweep-config';
import { LEDGER_ENV } from '../../../functions/config/ledger-config';
import { ChartPromotionPipeline } from '../../../infra/pipeline/chart-promotion-pipeline';
import { actionsOf, nagFindings, policyStatements, type Statement } from '../../support/cdk-template';

// Wiring only: bundling is skipped here (chart-promoter-stack.test.ts bundles every function once).
let outdir: string;
beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'chart-promoter-deadlines-cdk-'));
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON as the assertions library returns it
type Resources = Record<string, { Type: string; Properties: any }>;

const build = () => {
  const stack = new Stack(new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } }), 'Ledger', {
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  const pipeline = new ChartPromotionPipeline(stack, 'Pipeline', { repository: 'acme/cluster' });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Resources;
  const id = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as CfnElement);
  return { stack, pipeline, template, resources, id };
};

/** The statements of one role's default policy. */
const statementsOf = (resources: Resources, roleId: string) =>
  Object.values(resources)
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(`"Ref":"${roleId}"`),
    )
    .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[]);

const dynamoActions = (statements: Statement[]) =>
  statements
    .flatMap(actionsOf)
    .filter((action) => action.startsWith('dynamodb:'))
    .sort();

describe('ChartPromotionPipeline: release ledger and convergence deadlines', () => {
  const built = build();

  it('gives promote and the feedback worker the ledger table and GetItem/PutItem on release rows only', () => {
    // Prepare
    const { pipeline, resources, id } = built;
    const ledgerId = id(pipeline.ledger.table);
    // Act
    const promoteEnv = resources[id(pipeline.promote.function)]!.Properties.Environment.Variables;
    const feedbackEnv = resources[id(pipeline.feedbackWorker!.function)]!.Properties.Environment.Variables;
    // Assess
    expect(promoteEnv[LEDGER_ENV.ledgerTable]).toEqual({ Ref: ledgerId });
    expect(feedbackEnv[LEDGER_ENV.ledgerTable]).toEqual({ Ref: ledgerId });
    expect(dynamoActions(statementsOf(resources, id(pipeline.promote.role)))).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
    ]);
    for (const role of [pipeline.promote.role, pipeline.feedbackWorker!.role]) {
      const releaseRows = statementsOf(resources, id(role)).filter((s) =>
        JSON.stringify(s).includes('release#*'),
      );
      expect(releaseRows).toHaveLength(1);
      expect(dynamoActions(releaseRows)).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    }
    // The endpoint answers Flux and queues: no ledger at all.
    expect(dynamoActions(statementsOf(resources, id(pipeline.feedback!.role)))).toEqual([]);
  });

  it('runs the sweep every minute on a schedule, one at a time, with Scan/GetItem/PutItem and SendMessage only', () => {
    // Prepare
    const { pipeline, resources, id, template } = built;
    const fn = resources[id(pipeline.deadlines.function)]!.Properties;
    // Act
    const config = parseDeadlineSweepConfig({
      ...fn.Environment.Variables,
      // Tokens stand in for deployed values; the parser checks their shape.
      CHART_PROMOTER_LEDGER_TABLE: 'table-name',
      CHART_PROMOTER_INTAKE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q',
    });
    const statements = statementsOf(resources, id(pipeline.deadlines.role));
    // Assess
    expect(Object.keys(fn.Environment.Variables).sort()).toEqual([
      'CHART_PROMOTER_INTAKE_QUEUE_URL',
      'CHART_PROMOTER_LEDGER_TABLE',
    ]);
    expect(config.ledgerTable).toBe('table-name');
    expect(fn.ReservedConcurrentExecutions).toBe(1);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [{ Arn: { 'Fn::GetAtt': [id(pipeline.deadlines.function), 'Arn'] } }],
    });
    expect(dynamoActions(statements)).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Scan']);
    expect(statements.flatMap(actionsOf).filter((a) => a.startsWith('secretsmanager:'))).toEqual([]);
    expect(statements.flatMap(actionsOf)).toContain('sqs:SendMessage');
  });

  it('alarms on ReleaseNotConverged through the alarm topic, on ALARM and OK', () => {
    // Prepare
    const { pipeline, resources, id } = built;
    // Act
    const alarm = resources[id(pipeline.deadlines.notConverged)]!.Properties;
    // Assess
    expect(alarm).toMatchObject({ MetricName: 'ReleaseNotConvergedTotal', Threshold: 1 });
    expect(alarm.AlarmActions).toEqual(alarm.OKActions);
    expect(JSON.stringify(alarm.AlarmActions)).toContain(id(pipeline.alarmTopic as never));
  });

  it('points the board widget at the ledger and leaves no unacknowledged cdk-nag finding', () => {
    // Prepare
    const { pipeline, resources, id, stack } = built;
    // Act
    const boardEnv = resources[id(pipeline.board.function)]!.Properties.Environment.Variables;
    // Assess
    expect(boardEnv.CHART_PROMOTER_LEDGER_TABLE).toEqual({ Ref: id(pipeline.ledger.table) });
    expect(nagFindings(stack)).toEqual([]);
    expect(policyStatements(built.template).length).toBeGreaterThan(0);
  });
});
