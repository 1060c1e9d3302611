import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitHostKindList } from '../../../functions/adapters/git-hosts/registry';
import { parsePromoteConfig } from '../../../functions/config/promote-config';
import { EXAMPLE_REPOSITORY, readAppConfig } from '../../../infra/app-context';
import { ChartPromoterStack } from '../../../infra/chart-promoter-stack';
import { AlarmDestinations } from '../../../infra/monitoring/alarm-destination';
import { ChartPromotionPipeline } from '../../../infra/pipeline/chart-promotion-pipeline';
import type { ChartPromotionPipelineProps } from '../../../infra/pipeline/pipeline-props';
import { actionsOf, nagFindings, policyStatements } from '../../support/cdk-template';

// These tests are about the construct's wiring, not the bundle (chart-promoter-stack.test.ts builds
// that once): skipping bundling keeps each synth well under a second.
let outdir: string;
const newStack = (): Stack => {
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  return new Stack(app, 'Test');
};
beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'chart-promoter-cdk-'));
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:ops-alerts';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cluster-git-AbCdEf';
const WEBHOOK_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:flux-hmac-GhIjKl';

describe('ChartPromotionPipeline props validation', () => {
  const build = (props: Partial<ChartPromotionPipelineProps>) => () =>
    new ChartPromotionPipeline(newStack(), 'Pipeline', { repository: 'acme/cluster', ...props });

  it.each([
    [{ repository: 'not a repository' }, 'repository: must be "owner/name" for gitHostKind github'],
    [
      { gitHostKind: 'git', repository: 'git@host:acme/cluster.git' },
      'repository: must be an https:// clone URL',
    ],
    [{ gitHostKind: 'svn' as never }, `gitHostKind: must be ${gitHostKindList()} (got "svn")`],
    [
      { gitHostKind: 'git', repository: 'https://git.example.com/c.git', gitHostBaseUrl: 'https://x' },
      'gitHostBaseUrl: does not apply to gitHostKind git',
    ],
    [
      { gitHostKind: 'bitbucket', repository: 'acme/team/cluster' },
      'repository: a Bitbucket repository is workspace/repo_slug (one "/"), got "acme/team/cluster" for gitHostKind bitbucket',
    ],
    [
      {
        gitHostKind: 'bitbucket',
        repository: 'acme/cluster',
        gitHostBaseUrl: 'https://bitbucket.example.com',
      },
      'gitHostBaseUrl: does not apply to gitHostKind bitbucket',
    ],
    [
      { gitHostKind: 'gitlab', repository: 'https://gitlab.com/acme/cluster' },
      'is a URL: give the project path (group/subgroup/project) and the instance as the base URL for gitHostKind gitlab',
    ],
    [
      { gitHostKind: 'gitlab', repository: 'acme/cluster', gitHostBaseUrl: 'http://gitlab.example.com' },
      'gitHostBaseUrl: must be an https:// URL',
    ],
    [
      {
        gitHostKind: 'gitlab',
        repository: 'acme/cluster',
        gitHostBaseUrl: 'https://gitlab.example.com/?x=1',
      },
      'gitHostBaseUrl: must be the instance root, without a query or fragment for gitHostKind gitlab',
    ],
    [{ branch: 'feature..x' }, 'branch: not a valid git branch name'],
    [{ targetEnvironment: 'Prod' }, 'targetEnvironment: must be a lower-case RFC 1123 label'],
    [{ bucketPrefix: 'incoming' }, 'bucketPrefix: must be "" or path segments'],
    [{ bucketPrefix: 'in*coming/' }, 'bucketPrefix: must be "" or path segments'],
    [{ batchSize: 0 }, 'batchSize: must be a whole number from 1 to 10000 (got 0)'],
    [{ batchSize: 20_000 }, 'batchSize: must be a whole number from 1 to 10000 (got 20000)'],
    [
      { batchSize: 50, maxBatchingWindow: Duration.seconds(0) },
      'batchSize: above 10 needs maxBatchingWindow',
    ],
    [
      { maxBatchingWindow: Duration.minutes(6) },
      'maxBatchingWindow: must be whole seconds from 0 s to 300 s',
    ],
    [{ maxConcurrency: 1 }, 'maxConcurrency: must be a whole number from 2 to 1000 (got 1)'],
    [{ functionTimeout: Duration.minutes(16) }, 'functionTimeout: must be whole seconds from 1 s to 900 s'],
    [
      { functionTimeout: Duration.minutes(3), queueVisibilityTimeout: Duration.minutes(5) },
      'queueVisibilityTimeout: must be at least 6 × functionTimeout = 1080 s (got 300 s)',
    ],
    [{ maxReceiveCount: 0 }, 'maxReceiveCount: must be a whole number from 1 to 1000'],
    [{ memorySize: 64 }, 'memorySize: must be a whole number from 128 to 10240 MB'],
    [{ archiveRetention: Duration.hours(36) }, 'archiveRetention: must be whole days'],
    [{ intakeLimits: { maxEntries: -1 } }, 'intakeLimits.maxEntries: must be a whole number'],
  ] as [Partial<ChartPromotionPipelineProps>, string][])('refuses %o at synth time', (props, message) => {
    // Act + Assess
    expect(build(props)).toThrow(message);
  });

  it('names every invalid prop in one error, so one synth shows them all', () => {
    // Act
    const error = (() => {
      try {
        build({ repository: 'x', batchSize: 0, maxConcurrency: 1 })();
      } catch (caught) {
        return caught as Error & { issues?: string[] };
      }
    })();
    // Assess
    expect(error?.name).toBe('PipelinePropsError');
    expect(error?.message).toMatch(/^Invalid ChartPromotionPipeline props:\n {2}- repository:/);
    expect(error?.issues?.map((issue) => issue.split(':')[0])).toEqual([
      'repository',
      'batchSize',
      'maxConcurrency',
    ]);
  });

  it('deploys against a self-managed GitLab: its base URL reaches the function, the new secret says what to put in it', () => {
    // Act
    const pipeline = new ChartPromotionPipeline(newStack(), 'Pipeline', {
      repository: 'platform/clusters/prod',
      gitHostKind: 'gitlab',
      gitHostBaseUrl: 'https://gitlab.example.com',
    });
    // Assess
    const template = Template.fromStack(Stack.of(pipeline));
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Description: Match.stringLikeRegexp(
        'GitLab credentials .*\\{"token"\\} \\(a project, group or personal access token with scope api',
      ),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          CHART_PROMOTER_GIT_HOST_KIND: 'gitlab',
          CHART_PROMOTER_REPOSITORY: 'platform/clusters/prod',
          CHART_PROMOTER_GIT_HOST_BASE_URL: 'https://gitlab.example.com',
        }),
      },
    });
  });

  it('accepts valid props, and a new topic with an https subscription only for an https endpoint', () => {
    // Act
    const pipeline = new ChartPromotionPipeline(newStack(), 'Pipeline', {
      repository: 'acme/cluster',
      alarmDestination: AlarmDestinations.newTopic({
        httpsEndpoint: 'https://api.opsgenie.com/v1/json/amazonsns?apiKey=k',
      }),
    });
    // Assess
    Template.fromStack(Stack.of(pipeline)).hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'https',
      Endpoint: 'https://api.opsgenie.com/v1/json/amazonsns?apiKey=k',
    });
    expect(
      () =>
        new ChartPromotionPipeline(newStack(), 'Pipeline', {
          repository: 'acme/cluster',
          alarmDestination: AlarmDestinations.newTopic({ httpsEndpoint: 'http://insecure.example.com' }),
        }),
    ).toThrow('alarm httpsEndpoint must be an https:// URL');
  });
});

describe('ChartPromotionPipeline with existing resources, a plain git host and the whole bucket', () => {
  let stack: Stack;
  let template: Template;
  let pipeline: ChartPromotionPipeline;
  beforeAll(() => {
    stack = newStack();
    pipeline = new ChartPromotionPipeline(stack, 'Pipeline', {
      repository: 'https://git.example.com/platform/cluster.git',
      gitHostKind: 'git',
      branch: 'release/clusters',
      credentialsSecret: Secret.fromSecretCompleteArn(stack, 'Secret', SECRET_ARN),
      alarmDestination: AlarmDestinations.topic(Topic.fromTopicArn(stack, 'Topic', TOPIC_ARN)),
      bucketPrefix: '',
      targetEnvironment: 'staging',
      batchSize: 100,
      maxBatchingWindow: Duration.seconds(60),
      maxConcurrency: 5,
      functionTimeout: Duration.minutes(5),
      maxReceiveCount: 3,
      logRetention: RetentionDays.ONE_YEAR,
      intakeLimits: { maxEntries: 500 },
      feedback: { webhookSecretArn: WEBHOOK_SECRET_ARN },
    });
    template = Template.fromStack(stack);
  });

  it('uses the given topic and secrets instead of creating them', () => {
    // Assess
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm')))
      expect(alarm.Properties.AlarmActions).toEqual([TOPIC_ARN]);
    const secretResources = policyStatements(template)
      .filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))
      .map((s) => s.Resource);
    // Promote and the feedback worker read the credentials; the feedback endpoint the webhook key.
    expect(secretResources.sort()).toEqual([SECRET_ARN, SECRET_ARN, WEBHOOK_SECRET_ARN]);
  });

  it('matches chart archives anywhere in the bucket and scopes S3 access to all objects', () => {
    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        detail: {
          object: {
            key: [
              { wildcard: '*.tgz' },
              { wildcard: '*.tar.gz' },
              { wildcard: '*.tgz.prov' },
              { wildcard: '*.tar.gz.prov' },
              { wildcard: '*Chart.yaml' },
            ],
          },
        },
      },
    });
    const s3 = policyStatements(template).find((s) => actionsOf(s).includes('s3:GetObject'));
    expect(JSON.stringify(s3?.Resource)).toMatch(/"\/\*"\]\]\}$/);
  });

  it('sizes the event source and queue from the props: visibility = 6 × timeout + batching window', () => {
    // Assess
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 60,
      ScalingConfig: { MaximumConcurrency: 5 },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 6 * 300 + 60,
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 3 }),
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 300 });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  it('passes the git host settings in an environment the function config accepts', () => {
    // Act
    const promoteId = stack.getLogicalId(pipeline.promote.function.node.defaultChild as CfnElement);
    const env = template.toJSON().Resources[promoteId].Properties.Environment.Variables;
    const config = parsePromoteConfig({
      ...env,
      CHART_PROMOTER_INTAKE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/intake',
    });
    // Assess
    expect(config).toMatchObject({
      repository: 'https://git.example.com/platform/cluster.git',
      gitHostKind: 'git',
      branch: 'release/clusters',
      bucketPrefix: '',
      targetEnvironment: 'staging',
      credentialsSecretArn: SECRET_ARN,
      limits: { maxEntries: 500 },
    });
  });

  it('still passes cdk-nag (the prefix acknowledgement follows the bucket and prefix)', () => {
    // Act + Assess
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('cdk-nag harness', () => {
  it('does report findings: a bare bucket fails S1 (access logs) and S10 (TLS only)', () => {
    // Prepare
    const stack = newStack();
    new Bucket(stack, 'Bare');
    // Act
    const findings = nagFindings(stack);
    // Assess
    expect(findings.some((f) => f.includes('AwsSolutions-S1 '))).toBe(true);
    expect(findings.some((f) => f.includes('AwsSolutions-S10 '))).toBe(true);
  });
});

describe('sample app configuration (cdk.json context)', () => {
  const context = (values: Record<string, unknown>) => (key: string) => values[key];

  it('synthesizes with no context at all, from documented defaults', () => {
    // Act
    const config = readAppConfig(context({}));
    // Assess
    expect(config).toEqual({
      stackName: 'ChartPromoter',
      nag: true,
      pipeline: { repository: EXAMPLE_REPOSITORY },
    });
  });

  it('reads -c strings and cdk.json values alike', () => {
    // Act
    const config = readAppConfig(
      context({
        'chartPromoter.repository': 'acme/cluster',
        'chartPromoter.batchSize': '25',
        'chartPromoter.maxConcurrency': 3,
        'chartPromoter.logRetentionDays': '7',
        'chartPromoter.functionTimeoutSeconds': '240',
        'chartPromoter.nag': 'false',
        'chartPromoter.alarmHttpsEndpoint': 'https://api.opsgenie.com/v1/json/amazonsns?apiKey=k',
      }),
    );
    // Assess
    expect(config.nag).toBe(false);
    expect(config.pipeline).toMatchObject({
      repository: 'acme/cluster',
      batchSize: 25,
      maxConcurrency: 3,
      logRetention: RetentionDays.ONE_WEEK,
      alarmHttpsEndpoint: 'https://api.opsgenie.com/v1/json/amazonsns?apiKey=k',
    });
    expect(config.pipeline.functionTimeout?.toSeconds()).toBe(240);
  });

  it.each([
    [{ 'chartPromoter.batchSize': 'ten' }, 'chartPromoter.batchSize: must be a whole number'],
    [
      { 'chartPromoter.logRetentionDays': '8' },
      "chartPromoter.logRetentionDays: must be one of CloudWatch's",
    ],
    [{ 'chartPromoter.gitHostKind': 'svn' }, `chartPromoter.gitHostKind: must be ${gitHostKindList()}`],
    [{ 'chartPromoter.nag': 'maybe' }, 'chartPromoter.nag: must be true or false'],
  ])('refuses bad context %o', (values, message) => {
    // Act + Assess
    expect(() => readAppConfig(context(values))).toThrow(message);
  });

  it('refuses an alarm topic and an alarm endpoint together', () => {
    // Act + Assess
    expect(
      () =>
        new ChartPromoterStack(new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } }), 'S', {
          pipeline: { repository: 'acme/cluster', alarmTopicArn: TOPIC_ARN, alarmHttpsEndpoint: 'https://x' },
        }),
    ).toThrow('alarmTopicArn and alarmHttpsEndpoint exclude each other');
  });
});
