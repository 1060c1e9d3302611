import { KubectlV32Layer } from '@aws-cdk/lambda-layer-kubectl-v32';
import { CfnElement, type Duration, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULT_CONFIG_PREFIX } from '../../functions/events/config-upload';
import type { GitCredentials } from '../credentials/git-credentials';
import { grantSendMessage } from '../intake/grant-send-message';
import { acknowledgeTracingWildcard, bundledNodeFunction } from '../lambda/bundled-node-function';
import { grantIntegrationAccess, type IntegrationAccess } from './integration-access';

export interface PromoteFunctionProps {
  readonly bucket: IBucket;
  /** Key prefix the function may read and tag ('' = whole bucket). */
  readonly bucketPrefix: string;
  readonly queue: IQueue;
  readonly credentials: GitCredentials;
  readonly environment: Record<string, string>;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly batchSize: number;
  readonly maxBatchingWindow: Duration;
  readonly maxConcurrency: number;
  readonly logRetention: RetentionDays;
  /** The provenance keyring and Jira secret it may read. @default - neither */
  readonly integrations?: IntegrationAccess;
  /** The handler module. @default functions/handlers/promote.ts of this repository */
  readonly entry?: string;
}

/**
 * The promote Lambda: consumes the intake queue in batches (chart uploads and promotion commands),
 * runs helm from the kubectl-v32 layer, and commits to the cluster repository; also invoked directly
 * for manual moves (`chart-promoter promote|rollback`). Its role holds exactly what it uses.
 */
export class PromoteFunction extends Construct {
  readonly function: LambdaFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: PromoteFunctionProps) {
    super(scope, id);
    const parts = bundledNodeFunction(this, {
      description: 'chart-promoter: validate uploaded charts and commit them to the cluster repository',
      entry: props.entry ?? 'functions/handlers/promote.ts',
      roleDescription: 'chart-promoter promote function',
      layers: [new KubectlV32Layer(this, 'HelmLayer')],
      memorySize: props.memorySize,
      timeout: props.timeout,
      environment: props.environment,
      logRetention: props.logRetention,
    });
    this.function = parts.function;
    this.logGroup = parts.logGroup;
    this.role = parts.role;
    this.grantAccess(props);
    this.function.addEventSource(
      new SqsEventSource(props.queue, {
        batchSize: props.batchSize,
        maxBatchingWindow: props.maxBatchingWindow,
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency,
      }),
    );
    this.acknowledgeFindings(props.bucket, props.bucketPrefix);
  }

  private grantAccess(props: PromoteFunctionProps): void {
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        // Read the uploaded chart (a given version when the event names one) and tag it with the outcome;
        // `<prefix>*` also covers the `<chart>.tgz.prov` beside it (provenance verification). Values
        // uploads the same way under `config/` (already covered when the prefix is the whole bucket).
        actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObjectTagging', 's3:PutObjectVersionTagging'],
        resources: [
          props.bucket.arnForObjects(`${props.bucketPrefix}*`),
          ...(props.bucketPrefix === '' ? [] : [props.bucket.arnForObjects(`${DEFAULT_CONFIG_PREFIX}*`)]),
        ],
      }),
    );
    props.credentials.grantRead(this.role);
    // Soak times: a promotion command not yet due goes back on its own queue with a delay.
    grantSendMessage(this.role, props.queue);
    if (props.integrations !== undefined) grantIntegrationAccess(this.role, props.integrations);
  }

  private acknowledgeFindings(bucket: IBucket, prefix: string): void {
    const policy = this.role.node.tryFindChild('DefaultPolicy');
    if (policy === undefined) return;
    // cdk-nag names the finding after the bucket's logical id, so compute it rather than hard-code it.
    const cfnBucket = bucket.node.defaultChild;
    if (cfnBucket instanceof CfnElement) {
      const bucketArn = `<${Stack.of(cfnBucket).getLogicalId(cfnBucket)}.Arn>`;
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${bucketArn}/${prefix}*]`,
        reason:
          'Objects under the upload prefix only: the function reads and tags whichever chart was uploaded there.',
      });
      if (prefix !== '')
        Validations.of(policy).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${bucketArn}/${DEFAULT_CONFIG_PREFIX}*]`,
          reason:
            'Objects under the values prefix only: the function reads and tags whichever values file was uploaded there.',
        });
    }
    acknowledgeTracingWildcard(this.role);
  }
}
