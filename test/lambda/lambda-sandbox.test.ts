import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LambdaFunction, startLambdaFunction } from './support/lambda-function';
import { LAMBDA_USER } from './support/lambda-sandbox';
import type { LocalAccount } from './support/local-resources';
import { readSynthesizedApp, type SynthesizedFunction } from './support/synthesized-app';
import { startXRayDaemonSink, type XRayDaemonSink } from './support/xray-daemon-sink';

/**
 * The Lambda-shaped run itself, checked with a probe function (fixtures/probe/index.mjs) that reports
 * what it sees: what a bundle meets here is what the Lambda docs say it meets in AWS
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html).
 */
const app = await readSynthesizedApp(inject('synthDir'));

const PROBE: SynthesizedFunction = {
  logicalId: 'Probe',
  constructPath: 'test/Probe',
  handler: 'index.handler',
  runtime: 'nodejs22.x',
  architectures: ['x86_64'],
  memorySize: 256,
  timeout: 2,
  ephemeralStorage: 512,
  asset: path.resolve(import.meta.dirname, 'fixtures/probe'),
  layers: [],
  environment: { FROM_TEMPLATE: 'yes', AWS_REGION: 'the template cannot set a reserved variable' },
  logFormat: 'JSON',
  tracing: 'Active',
};

interface ProbeReport {
  readonly node: string;
  readonly uid: number;
  readonly gid: number;
  readonly user: string;
  readonly homedir: string;
  readonly cwd: string;
  readonly root: readonly string[];
  readonly writable: Readonly<Record<string, true | string>>;
  readonly env: Readonly<Record<string, string>>;
  readonly traceId?: string;
  readonly context: Readonly<Record<string, unknown>>;
}

let work: string;
let xray: XRayDaemonSink;
let probe: LambdaFunction;
const local: LocalAccount = { region: 'eu-west-1', account: '123456789012', stackName: 'Sandbox' };

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'lambda-sandbox-'));
  xray = await startXRayDaemonSink();
  probe = await startLambdaFunction({
    app,
    fn: PROBE,
    local,
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'secret', sessionToken: 'token' },
    endpoints: {},
    xrayDaemon: xray.address,
    workDir: work,
  });
});

afterAll(async () => {
  await probe?.stop();
  await xray?.close();
  await rm(work, { recursive: true, force: true });
});

const report = async (event: Record<string, unknown> = {}): Promise<ProbeReport> => {
  const result = await probe.invoke(event);
  if (!result.ok) throw new Error(`${result.error.errorType}: ${result.error.errorMessage}`);
  return result.payload as ProbeReport;
};

describe('the Lambda-shaped sandbox', () => {
  it('gives the function a read-only file system but /tmp, as a non-root user, under Node 22', async () => {
    // Act
    const seen = await report();
    // Assess
    expect(seen.node).toMatch(/^v22\./);
    expect({ uid: seen.uid, gid: seen.gid, user: seen.user }).toEqual({
      uid: LAMBDA_USER.uid,
      gid: LAMBDA_USER.gid,
      user: LAMBDA_USER.name,
    });
    expect(seen.writable).toEqual({
      '/': 'EROFS',
      '/var/task': 'EROFS',
      '/opt': 'EROFS',
      '/var/runtime': 'EROFS',
      '/etc': 'EROFS',
      '/tmp': true,
    });
    expect(seen.cwd).toBe('/var/task');
    // The home directory is named but does not exist, and nothing of the host's tree is there.
    expect(seen.homedir).toBe(`/home/${LAMBDA_USER.name}`);
    expect(seen.root).not.toContain('home');
    expect(seen.root).not.toContain('work');
    expect(seen.root).not.toContain('root');
  });

  it("gives the function Lambda's environment: the template's variables, the reserved ones, nothing of the host", async () => {
    // Act
    const { env } = await report();
    // Assess
    expect(env).toMatchObject({
      FROM_TEMPLATE: 'yes',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      _HANDLER: 'index.handler',
      LAMBDA_TASK_ROOT: '/var/task',
      LAMBDA_RUNTIME_DIR: '/var/runtime',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_NAME: 'Sandbox-Probe',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_FORMAT: 'JSON',
      AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
      AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
      TZ: ':UTC',
      LANG: 'en_US.UTF-8',
      NODE_PATH:
        '/opt/nodejs/node22/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:/var/task',
    });
    expect(env.AWS_LAMBDA_RUNTIME_API).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(env.HOME).toBeUndefined();
    expect(
      Object.keys(env).filter((name) => /^(npm_|VITEST|NODE_ENV$|OLDPWD$|INIT_CWD$)/.test(name)),
    ).toEqual([]);
  });

  it('passes the context object and the trace header of each invocation', async () => {
    // Act
    const first = await report();
    const second = await report();
    // Assess
    expect(first.context).toMatchObject({
      functionName: 'Sandbox-Probe',
      functionVersion: '$LATEST',
      memoryLimitInMB: '256',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:Sandbox-Probe',
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(first.context.awsRequestId).not.toBe(second.context.awsRequestId);
    expect(first.context.remainingTimeInMillis).toBeGreaterThan(0);
    expect(first.context.remainingTimeInMillis).toBeLessThanOrEqual(PROBE.timeout * 1000);
    expect(first.traceId).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=1$/);
    expect(first.traceId).not.toBe(second.traceId);
  });

  it('ends an invocation that runs past the timeout, and starts a new environment for the next one', async () => {
    // Prepare
    const before = probe.coldStarts().length;
    // Act
    const late = await probe.invoke({ sleepMs: PROBE.timeout * 1000 + 5_000 });
    const next = await probe.invoke({});
    // Assess
    expect(late).toMatchObject({
      ok: false,
      error: { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 2.00 seconds' },
    });
    expect(next.ok).toBe(true);
    expect(probe.coldStarts()).toHaveLength(before + 1);
  });

  it('fails the invocation when the process dies of an uncaught exception, then starts afresh', async () => {
    // Prepare
    const before = probe.coldStarts().length;
    // Act
    const crashed = await probe.invoke({ crash: true });
    const next = await probe.invoke({});
    // Assess
    expect(crashed).toMatchObject({
      ok: false,
      error: { errorType: 'Error', errorMessage: 'crashed outside the handler' },
    });
    expect(next.ok).toBe(true);
    expect(probe.coldStarts()).toHaveLength(before + 1);
  });
});
