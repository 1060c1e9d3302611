import { fileURLToPath } from 'node:url';
import { KubectlV32Layer } from '@aws-cdk/lambda-layer-kubectl-v32';
import { CfnElement, type Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { GitCredentials } from '../credentials/git-credentials';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The bundle is ESM (top-level await, smaller output), but CommonJS dependencies still call
 * `require('stream')` etc.; esbuild leaves those to a `require` in scope, which ESM lacks. The alias
 * keeps the banner's import from clashing with a bundled `createRequire` import.
 * https://github.com/evanw/esbuild/issues/1921
 */
const REQUIRE_BANNER =
  "import { createRequire as __chartPromoterCreateRequire } from 'node:module';" +
  'const require = __chartPromoterCreateRequire(import.meta.url);';

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
  /** The handler module. @default functions/promote.ts of this repository */
  readonly entry?: string;
}

/**
 * The promote Lambda: consumes the intake queue in batches, runs helm from the kubectl-v32 layer,
 * and commits to the cluster repository. Its role holds exactly what it uses, nothing managed.
 */
export class PromoteFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: PromoteFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // An explicit role instead of AWSLambdaBasicExecutionRole: that managed policy may write to any
    // log group, this one only to its own.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'chart-promoter promote function',
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.function = new NodejsFunction(this, 'Function', {
      description: 'chart-promoter: validate uploaded charts and commit them to the cluster repository',
      entry: props.entry ?? `${REPO_ROOT}functions/promote.ts`,
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: `${REPO_ROOT}package-lock.json`,
      runtime: Runtime.NODEJS_22_X,
      // helm in the layer is an x86-64 binary.
      architecture: Architecture.X86_64,
      layers: [new KubectlV32Layer(this, 'HelmLayer')],
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      tracing: Tracing.ACTIVE,
      environment: props.environment,
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        banner: REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.EXTERNAL,
        metafile: true,
        // Bundle the AWS SDK too: the versions tested are the versions deployed.
        externalModules: [],
      },
    });
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
        // Read the uploaded chart (a given version when the event names one) and tag it with the outcome.
        actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObjectTagging', 's3:PutObjectVersionTagging'],
        resources: [props.bucket.arnForObjects(`${props.bucketPrefix}*`)],
      }),
    );
    props.credentials.grantRead(this.role);
  }

  private acknowledgeFindings(bucket: IBucket, prefix: string): void {
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 on purpose: the runtime the bundle targets and the tests run against; move to a newer ' +
        'runtime together with the esbuild target, not silently.',
    });
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
    }
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level ' +
        'permissions (https://docs.aws.amazon.com/xray/latest/devguide/security_iam_service-with-iam.html).',
    });
  }
}
