import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App, type CfnElement, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePromoteConfig } from '../../../functions/config/promote-config';
import { readAppConfig } from '../../../infra/app-context';
import { ChartPromoterStack } from '../../../infra/chart-promoter-stack';
import { actionsOf, nagFindings, onlyResource, type Statement } from '../../support/cdk-template';

// One synth for the whole file, exactly as infra/app.ts builds it with no context at all (the real
// esbuild bundle of functions/handlers/promote.ts included): bundling is the slow part, so it runs once.
let app: App;
let stack: ChartPromoterStack;
let template: Template;
let assemblyDir: string;
let outdir: string;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'chart-promoter-cdk-'));
  app = new App({ outdir });
  const config = readAppConfig((key) => app.node.tryGetContext(key));
  stack = new ChartPromoterStack(app, config.stackName, { pipeline: config.pipeline });
  // The plugin makes synth itself fail on any unacknowledged finding, as in `cdk synth`.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const assembly = app.synth();
  assemblyDir = assembly.directory;
  template = Template.fromJSON(assembly.getStackByName(stack.stackName).template);
  // Five bundles (promote, feedback endpoint, feedback worker, board widget, deadline sweep) built by
  // esbuild: minutes on a loaded 2-core machine.
}, 600_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const ref = (template: Template, type: string) => ({ Ref: onlyResource(template, type).id });
/** Logical id of a construct's CloudFormation resource: tells the promote and feedback functions apart. */
const idOf = (construct: IConstruct): string => stack.getLogicalId(construct.node.defaultChild as CfnElement);
const resource = (construct: IConstruct) => template.toJSON().Resources[idOf(construct)];
const promoteFunction = () => resource(stack.pipeline.promote.function).Properties;
const promoteLogs = () => ({ Ref: idOf(stack.pipeline.promote.logGroup) });
const credentialsSecret = () => ({ Ref: idOf(stack.pipeline.credentials.secret) });
const queueIds = () => {
  const queues = Object.entries(template.findResources('AWS::SQS::Queue'));
  // The intake queues (the feedback queues are FIFO).
  const main = queues.find(([, q]) => q.Properties.RedrivePolicy !== undefined && !q.Properties.FifoQueue);
  const dlq = queues.find(([, q]) => q.Properties.RedrivePolicy === undefined && !q.Properties.FifoQueue);
  return { queue: main![0], dlq: dlq![0] };
};
const uploadsBucketId = () =>
  Object.entries(template.findResources('AWS::S3::Bucket')).find(
    ([, b]) => b.Properties.VersioningConfiguration,
  )![0];

describe('intake', () => {
  it('hardens the upload bucket: versioned, encrypted, private, TLS-only, logged, EventBridge on', () => {
    // Assess
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } })]),
      },
      LoggingConfiguration: { DestinationBucketName: { Ref: Match.anyValue() }, LogFilePrefix: 'uploads/' },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: uploadsBucketId() },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    // No custom-resource Lambda to switch EventBridge on: promote, the feedback endpoint and worker, the
    // board widget and the deadline sweep are the only ones.
    template.resourceCountIs('AWS::Lambda::Function', 5);
  });

  // A chart directory uploaded file by file (aws s3 cp --recursive) must reach the pipeline through its
  // Chart.yaml (one CHART_NOT_PACKAGED outcome); its other files must not (EventBridge wildcard
  // matching: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-wildcard-matching).
  it('routes Object Created events of .tgz and .tar.gz keys (and their .prov), and Chart.yaml keys, under the prefix to the queue', () => {
    // Assess
    const { queue, dlq } = queueIds();
    const pattern = {
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: {
        bucket: { name: [{ Ref: uploadsBucketId() }] },
        object: {
          key: [
            { wildcard: 'incoming/*.tgz' },
            { wildcard: 'incoming/*.tar.gz' },
            { wildcard: 'incoming/*.tgz.prov' },
            { wildcard: 'incoming/*.tar.gz.prov' },
            { wildcard: 'incoming/*Chart.yaml' },
            // Values uploads (functions/events/config-upload.ts).
            { wildcard: 'config/*.values.yaml' },
          ],
        },
      },
    };
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: pattern,
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [queue, 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Events::Archive', { EventPattern: pattern, RetentionDays: 90 });
  });

  it('gives the queue a dead-letter queue after 5 receives and a visibility of at least 6 × the timeout', () => {
    // Assess
    const { queue, dlq } = queueIds();
    const queueProps = template.toJSON().Resources[queue].Properties;
    const fn = promoteFunction();
    expect(queueProps.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] },
      maxReceiveCount: 5,
    });
    expect(queueProps.VisibilityTimeout).toBeGreaterThanOrEqual(6 * fn.Timeout);
    expect(queueProps.SqsManagedSseEnabled).toBe(true);
    for (const id of [queue, dlq])
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
  });
});

describe('promote function', () => {
  it('runs on Node 22, x86-64, with the helm layer, X-Ray, JSON logs to its own log group', () => {
    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['x86_64'],
      Handler: 'index.handler',
      MemorySize: 1024,
      Timeout: 180,
      Layers: [ref(template, 'AWS::Lambda::LayerVersion')],
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: promoteLogs() },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('consumes the queue in batches, reporting item failures, with at most 2 concurrent writers', () => {
    // Assess
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueIds().queue, 'Arn'] },
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 20,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  it('passes an environment the function config module accepts, with the same values', () => {
    // Prepare
    const env = promoteFunction().Environment.Variables;
    const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:git-AbCdEf';
    // Act
    const queueUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/intake';
    const config = parsePromoteConfig({
      ...env,
      CHART_PROMOTER_CREDENTIALS_SECRET_ARN: secretArn,
      CHART_PROMOTER_INTAKE_QUEUE_URL: queueUrl,
    });
    // Assess
    expect(env.CHART_PROMOTER_CREDENTIALS_SECRET_ARN).toEqual(credentialsSecret());
    expect(env.CHART_PROMOTER_INTAKE_QUEUE_URL).toEqual({ Ref: queueIds().queue });
    expect(config).toMatchObject({
      repository: 'example-org/cluster-config',
      branch: 'main',
      gitHostKind: 'github',
      bucketPrefix: 'incoming/',
      targetEnvironment: 'dev',
      helmRenderCheck: true,
      sourceRef: { name: 'flux-system', namespace: 'flux-system' },
      intakeQueueUrl: queueUrl,
    });
  });

  it('holds exactly the permissions it uses: objects under the prefix, the one secret, the queue, the ledger', () => {
    // Prepare
    const roleId = idOf(stack.pipeline.promote.role);
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
    const byAction = (action: string) => statements.find((s) => actionsOf(s).includes(action));
    // Assess
    expect(statements.flatMap(actionsOf).filter((action) => action.includes('*'))).toEqual([]);
    expect(byAction('s3:GetObject')).toEqual({
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObjectTagging', 's3:PutObjectVersionTagging'],
      Resource: [
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [uploadsBucketId(), 'Arn'] }, '/incoming/*']] },
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [uploadsBucketId(), 'Arn'] }, '/config/*']] },
      ],
    });
    expect(byAction('secretsmanager:GetSecretValue')).toEqual({
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: credentialsSecret(),
    });
    expect(byAction('sqs:ReceiveMessage')?.Resource).toEqual({ 'Fn::GetAtt': [queueIds().queue, 'Arn'] });
    // Soak scheduling: commands not due yet go back on the same queue, nothing else.
    expect(byAction('sqs:SendMessage')).toEqual({
      Effect: 'Allow',
      Action: 'sqs:SendMessage',
      Resource: { 'Fn::GetAtt': [queueIds().queue, 'Arn'] },
    });
    expect(byAction('logs:PutLogEvents')?.Resource).toEqual({
      'Fn::GetAtt': [idOf(stack.pipeline.promote.logGroup), 'Arn'],
    });
    // Only X-Ray (no resource-level permissions exist for it) may use Resource "*".
    const starResources = statements.filter((s) => s.Resource === '*').flatMap(actionsOf);
    expect(starResources.sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    // The release ledger: read a record's revision, write it conditionally; that table's release rows only.
    expect(byAction('dynamodb:PutItem')).toEqual({
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      Resource: { 'Fn::GetAtt': [idOf(stack.pipeline.ledger.table), 'Arn'] },
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['release#*'] } },
    });
    expect(statements.flatMap(actionsOf).sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      's3:GetObject',
      's3:GetObjectVersion',
      's3:PutObjectTagging',
      's3:PutObjectVersionTagging',
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
    // No AWS managed policy on any role (AWSLambdaBasicExecutionRole may write to every log group).
    for (const role of Object.values(template.findResources('AWS::IAM::Role')))
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it.each([
    ['promote', () => stack.pipeline.promote.function],
    ['feedback', () => stack.pipeline.feedback!.function],
    ['feedback worker', () => stack.pipeline.feedbackWorker!.function],
    ['board widget', () => stack.pipeline.board.function],
    ['deadline sweep', () => stack.pipeline.deadlines.function],
  ])(
    '%s is bundled by the local esbuild into a minified ESM file that parses, with require available',
    async (name, fn) => {
      // Prepare
      const { S3Key } = resource(fn()).Properties.Code;
      const bundle = join(assemblyDir, `asset.${String(S3Key).replace(/\.zip$/, '')}`, 'index.mjs');
      // Act
      const { stderr } = await promisify(execFile)(process.execPath, ['--check', bundle]);
      // Assess
      const bytes = statSync(bundle).size;
      const head = readFileSync(bundle, 'utf8').slice(0, 200);
      expect(stderr).toBe('');
      expect(head).toContain('createRequire');
      expect(bytes).toBeLessThan(10 * 1024 * 1024);
      console.info(`${name} bundle: ${(bytes / 1024).toFixed(0)} KiB minified (${bundle})`);
    },
  );
});

describe('board widget function', () => {
  // The deployed artifact itself, in a fresh node process, fed the events a dashboard sends
  // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/add_custom_widget_dashboard_about.html).
  it('answers describe with Markdown and a widget call with the board, saying no ledger is deployed yet', async () => {
    // Prepare
    const { S3Key } = resource(stack.pipeline.board.function).Properties.Code;
    const bundle = join(assemblyDir, `asset.${String(S3Key).replace(/\.zip$/, '')}`, 'index.mjs');
    const script = `
      const { handler } = await import(${JSON.stringify(bundle)});
      const context = { invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:board', functionName: 'board', awsRequestId: '1' };
      const docs = await handler({ describe: true }, context);
      const html = await handler({ widgetContext: { theme: 'dark', forms: { all: {} }, params: {}, width: 588, height: 369 } }, context);
      process.stdout.write(JSON.stringify({ docs, html }));`;
    // Act
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', POWERTOOLS_LOG_LEVEL: 'SILENT' },
    });
    const { docs, html } = JSON.parse(stdout) as { docs: string; html: string };
    // Assess
    expect(docs).toMatch(/^## chart-promoter promotion board/);
    expect(html.startsWith('<div class="cwdb-no-default-styles"></div><style>')).toBe(true);
    expect(html).toContain('<div class="cpb" data-theme="dark">');
    expect(html).toContain('No release ledger is deployed with this stack yet');
    expect(html).not.toContain('<script');
  });
});

describe('monitoring', () => {
  it('wires ten alarms (five pipeline, four feedback, one not-converged) to the alarm topic, for ALARM and OK', () => {
    // Prepare
    const topic = ref(template, 'AWS::SNS::Topic');
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    // Assess
    expect(alarms).toHaveLength(10);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([topic]);
      expect(alarm.Properties.OKActions).toEqual([topic]);
    }
    const { queue, dlq } = queueIds();
    const queueName = (id: string) => [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id, 'QueueName'] } }];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: queueName(dlq),
      Threshold: 1,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: queueName(queue),
      Threshold: 900,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Throttles',
      Namespace: 'AWS/Lambda',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ChartsRefusedTotal',
      Namespace: 'ChartPromoter',
      Threshold: 5,
    });
  });

  it('counts refusals over every code from the EMF lines, and encrypts the new topic', () => {
    // Assess
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: promoteLogs(),
      FilterPattern: '{ $.ChartsRefused >= 1 }',
      MetricTransformations: [
        {
          MetricName: 'ChartsRefusedTotal',
          MetricNamespace: 'ChartPromoter',
          MetricValue: '$.ChartsRefused',
        },
      ],
    });
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [onlyResource(template, 'AWS::KMS::Key').id, 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('has a dashboard with the pipeline metrics, queue and DLQ depth, and saved run queries', () => {
    // Prepare
    const body = JSON.stringify(
      onlyResource(template, 'AWS::CloudWatch::Dashboard').properties.DashboardBody,
    );
    const queries = Object.values(template.findResources('AWS::Logs::QueryDefinition')).map(
      (q) => q.Properties,
    );
    // Assess
    for (const metric of [
      'ChartsPromoted',
      'ChartsRefused',
      'PromotionDurationMs',
      'GitHostRequests',
      'CommitConflictsRetried',
      'ApproximateAgeOfOldestMessage',
      'ApproximateNumberOfMessagesVisible',
      'Throttles',
    ])
      expect(body).toContain(metric);
    expect(body).toContain('DLQ depth');
    expect(queries.map((q) => q.Name).sort()).toEqual([
      'ChartPromoter/refusals',
      'ChartPromoter/run-by-id',
      'ChartPromoter/runs',
    ]);
    for (const query of queries) {
      // The deadline sweep's not-converged lines carry runId and status too: its log group joins.
      expect(query.LogGroupNames).toEqual([promoteLogs(), { Ref: idOf(stack.pipeline.deadlines.logGroup) }]);
      for (const field of ['runId', 'chart', 'version', 'environment', 'commit', 'status'])
        expect(query.QueryString).toContain(field);
    }
  });
});

describe('cdk-nag', () => {
  it('reports no unacknowledged AwsSolutions finding, and every acknowledgement has a reason', () => {
    // Act
    const findings = nagFindings(app);
    // Assess
    expect(findings).toEqual([]);
    const reasons = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata)
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.values(m.data as Record<string, { reason: string } | string>));
    expect(reasons.length).toBeGreaterThanOrEqual(4);
    for (const reason of reasons)
      expect(typeof reason === 'string' ? reason : reason.reason).toMatch(/\w{3,}.{20,}/);
  });
});
