import { describe, expect, inject, it } from 'vitest';
import { type LocalAccount, resolveEnvironment } from './support/local-resources';
import { readSynthesizedApp } from './support/synthesized-app';

/**
 * The template's tokens as the functions' environments see them locally: values of the shape
 * CloudFormation gives (a secret ARN the composition's config accepts, a queue URL), and a clear
 * failure for a token the harness cannot answer, naming the variable.
 */
const app = await readSynthesizedApp(inject('synthDir'));
const local: LocalAccount = {
  region: 'eu-west-1',
  account: '123456789012',
  stackName: app.stackName,
  sqsEndpoint: 'http://127.0.0.1:4566',
};
const idOf = (type: string): string => {
  const found = Object.entries(app.template.Resources).find(([, resource]) => resource.Type === type);
  if (!found) throw new Error(`no ${type} in the template`);
  return found[0];
};

describe('resolveEnvironment', () => {
  it('resolves every variable of every synthesized function', () => {
    for (const fn of app.functions) {
      // Act
      const env = resolveEnvironment(fn.environment, app.template, local);
      // Assess
      expect(Object.keys(env)).toEqual(Object.keys(fn.environment));
      for (const value of Object.values(env)) expect(typeof value).toBe('string');
    }
  });

  it('gives a secret an ARN of the shape Secrets Manager has, and a queue a URL on the local endpoint', () => {
    // Prepare
    const secret = idOf('AWS::SecretsManager::Secret');
    const queue = idOf('AWS::SQS::Queue');
    // Act
    const env = resolveEnvironment(
      { SECRET: { Ref: secret }, QUEUE: { Ref: queue }, QUEUE_ARN: { 'Fn::GetAtt': [queue, 'Arn'] } },
      app.template,
      local,
    );
    // Assess
    expect(env.SECRET).toMatch(
      new RegExp(
        `^arn:aws:secretsmanager:eu-west-1:123456789012:secret:${app.stackName}-${secret}-[A-Za-z0-9]{6}$`,
      ),
    );
    expect(env.QUEUE).toBe(`http://127.0.0.1:4566/123456789012/${app.stackName}-${queue}`);
    expect(env.QUEUE_ARN).toBe(`arn:aws:sqs:eu-west-1:123456789012:${app.stackName}-${queue}`);
  });

  it('takes an explicit local value before the generated one', () => {
    // Prepare
    const bucket = idOf('AWS::S3::Bucket');
    // Act
    const env = resolveEnvironment({ BUCKET: { Ref: bucket } }, app.template, {
      ...local,
      values: { [bucket]: 'chart-uploads' },
    });
    // Assess
    expect(env.BUCKET).toBe('chart-uploads');
  });

  it.each([
    ['an unknown resource', { Ref: 'NoSuchResource' }, 'no resource NoSuchResource in the template'],
    ['an attribute with no local value', { 'Fn::GetAtt': ['$SECRET', 'Nope'] }, 'attribute Nope'],
    [
      'an intrinsic it does not evaluate',
      { 'Fn::ImportValue': 'SharedQueueUrl' },
      'only Ref, Fn::GetAtt and Fn::Join',
    ],
  ])('fails on %s, naming the variable', (_, token, why) => {
    // Prepare
    const value = JSON.parse(JSON.stringify(token).replace('$SECRET', idOf('AWS::SecretsManager::Secret')));
    // Act
    const resolve = () => resolveEnvironment({ NEW_VARIABLE: value }, app.template, local);
    // Assess
    expect(resolve).toThrow(/^NEW_VARIABLE: cannot resolve .* locally/);
    expect(resolve).toThrow(why);
  });
});
