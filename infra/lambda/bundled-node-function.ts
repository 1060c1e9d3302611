import { fileURLToPath } from 'node:url';
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import {
  NodejsFunction,
  type NodejsFunctionProps,
  OutputFormat,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** The repository root: handler entries and the lock file are resolved from it. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The bundle is ESM (top-level await, smaller output), but CommonJS dependencies still call
 * `require('stream')` etc.; esbuild leaves those to a `require` in scope, which ESM lacks. The alias
 * keeps the banner's import from clashing with a bundled `createRequire` import.
 * https://github.com/evanw/esbuild/issues/1921
 */
const REQUIRE_BANNER =
  "import { createRequire as __chartPromoterCreateRequire } from 'node:module';" +
  'const require = __chartPromoterCreateRequire(import.meta.url);';

/** What differs between the pipeline's functions; everything else is shared on purpose. */
export type BundledNodeFunctionProps = Pick<
  NodejsFunctionProps,
  'description' | 'layers' | 'memorySize' | 'timeout' | 'environment' | 'reservedConcurrentExecutions'
> & {
  /** The handler module (exports `handler`), absolute or relative to the repository root. */
  readonly entry: string;
  /** Description of the execution role. */
  readonly roleDescription: string;
  readonly logRetention: RetentionDays;
};

/** The parts of one bundled function, created directly in the caller's scope. */
export interface BundledNodeFunction {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;
}

/**
 * A function of this repository as every pipeline function is built: bundled by the local esbuild
 * (no Docker) into minified ESM with the AWS SDK inside (the versions tested are the versions
 * deployed), Node.js 22 on x86-64 (helm in the layer is an x86-64 binary; one architecture keeps the
 * bundles alike), JSON logs to its own log group with retention, X-Ray active tracing, and an explicit
 * role instead of AWSLambdaBasicExecutionRole: that managed policy may write to any log group, this
 * role only to its own. Children `Logs`, `Role` and `Function` are created in `scope` itself (not a
 * wrapper construct), so the resources keep the logical ids they had before this was shared.
 */
export const bundledNodeFunction = (
  scope: Construct,
  props: BundledNodeFunctionProps,
): BundledNodeFunction => {
  const { entry, roleDescription, logRetention, ...functionProps } = props;
  const logGroup = new LogGroup(scope, 'Logs', {
    retention: logRetention,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const role = new Role(scope, 'Role', {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: roleDescription,
  });
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }),
  );
  const fn = new NodejsFunction(scope, 'Function', {
    ...functionProps,
    entry: entry.startsWith('/') ? entry : `${REPO_ROOT}${entry}`,
    handler: 'handler',
    projectRoot: REPO_ROOT,
    depsLockFilePath: `${REPO_ROOT}package-lock.json`,
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.X86_64,
    role,
    logGroup,
    loggingFormat: LoggingFormat.JSON,
    tracing: Tracing.ACTIVE,
    bundling: {
      forceDockerBundling: false,
      format: OutputFormat.ESM,
      target: 'node22',
      mainFields: ['module', 'main'],
      banner: REQUIRE_BANNER,
      minify: true,
      // An external map beside the bundle for reading traces offline, and no NODE_OPTIONS
      // --enable-source-maps (which `sourceMap: true` would add): the map costs no init time and
      // no time per stack trace. esbuild's 'external' writes no sourceMappingURL comment.
      esbuildArgs: { '--sourcemap': 'external' },
      metafile: true,
      externalModules: [],
    },
  });
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      'Node.js 22 on purpose: the runtime the bundle targets and the tests run against; move to a newer ' +
      'runtime together with the esbuild target, not silently.',
  });
  return { function: fn, logGroup, role };
};

/**
 * Acknowledges the one wildcard resource every function's policy has: X-Ray active tracing adds
 * xray:PutTraceSegments and xray:PutTelemetryRecords on "*". Call after the last grant (the default
 * policy exists once a statement was added).
 */
export const acknowledgeTracingWildcard = (role: Role): void => {
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (policy === undefined) return;
  Validations.of(policy).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level ' +
      'permissions (https://docs.aws.amazon.com/xray/latest/devguide/security_iam_service-with-iam.html).',
  });
};
