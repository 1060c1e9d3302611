import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readAppConfig } from './app-context';
import { ChartPromoterStack } from './chart-promoter-stack';

// The CDK app named in cdk.json. Configuration comes from context (cdk.json or `-c chartPromoter.x=y`);
// with none at all it still synthesizes, offline, against a placeholder repository.
const app = new App();
const config = readAppConfig((key) => app.node.tryGetContext(key));

new ChartPromoterStack(app, config.stackName, {
  // Environment-agnostic unless the CLI knows the account (cdk deploy with credentials).
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: 'chart-promoter: promote Helm charts uploaded to S3 into a Flux cluster repository',
  pipeline: config.pipeline,
});

// cdk-nag v3 is a policy-validation plugin: any unacknowledged finding fails synth.
if (config.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
