import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFeedbackConfig } from '../../../functions/config/feedback-config';
import { parseFeedbackIngressConfig } from '../../../functions/config/feedback-ingress-config';
import { parsePromoteConfig } from '../../../functions/config/promote-config';
import { readAppConfig } from '../../../infra/app-context';
import { ChartPromoterStack } from '../../../infra/chart-promoter-stack';
import { FeedbackEndpoint } from '../../../infra/feedback/feedback-endpoint';
import { ChartPromotionPipeline } from '../../../infra/pipeline/chart-promotion-pipeline';
import type { ChartPromotionPipelineProps } from '../../../infra/pipeline/pipeline-props';
import { actionsOf, nagFindings, policyStatements, type Statement } from '../../support/cdk-template';

// Wiring only: bundling is skipped here (chart-promoter-stack.test.ts bundles both functions once).
let outdir: string;
const newApp = () => new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'chart-promoter-feedback-cdk-'));
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const WEBHOOK_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:flux-hmac-AbCdEf';
const JIRA_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:jira-token-AbCdEf';
const ARN_OF_PLACEHOLDER = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:placeholder-AbCdEf';

type Resources = ReturnType<Template['findResources']>;
const idOf = (resources: Resources, predicate: (r: Resources[string]) => boolean): string => {
  const found = Object.entries(resources).filter(([, r]) => predicate(r));
  if (found.length !== 1) throw new Error(`expected one match, found ${found.length}`);
  return found[0]![0];
};
const functionsOf = (template: Template) => template.findResources('AWS::Lambda::Function');
const feedbackFunctionId = (template: Template) =>
  idOf(functionsOf(template), (f) => String(f.Properties.Description).includes('Flux notification'));
const workerFunctionId = (template: Template) =>
  idOf(functionsOf(template), (f) => String(f.Properties.Description).includes('feedback queue'));
const queuesOf = (template: Template) => template.findResources('AWS::SQS::Queue');
const intakeQueueId = (template: Template) =>
  idOf(queuesOf(template), (q) => q.Properties.RedrivePolicy !== undefined && !q.Properties.FifoQueue);
const feedbackQueueId = (template: Template) =>
  idOf(
    queuesOf(template),
    (q) => q.Properties.RedrivePolicy !== undefined && q.Properties.FifoQueue === true,
  );
const feedbackDeadLetterQueueId = (template: Template) =>
  idOf(
    queuesOf(template),
    (q) => q.Properties.RedrivePolicy === undefined && q.Properties.FifoQueue === true,
  );
const promoteFunctionId = (template: Template) =>
  idOf(functionsOf(template), (f) => String(f.Properties.Description).includes('validate uploaded charts'));
/** Statements of the default policy attached to the role of the given function. */
const statementsOfFunction = (template: Template, functionId: string): Statement[] => {
  const roleId = functionsOf(template)[functionId]!.Properties.Role['Fn::GetAtt'][0];
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
};
/** CloudFormation values (tokens) replaced by plausible strings, so the config module can parse them. */
const resolvedEnv = (env: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(env).map(([key, value]) => [
      key,
      typeof value === 'string'
        ? value
        : key.endsWith('_URL')
          ? 'https://sqs.eu-west-1.amazonaws.com/123456789012/intake'
          : key.endsWith('_TABLE')
            ? 'chart-promoter-ledger'
            : ARN_OF_PLACEHOLDER,
    ]),
  );

describe('ChartPromoterStack with the feedback endpoint (defaults)', () => {
  let stack: ChartPromoterStack;
  let template: Template;
  beforeAll(() => {
    stack = new ChartPromoterStack(newApp(), 'ChartPromoter', { pipeline: { repository: 'acme/cluster' } });
    template = Template.fromStack(stack);
  });

  it('deploys the feedback endpoint small and quick (256 MB, 10 s), without the helm layer, Node 22 x86-64, X-Ray, JSON logs, capped', () => {
    // Prepare
    const fn = functionsOf(template)[feedbackFunctionId(template)]!.Properties;
    // Assess
    expect(fn).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['x86_64'],
      Handler: 'index.handler',
      MemorySize: 256,
      Timeout: 10,
      ReservedConcurrentExecutions: 5,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.stringMatching(/Feedback/) } },
    });
    expect(fn.Layers).toBeUndefined();
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    // One each: promote, feedback endpoint, feedback worker, promotion board widget, deadline sweep.
    expect(Object.keys(template.findResources('AWS::Logs::LogGroup'))).toHaveLength(5);
  });

  it('exposes it through a function URL without IAM auth (Flux cannot sign SigV4), and nothing else', () => {
    // Prepare
    const fnId = feedbackFunctionId(template);
    // The endpoint's permissions (the deadline sweep has its own, for its EventBridge schedule).
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission'))
      .map((p) => p.Properties)
      .filter((p) => JSON.stringify(p.FunctionName).includes(fnId));
    // Assess
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      InvokeMode: 'BUFFERED',
      TargetFunctionArn: { 'Fn::GetAtt': [fnId, 'Arn'] },
    });
    template.resourceCountIs('AWS::Lambda::Url', 1);
    // Public URLs need both permissions (InvokeFunctionUrl, and InvokeFunction only via the URL).
    expect(permissions).toEqual([
      {
        Action: 'lambda:InvokeFunctionUrl',
        FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
        FunctionUrlAuthType: 'NONE',
        Principal: '*',
      },
      {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
        InvokedViaFunctionUrl: true,
        Principal: '*',
      },
    ]);
  });

  it('generates the HMAC key in a new secret and passes an environment the config module accepts', () => {
    // Prepare
    const secrets = template.findResources('AWS::SecretsManager::Secret');
    const webhookSecretId = idOf(secrets, (s) => s.Properties.GenerateSecretString?.PasswordLength === 48);
    const env = functionsOf(template)[feedbackFunctionId(template)]!.Properties.Environment.Variables;
    // Act
    const config = parseFeedbackIngressConfig(resolvedEnv(env));
    // Assess
    expect(secrets[webhookSecretId]!.Properties.GenerateSecretString).toEqual({
      PasswordLength: 48,
      ExcludePunctuation: true,
      IncludeSpace: false,
    });
    expect(Object.keys(env).sort()).toEqual([
      'CHART_PROMOTER_FEEDBACK_QUEUE_URL',
      'CHART_PROMOTER_MAX_EVENT_AGE_SECONDS',
      'CHART_PROMOTER_WEBHOOK_SECRET_ARN',
    ]);
    expect(env.CHART_PROMOTER_WEBHOOK_SECRET_ARN).toEqual({ Ref: webhookSecretId });
    expect(env.CHART_PROMOTER_FEEDBACK_QUEUE_URL).toEqual({ Ref: feedbackQueueId(template) });
    expect(config).toMatchObject({ maxEventAgeSeconds: 900 });
  });

  it('gives the endpoint role exactly: its logs, the HMAC secret (read), send to the feedback queue, X-Ray', () => {
    // Prepare
    const statements = statementsOfFunction(template, feedbackFunctionId(template));
    const webhookSecretId = idOf(
      template.findResources('AWS::SecretsManager::Secret'),
      (s) => s.Properties.GenerateSecretString?.PasswordLength === 48,
    );
    // Assess
    expect(statements.flatMap(actionsOf).sort()).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:GetSecretValue',
      'sqs:SendMessage',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    expect(statements.find((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))?.Resource).toEqual({
      Ref: webhookSecretId,
    });
    expect(statements.find((s) => actionsOf(s).includes('sqs:SendMessage'))).toEqual({
      Effect: 'Allow',
      Action: 'sqs:SendMessage',
      Resource: { 'Fn::GetAtt': [feedbackQueueId(template), 'Arn'] },
    });
    const starResources = statements.filter((s) => s.Resource === '*').flatMap(actionsOf);
    expect(starResources.sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
  });

  it('queues accepted events on a FIFO queue (6 × the worker timeout, DLQ FIFO after maxReceiveCount)', () => {
    // Prepare
    const queues = queuesOf(template);
    const queue = queues[feedbackQueueId(template)]!.Properties;
    const dlq = queues[feedbackDeadLetterQueueId(template)]!.Properties;
    // Assess
    expect(queue).toMatchObject({
      FifoQueue: true,
      ContentBasedDeduplication: false,
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 360,
      MessageRetentionPeriod: 4 * 24 * 3600,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [feedbackDeadLetterQueueId(template), 'Arn'] },
        maxReceiveCount: 5,
      },
    });
    expect(dlq).toMatchObject({ FifoQueue: true, MessageRetentionPeriod: 14 * 24 * 3600 });
  });

  it('runs the worker from the feedback queue with partial batch failures, and an environment its config accepts', () => {
    // Prepare
    const workerId = workerFunctionId(template);
    const fn = functionsOf(template)[workerId]!.Properties;
    const env = fn.Environment.Variables;
    // Act
    const config = parseFeedbackConfig(resolvedEnv(env));
    // Assess
    expect(fn).toMatchObject({ MemorySize: 512, Timeout: 60, Runtime: 'nodejs22.x' });
    expect(fn.Layers).toBeUndefined();
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: workerId },
      EventSourceArn: { 'Fn::GetAtt': [feedbackQueueId(template), 'Arn'] },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(env.CHART_PROMOTER_LEDGER_TABLE).toEqual({ Ref: expect.stringMatching(/Ledger/) });
    expect(env.CHART_PROMOTER_INTAKE_QUEUE_URL).toEqual({ Ref: intakeQueueId(template) });
    expect(env).not.toHaveProperty('CHART_PROMOTER_WEBHOOK_SECRET_ARN');
    expect(config).toMatchObject({
      repository: 'acme/cluster',
      branch: 'main',
      targetEnvironment: 'dev',
      sourceRef: { name: 'flux-system', namespace: 'flux-system' },
      maxReceives: 5,
      intakeQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/intake',
    });
  });

  it('gives the worker role exactly: logs, Git credentials, consume the feedback queue, send to intake, idempotency rows only, X-Ray', () => {
    // Prepare
    const statements = statementsOfFunction(template, workerFunctionId(template));
    const tableId = idOf(template.findResources('AWS::DynamoDB::GlobalTable'), () => true);
    // Assess
    expect(statements.flatMap(actionsOf).sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:GetSecretValue',
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
      'sqs:SendMessage',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    // Each DynamoDB grant is scoped to its rows: idempotency records, and release rows (the ledger).
    expect(statements.filter((s) => actionsOf(s).includes('dynamodb:PutItem'))).toEqual([
      expect.objectContaining({
        Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['idempotency#feedback'] } },
      }),
      expect.objectContaining({
        Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['release#*'] } },
      }),
    ]);
    expect(statements.find((s) => actionsOf(s).includes('sqs:SendMessage'))?.Resource).toEqual({
      'Fn::GetAtt': [intakeQueueId(template), 'Arn'],
    });
    expect(statements.find((s) => actionsOf(s).includes('sqs:ReceiveMessage'))?.Resource).toEqual({
      'Fn::GetAtt': [feedbackQueueId(template), 'Arn'],
    });
  });

  it('lets the promote function schedule commands on its own queue, with the queue URL in its environment', () => {
    // Prepare
    const promoteId = promoteFunctionId(template);
    const statements = statementsOfFunction(template, promoteId);
    const env = functionsOf(template)[promoteId]!.Properties.Environment.Variables;
    const queueId = intakeQueueId(template);
    // Act
    const config = parsePromoteConfig(resolvedEnv(env));
    // Assess
    expect(statements.find((s) => actionsOf(s).includes('sqs:SendMessage'))).toEqual({
      Effect: 'Allow',
      Action: 'sqs:SendMessage',
      Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
    });
    expect(env.CHART_PROMOTER_INTAKE_QUEUE_URL).toEqual({ Ref: queueId });
    expect(config.intakeQueueUrl).toBe('https://sqs.eu-west-1.amazonaws.com/123456789012/intake');
  });

  it('alarms on release failures (over every environment), endpoint and worker errors and the feedback DLQ, to the alarm topic', () => {
    // Prepare
    const topic = { Ref: idOf(template.findResources('AWS::SNS::Topic'), () => true) };
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const feedbackLogs = functionsOf(template)[workerFunctionId(template)]!.Properties.LoggingConfig.LogGroup;
    // Assess
    // Nine of ours, and the deadline sweep's NotConverged.
    expect(alarms).toHaveLength(10);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([topic]);
      expect(alarm.OKActions).toEqual([topic]);
    }
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: feedbackLogs,
      FilterPattern: '{ $.ReleaseFailed >= 1 }',
      MetricTransformations: [
        {
          MetricName: 'ReleaseFailedTotal',
          MetricNamespace: 'ChartPromoter',
          MetricValue: '$.ReleaseFailed',
        },
      ],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ReleaseFailedTotal',
      Namespace: 'ChartPromoter',
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: feedbackFunctionId(template) } }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: workerFunctionId(template) } }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [feedbackDeadLetterQueueId(template), 'QueueName'] } },
      ],
      Threshold: 1,
      AlarmActions: [topic],
    });
  });

  it('shows lead time, convergence, failures, rollbacks and refused webhooks on the dashboard', () => {
    // Prepare
    const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]!;
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    // Assess
    for (const metric of [
      'MetricName=\\\\\\"UploadToReadyMs\\\\\\"',
      'ReleaseConverged',
      'ReleaseFailed',
      'RollbacksCommitted',
      'FeedbackRejected',
      'Upload to ready (ms)',
      'Feedback endpoint',
      'Feedback queue',
      'Feedback worker',
    ])
      expect(body).toContain(metric);
    expect(body).toMatch(/UploadToReadyMs.{0,40}p50/);
    expect(body).toMatch(/UploadToReadyMs.{0,40}p90/);
  });

  it('outputs the URL for the Flux Provider, the secret ARN for the HMAC key, both log groups and the feedback DLQ', () => {
    // Assess
    template.hasOutput('FeedbackUrl', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('FeedbackFunctionFunctionUrl'), 'FunctionUrl'] },
    });
    template.hasOutput('WebhookSecretArn', { Value: { Ref: Match.stringLikeRegexp('WebhookSecret') } });
    template.hasOutput('FeedbackLogGroupName', { Value: { Ref: Match.stringLikeRegexp('FeedbackLogs') } });
    template.hasOutput('FeedbackWorkerLogGroupName', {
      Value: { Ref: Match.stringLikeRegexp('FeedbackWorkerLogs') },
    });
    template.hasOutput('FeedbackDeadLetterQueueArn', {
      Value: { 'Fn::GetAtt': [feedbackDeadLetterQueueId(template), 'Arn'] },
    });
  });

  it('passes cdk-nag, with the secret rotation acknowledged for a reason', () => {
    // Act + Assess
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('ChartPromotionPipeline feedback props', () => {
  const build = (props: Partial<ChartPromotionPipelineProps>) => {
    const stack = new Stack(newApp(), 'Test');
    new ChartPromotionPipeline(stack, 'Pipeline', { repository: 'acme/cluster', ...props });
    return { stack, template: Template.fromStack(stack) };
  };

  // One synth for both (each costs a second or two): an imported webhook secret, and Jira comments on.
  it('uses an existing webhook secret by ARN, and reads the Jira secret when Jira comments are on', () => {
    // Act
    const { stack, template } = build({
      feedback: { webhookSecretArn: WEBHOOK_SECRET_ARN, maxEventAgeSeconds: 300, reservedConcurrency: 3 },
      jira: { baseUrl: 'https://jira.example.com', secretArn: JIRA_SECRET_ARN },
    });
    const fnId = feedbackFunctionId(template);
    const fn = functionsOf(template)[fnId]!.Properties;
    const statements = statementsOfFunction(template, fnId);
    const worker = functionsOf(template)[workerFunctionId(template)]!.Properties;
    const workerStatements = statementsOfFunction(template, workerFunctionId(template));
    // Assess
    expect(Object.values(template.findResources('AWS::SecretsManager::Secret'))).toHaveLength(1);
    expect(fn.Environment.Variables.CHART_PROMOTER_WEBHOOK_SECRET_ARN).toBe(WEBHOOK_SECRET_ARN);
    expect(fn.Environment.Variables.CHART_PROMOTER_MAX_EVENT_AGE_SECONDS).toBe('300');
    expect(fn.ReservedConcurrentExecutions).toBe(3);
    expect(statements.filter((s) => s.Resource === WEBHOOK_SECRET_ARN)).toEqual([
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: WEBHOOK_SECRET_ARN },
    ]);
    expect(statements.filter((s) => s.Resource === JIRA_SECRET_ARN)).toEqual([]);
    expect(workerStatements.filter((s) => s.Resource === JIRA_SECRET_ARN)).toEqual([
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: JIRA_SECRET_ARN },
    ]);
    expect(parseFeedbackConfig(resolvedEnv(worker.Environment.Variables)).jira).toEqual({
      baseUrl: 'https://jira.example.com',
      secretArn: JIRA_SECRET_ARN,
    });
    expect(nagFindings(stack)).toEqual([]);
  });

  it('deploys no feedback function, worker, queue, URL, secret or alarm when disabled (the ledger stays: promote records its commits)', () => {
    // Act
    const { template } = build({ feedback: { enabled: false } });
    // Assess
    const descriptions = Object.values(functionsOf(template)).map((f) => String(f.Properties.Description));
    // Promote, the board widget, the deadline sweep.
    expect(descriptions).toHaveLength(3);
    expect(descriptions.filter((d) => d.includes('Flux notification'))).toEqual([]);
    template.resourceCountIs('AWS::Lambda::Url', 0);
    // The five pipeline alarms and NotConverged.
    template.resourceCountIs('AWS::CloudWatch::Alarm', 6);
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    expect(Object.keys(queuesOf(template))).toHaveLength(2);
    expect(Object.values(template.findResources('AWS::SecretsManager::Secret'))).toHaveLength(1);
  });

  it.each([
    [
      { maxEventAgeSeconds: 30 },
      'feedback.maxEventAgeSeconds: must be a whole number from 60 to 3600 (got 30)',
    ],
    [
      { reservedConcurrency: 0 },
      'feedback.reservedConcurrency: must be a whole number from 1 to 100 (got 0)',
    ],
    [
      { webhookSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:flux-hmac' },
      'feedback.webhookSecretArn: must be the complete ARN',
    ],
  ])('refuses feedback %o at synth time', (feedback, message) => {
    // Act + Assess
    expect(() => build({ feedback })).toThrow(message);
  });

  it('sends to a KMS-encrypted queue with exactly GenerateDataKey and Decrypt on its key', () => {
    // Prepare
    const stack = new Stack(newApp(), 'Test');
    const key = new Key(stack, 'QueueKey');
    const queue = new Queue(stack, 'Queue', {
      fifo: true,
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: key,
    });
    // Act
    const endpoint = new FeedbackEndpoint(stack, 'Feedback', {
      feedbackQueue: queue,
      maxEventAgeSeconds: 900,
      reservedConcurrency: 2,
      logRetention: 7,
    });
    // Assess
    const statements = policyStatements(Template.fromStack(stack));
    const keyId = stack.getLogicalId(key.node.defaultChild as never);
    const kms = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));
    expect(kms.map((s) => ({ ...s, Action: actionsOf(s).sort() }))).toEqual([
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
      },
    ]);
    expect(endpoint.webhookSecret.secretArn).toBeDefined();
  });
});

describe('sample app context for the feedback endpoint', () => {
  it('reads feedback keys into a feedback group, and leaves it out when none is given', () => {
    // Act
    const config = readAppConfig(
      (key) =>
        ({
          'chartPromoter.webhookSecretArn': WEBHOOK_SECRET_ARN,
          'chartPromoter.maxEventAgeSeconds': '600',
          'chartPromoter.feedbackEnabled': 'true',
        })[key],
    );
    // Assess
    expect(config.pipeline.feedback).toEqual({
      enabled: true,
      webhookSecretArn: WEBHOOK_SECRET_ARN,
      maxEventAgeSeconds: 600,
    });
    expect(readAppConfig(() => undefined).pipeline).not.toHaveProperty('feedback');
  });
});
