import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePromoteConfig } from '../../../functions/config/promote-config';
import { readAppConfig } from '../../../infra/app-context';
import { ChartPromotionPipeline } from '../../../infra/pipeline/chart-promotion-pipeline';
import type { ChartPromotionPipelineProps } from '../../../infra/pipeline/pipeline-props';
import { actionsOf, nagFindings, type Statement } from '../../support/cdk-template';

// Wiring only: bundling is skipped (chart-promoter-stack.test.ts bundles the functions once).
let outdir: string;
const newStack = (): Stack =>
  new Stack(new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } }), 'Test');
beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'chart-promoter-integrations-cdk-'));
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const KEYRING_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:chart-keyring-AbCdEf';
const JIRA_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:jira-token-GhIjKl';

const build = (props: Partial<ChartPromotionPipelineProps>) => {
  const stack = newStack();
  const pipeline = new ChartPromotionPipeline(stack, 'Pipeline', { repository: 'acme/cluster', ...props });
  return { stack, pipeline, template: Template.fromStack(stack) };
};

const idOf = (stack: Stack, construct: IConstruct): string =>
  stack.getLogicalId(construct.node.defaultChild as CfnElement);
const statementsOfRole = (template: Template, roleId: string): Statement[] =>
  Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
const secretsReadBy = (statements: Statement[]): unknown[] =>
  statements.filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue')).map((s) => s.Resource);
const envOf = (template: Template, stack: Stack, fn: IConstruct): Record<string, unknown> =>
  template.toJSON().Resources[idOf(stack, fn)].Properties.Environment.Variables;

describe('provenance and Jira props validation', () => {
  it.each([
    [{ provenance: {} }, 'provenance: give exactly one of keyringS3Uri and keyringSecretArn (got 0)'],
    [
      { provenance: { keyringS3Uri: 's3://acme-keys/keyring.asc', keyringSecretArn: KEYRING_ARN } },
      'provenance: give exactly one of keyringS3Uri and keyringSecretArn (got 2)',
    ],
    [
      { provenance: { keyringS3Uri: 'https://acme-keys.s3.amazonaws.com/k.asc' } },
      'provenance.keyringS3Uri: must be s3://<bucket>/<key>',
    ],
    [
      { provenance: { keyringS3Uri: 's3://acme-keys/keys/*.asc' } },
      'provenance.keyringS3Uri: the key may not contain "*" or "?"',
    ],
    [
      { provenance: { keyringSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:keyring' } },
      'provenance.keyringSecretArn: must be the complete ARN',
    ],
    [
      { jira: { baseUrl: 'http://jira.example.com', secretArn: JIRA_ARN } },
      'jira.baseUrl: must be an https:// URL',
    ],
    [
      { jira: { baseUrl: 'http://127.0.0.1:8080', secretArn: JIRA_ARN } },
      'jira.baseUrl: must be an https:// URL',
    ],
    [
      { jira: { baseUrl: 'https://jira.example.com/rest/api/2', secretArn: JIRA_ARN } },
      'jira.baseUrl: must be the site root, without /rest/api/...',
    ],
    [
      { jira: { baseUrl: 'https://jira.example.com', secretArn: 'jira' } },
      'jira.secretArn: must be the complete ARN',
    ],
  ] as [Partial<ChartPromotionPipelineProps>, string][])('refuses %o at synth time', (props, message) => {
    // Act + Assess
    expect(() => build(props)).toThrow(message);
  });
});

describe('a pipeline with an S3 keyring and Jira', () => {
  let built: ReturnType<typeof build>;
  beforeAll(() => {
    built = build({
      provenance: { keyringS3Uri: 's3://acme-keys/chart-promoter/keyring.asc' },
      jira: { baseUrl: 'https://example.atlassian.net', secretArn: JIRA_ARN },
    });
  });

  it('lets the promote function read exactly the keyring object and the Jira secret', () => {
    // Prepare
    const { stack, pipeline, template } = built;
    const statements = statementsOfRole(template, idOf(stack, pipeline.promote.role));
    // Assess
    const keyringRead = statements.filter(
      (s) => actionsOf(s).length === 1 && actionsOf(s)[0] === 's3:GetObject',
    );
    expect(keyringRead).toEqual([
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::acme-keys/chart-promoter/keyring.asc']],
        },
      },
    ]);
    expect(secretsReadBy(statements)).toEqual([{ Ref: idOf(stack, pipeline.credentials.secret) }, JIRA_ARN]);
    expect(
      statements
        .flatMap(actionsOf)
        .filter((a) => a.startsWith('s3:'))
        .sort(),
    ).toEqual([
      's3:GetObject',
      's3:GetObject',
      's3:GetObjectVersion',
      's3:PutObjectTagging',
      's3:PutObjectVersionTagging',
    ]);
  });

  it('covers the .prov beside each chart with the existing grant on the upload prefix', () => {
    // Prepare
    const { stack, pipeline, template } = built;
    const statements = statementsOfRole(template, idOf(stack, pipeline.promote.role));
    const prefixGrant = statements.find((s) => actionsOf(s).includes('s3:PutObjectTagging'));
    // Act: the IAM resource suffix as a pattern (`*` = any characters, `/` included)
    const suffix = '/incoming/*';
    const pattern = new RegExp(`^${suffix.replace('*', '.*')}$`);
    // Assess
    expect(prefixGrant?.Resource).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [idOf(stack, pipeline.intake.bucket), 'Arn'] }, suffix]],
    });
    expect(pattern.test('/incoming/team-a/web-1.2.0.tgz.prov')).toBe(true);
    expect(pattern.test('/outgoing/web-1.2.0.tgz.prov')).toBe(false);
  });

  it('passes the keyring to the promote function only and Jira to both, in a form their config accepts', () => {
    // Prepare
    const { stack, pipeline, template } = built;
    const promoteEnv = envOf(template, stack, pipeline.promote.function);
    // Act
    const config = parsePromoteConfig({
      ...(promoteEnv as Record<string, string>),
      CHART_PROMOTER_CREDENTIALS_SECRET_ARN: KEYRING_ARN,
      CHART_PROMOTER_INTAKE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/intake',
    });
    // Assess
    expect(config.keyring).toEqual({ kind: 's3', bucket: 'acme-keys', key: 'chart-promoter/keyring.asc' });
    expect(config.jira).toEqual({ baseUrl: 'https://example.atlassian.net', secretArn: JIRA_ARN });
    const feedbackEnv = envOf(template, stack, pipeline.feedbackWorker!.function);
    // The feedback worker comments on the promotions and rollbacks it makes; it checks no provenance.
    expect(Object.keys(feedbackEnv).filter((k) => /KEYRING|JIRA/.test(k))).toEqual([
      'CHART_PROMOTER_JIRA_BASE_URL',
      'CHART_PROMOTER_JIRA_SECRET_ARN',
    ]);
    expect(feedbackEnv.CHART_PROMOTER_JIRA_SECRET_ARN).toBe(JIRA_ARN);
    const feedbackSecrets = secretsReadBy(
      statementsOfRole(template, idOf(stack, pipeline.feedbackWorker!.role)),
    );
    expect(feedbackSecrets).toContain(JIRA_ARN);
  });

  it('still passes cdk-nag', () => {
    // Act + Assess
    expect(nagFindings(built.stack)).toEqual([]);
  });
});

describe('a pipeline with a Secrets Manager keyring', () => {
  it('reads the keyring secret (and no S3 object outside the prefix), env and grant naming the same ARN', () => {
    // Act
    const { stack, pipeline, template } = build({ provenance: { keyringSecretArn: KEYRING_ARN } });
    // Assess
    const statements = statementsOfRole(template, idOf(stack, pipeline.promote.role));
    expect(secretsReadBy(statements)).toEqual([
      { Ref: idOf(stack, pipeline.credentials.secret) },
      KEYRING_ARN,
    ]);
    expect(statements.filter((s) => actionsOf(s).includes('s3:GetObject'))).toHaveLength(1);
    const env = envOf(template, stack, pipeline.promote.function);
    expect(env.CHART_PROMOTER_KEYRING_SECRET_ARN).toBe(KEYRING_ARN);
    expect(env).not.toHaveProperty('CHART_PROMOTER_KEYRING_S3_URI');
    expect(env).not.toHaveProperty('CHART_PROMOTER_JIRA_BASE_URL');
    expect(nagFindings(stack)).toEqual([]);
  });

  it('accepts a keyring bucket made in the same app (its name a token)', () => {
    // Prepare
    const stack = newStack();
    const keys = new Bucket(stack, 'Keys');
    // Act
    const pipeline = new ChartPromotionPipeline(stack, 'Pipeline', {
      repository: 'acme/cluster',
      provenance: { keyringS3Uri: `s3://${keys.bucketName}/keyring.asc` },
    });
    // Assess
    const template = Template.fromStack(stack);
    const statements = statementsOfRole(template, idOf(stack, pipeline.promote.role));
    const keyringRead = statements.find((s) => s.Action === 's3:GetObject');
    expect(keyringRead?.Resource).toEqual({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { Ref: idOf(stack, keys) }, '/keyring.asc'],
      ],
    });
    expect(envOf(template, stack, pipeline.promote.function).CHART_PROMOTER_KEYRING_S3_URI).toEqual({
      'Fn::Join': ['', ['s3://', { Ref: idOf(stack, keys) }, '/keyring.asc']],
    });
  });
});

describe('cdk.json context keys', () => {
  const context = (values: Record<string, unknown>) => (key: string) => values[key];

  it('reads the keyring and Jira keys into the provenance and jira props', () => {
    // Act
    const config = readAppConfig(
      context({
        'chartPromoter.keyringSecretArn': KEYRING_ARN,
        'chartPromoter.jiraBaseUrl': 'https://jira.example.com',
        'chartPromoter.jiraSecretArn': JIRA_ARN,
      }),
    );
    // Assess
    expect(config.pipeline.provenance).toEqual({ keyringSecretArn: KEYRING_ARN });
    expect(config.pipeline.jira).toEqual({ baseUrl: 'https://jira.example.com', secretArn: JIRA_ARN });
    expect(readAppConfig(context({})).pipeline).not.toHaveProperty('provenance');
  });

  it('refuses one Jira key without the other', () => {
    // Act + Assess
    expect(() => readAppConfig(context({ 'chartPromoter.jiraBaseUrl': 'https://jira.example.com' }))).toThrow(
      'chartPromoter.jiraBaseUrl and chartPromoter.jiraSecretArn: give both or neither',
    );
  });
});
