import { randomBytes } from 'node:crypto';
import type { LambdaFunctionOptions } from './lambda-function';
import { resolveCfnValue, resolveEnvironment } from './local-resources';

/**
 * The environment Lambda gives a function's process, in the order that decides who wins: the
 * variables Lambda sets but a function may replace, the template's own variables (tokens resolved to
 * local values), the harness's named overrides, the reserved variables Lambda always sets
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime),
 * and last the stand-ins' endpoints.
 */

/** A log stream name as Lambda makes them: `YYYY/MM/DD/[$LATEST]<32 hex>`. */
const logStreamName = (): string =>
  `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomBytes(16).toString('hex')}`;

export const lambdaEnvironment = (
  options: LambdaFunctionOptions,
  runtimeApi: string,
): Record<string, string> => {
  const { app, fn, local, credentials } = options;
  const name = `${local.stackName}-${fn.logicalId}`;
  const logGroup =
    fn.logGroup === undefined
      ? `/aws/lambda/${name}`
      : resolveCfnValue(fn.logGroup, app.template, local, 'LoggingConfig.LogGroup');
  const major = /^nodejs(\d+)\.x$/.exec(fn.runtime)?.[1] ?? '';
  return {
    // Not reserved: the function's own variables may replace them.
    LANG: 'en_US.UTF-8',
    PATH: '/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin',
    LD_LIBRARY_PATH:
      '/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib',
    NODE_PATH: `/opt/nodejs/node${major}/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:/var/task`,
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    AWS_XRAY_DAEMON_ADDRESS: options.xrayDaemon,
    _AWS_XRAY_DAEMON_ADDRESS: options.xrayDaemon.split(':')[0] ?? '',
    _AWS_XRAY_DAEMON_PORT: options.xrayDaemon.split(':')[1] ?? '',
    ...(fn.logFormat === 'JSON' ? { AWS_LAMBDA_LOG_FORMAT: 'JSON' } : {}),
    ...resolveEnvironment(fn.environment, app.template, local),
    ...options.overrides,
    // Reserved: Lambda sets these whatever the template says.
    _HANDLER: fn.handler,
    AWS_REGION: local.region,
    AWS_DEFAULT_REGION: local.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: logGroup,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName(),
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken === undefined ? {} : { AWS_SESSION_TOKEN: credentials.sessionToken }),
    AWS_LAMBDA_RUNTIME_API: runtimeApi,
    LAMBDA_TASK_ROOT: '/var/task',
    LAMBDA_RUNTIME_DIR: '/var/runtime',
    TZ: ':UTC',
    // The stand-ins, behind the SDK's own endpoint variables.
    ...options.endpoints,
  };
};
