import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage, type ILocalBundling, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  Code,
  type FunctionProps,
  Function as LambdaFunction,
  LoggingFormat,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { type BuildOptions, buildSync } from 'esbuild';

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

/**
 * Node builtins the bundles read through their CommonJS object instead of an ES module import. An ES
 * module import of a builtin (static or `import()`) makes Node build its ESM facade, which reads every
 * export once (lib/internal/bootstrap/realm.js `getESMFacade` → `syncExports`), getters included:
 * - node:http's WebSocket, CloseEvent and MessageEvent getters load undici (lib/http.js `lazyUndici`):
 *   ~10 ms of init for a client no function uses. The Powertools tracer imports node:http statically,
 *   the AWS SDK's HTTP handler with `import()` on its first request.
 * - node:process's stdin getter opens standard input (and loads readline and fs streams with it): the
 *   AWS SDK's user agent imports node:process.
 * `require()` builds no facade. The object handed over is the one the facade's default export is, so
 * the tracer's patching of http.request is unchanged. Both spellings are aliased: esbuild resolves an
 * alias before it decides a builtin is external. https://esbuild.github.io/api/#alias
 * https://github.com/nodejs/node/blob/v22.x/lib/http.js
 */
const COMMONJS_BUILTINS = Object.fromEntries(
  ['http', 'process'].flatMap((name) => {
    const file = path.join(REPO_ROOT, 'infra/lambda/commonjs-builtins', `${name}.cjs`);
    return [
      [name, file],
      [`node:${name}`, file],
    ];
  }),
);

/**
 * How every function is bundled (esbuild, https://esbuild.github.io/api/): minified ESM for Node 22
 * with the AWS SDK inside (the versions tested are the versions deployed), and code splitting: what a
 * function reaches only through `import()` (each Git host's adapter, openpgp for provenance, Jira)
 * lands in `chunks/` beside `index.mjs` and is loaded only when the deployment configures it, so
 * neither the bundle Lambda loads at init nor its parse time carries it. The source map is external
 * and unreferenced (no sourceMappingURL comment, no --enable-source-maps): it costs no init time and
 * serves to read a minified trace offline. The metafile (`index.meta.json`) says what each output holds.
 */
export const LAMBDA_BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: { js: REQUIRE_BANNER },
  alias: COMMONJS_BUILTINS,
  minify: true,
  sourcemap: 'external',
  splitting: true,
  entryNames: 'index',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  metafile: true,
  logLevel: 'warning',
} as const satisfies BuildOptions;

/** Builds `entry` into `outputDir` (index.mjs, chunks/, index.mjs.map, index.meta.json). */
export const bundleLambdaEntry = (entry: string, outputDir: string): void => {
  const result = buildSync({ ...LAMBDA_BUNDLE_OPTIONS, entryPoints: [entry], outdir: outputDir });
  writeFileSync(path.join(outputDir, 'index.meta.json'), JSON.stringify(result.metafile));
};

/**
 * Local bundling of one entry. The entry is a field on purpose: CDK caches staged assets by the JSON of
 * their bundling options (asset-staging.js calculateCacheKey), where a function is invisible; without
 * it every function would be handed the first one's bundle.
 */
class EsbuildBundling implements ILocalBundling {
  constructor(readonly entry: string) {}

  tryBundle(outputDir: string): boolean {
    bundleLambdaEntry(this.entry, outputDir);
    return true;
  }
}

/**
 * The function's code asset: bundled by the local esbuild at synth time (never in Docker: the image
 * is only a required placeholder), hashed by its output, as CDK's NodejsFunction does.
 */
const bundledCode = (entry: string): Code =>
  Code.fromAsset(REPO_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('public.ecr.aws/sam/build-nodejs22.x'),
      local: new EsbuildBundling(entry),
    },
  });

/** What differs between the pipeline's functions; everything else is shared on purpose. */
export type BundledNodeFunctionProps = Pick<
  FunctionProps,
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
  readonly function: LambdaFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;
}

/**
 * A function of this repository as every pipeline function is built: bundled by the local esbuild
 * (no Docker) as LAMBDA_BUNDLE_OPTIONS say, Node.js 22 on x86-64 (helm in the layer is an x86-64 binary; one architecture keeps the
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
  const fn = new LambdaFunction(scope, 'Function', {
    ...functionProps,
    code: bundledCode(entry.startsWith('/') ? entry : path.join(REPO_ROOT, entry)),
    handler: 'index.handler',
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.X86_64,
    role,
    logGroup,
    loggingFormat: LoggingFormat.JSON,
    tracing: Tracing.ACTIVE,
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
