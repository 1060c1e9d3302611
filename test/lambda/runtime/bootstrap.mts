/**
 * A runtime client for the Lambda-shaped test run, executed by Node 22 inside the sandbox as
 * `/var/lang/bin/node /var/runtime/bootstrap.mts`. It does what the managed `nodejs22.x` runtime's
 * client does for a non-streaming handler, read from its source (aws/aws-lambda-nodejs-runtime-interface-client,
 * src/index.mjs, UserFunction.js, Runtime.js, CallbackContext.js, InvokeContext.js, Errors.js):
 *
 * - init: load `$_HANDLER` (`<module path>.<export path>`) from `$LAMBDA_TASK_ROOT` with the same
 *   resolution order (extensionless → `.js` as CommonJS unless the nearest package.json says
 *   `"type": "module"` → `.js` as ESM → `.mjs` → `.cjs` → `require.resolve`), then poll
 *   `GET /2018-06-01/runtime/invocation/next`: that first poll is where Lambda's init phase ends;
 * - per invocation: the context object from the Runtime API headers and the function's environment,
 *   `_X_AMZN_TRACE_ID` from `Lambda-Runtime-Trace-Id`, the result posted to `…/response`, an error to
 *   `…/error` as `{errorType, errorMessage, trace}` (and logged), an init failure to `/runtime/init/error`;
 * - an uncaught exception or unhandled rejection fails the invocation and ends the process (exit 129
 *   and 128), so the next invocation starts a new execution environment, as in Lambda.
 *
 * Runtime API: https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
 * Context object: https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html
 * Not emulated: response streaming (`awslambda.streamifyResponse`, refused at init with a clear
 * error); for callback-style handlers, waiting for an empty event loop before answering (the answer
 * goes when the callback is called); the runtime's console patching (log lines are the raw output);
 * a handler promise that never settles ends the process here (Lambda answers Runtime.NodeJsExit).
 *
 * Written in erasable TypeScript only (Node 22 strips the types itself), importing nothing but Node:
 * the task root must see no other code than its own and the layers'.
 */
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

type Handler = (
  event: unknown,
  context: object,
  callback: (error?: unknown, result?: unknown) => void,
) => unknown;

const API_PREFIX = '/2018-06-01/runtime';
const runtimeApi = process.env.AWS_LAMBDA_RUNTIME_API ?? '';
const [apiHost = '127.0.0.1', apiPort = '9001'] = runtimeApi.split(':');
const require = createRequire(import.meta.url);

/** Errors the runtime names itself, typed `Runtime.<Name>` like the managed runtime's. */
class RuntimeError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = `Runtime.${name}`;
  }
}

interface ApiAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

const call = (method: string, apiPath: string, body?: string, headers: Record<string, string> = {}) =>
  new Promise<ApiAnswer>((resolve, reject) => {
    const req = request(
      { host: apiHost, port: Number(apiPort), method, path: `${API_PREFIX}${apiPath}`, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });

/** `{errorType, errorMessage, trace}` as Errors.js `toRapidResponse` builds it. */
const errorResponse = (error: unknown) => {
  if (error instanceof Error)
    return { errorType: error.name, errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
  return { errorType: typeof error, errorMessage: String(error), trace: [] as string[] };
};

const postError = async (apiPath: string, error: unknown): Promise<void> => {
  const body = errorResponse(error);
  console.error(JSON.stringify({ level: 'ERROR', message: 'Invoke Error', ...body }));
  await call('POST', apiPath, JSON.stringify(body), {
    'content-type': 'application/json',
    'lambda-runtime-function-error-type': body.errorType,
  });
};

/** The nearest package.json's `"type": "module"`, stopping at node_modules (UserFunction.js). */
const folderIsModule = (folder: string): boolean => {
  if (folder.endsWith('/node_modules')) return false;
  const packageJson = path.join(folder, 'package.json');
  if (existsSync(packageJson)) {
    try {
      return (JSON.parse(readFileSync(packageJson, 'utf8')) as { type?: unknown }).type === 'module';
    } catch {
      return false;
    }
  }
  return folder === '/' ? false : folderIsModule(path.resolve(folder, '..'));
};

const tryRequire = (file: string): unknown => (existsSync(file) ? require(file) : undefined);
const tryImport = async (file: string): Promise<unknown> =>
  existsSync(file) ? import(pathToFileURL(file).href) : undefined;

/** UserFunction.js `_tryRequire`: the managed runtime's lookup order, step by step. */
const loadModule = async (appRoot: string, moduleRoot: string, moduleName: string): Promise<unknown> => {
  const base = path.resolve(appRoot, moduleRoot, moduleName);
  const extensionless = tryRequire(base);
  if (extensionless) return extensionless;
  const isModule = existsSync(`${base}.js`) && folderIsModule(path.dirname(`${base}.js`));
  if (!isModule) {
    const commonJs = tryRequire(`${base}.js`);
    if (commonJs) return commonJs;
  }
  const loaded =
    (isModule && (await tryImport(`${base}.js`))) ||
    (await tryImport(`${base}.mjs`)) ||
    tryRequire(`${base}.cjs`);
  if (loaded) return loaded;
  return require(require.resolve(moduleName, { paths: [appRoot, moduleRoot] }));
};

const loadHandler = async (appRoot: string, fullHandler: string): Promise<Handler> => {
  if (fullHandler.includes('..'))
    throw new RuntimeError(
      'MalformedHandlerName',
      `'${fullHandler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  const handlerString = path.basename(fullHandler);
  const moduleRoot = fullHandler.substring(0, fullHandler.indexOf(handlerString));
  const match = /^([^.]*)\.(.*)$/.exec(handlerString);
  if (!match) throw new RuntimeError('MalformedHandlerName', 'Bad handler');
  const [, moduleName = '', exportPath = ''] = match;
  let module: unknown;
  try {
    module = await loadModule(appRoot, moduleRoot, moduleName);
  } catch (error) {
    if (error instanceof SyntaxError) throw new RuntimeError('UserCodeSyntaxError', String(error));
    if ((error as { code?: unknown }).code === 'MODULE_NOT_FOUND')
      throw new RuntimeError('ImportModuleError', String(error));
    throw error;
  }
  const handler = exportPath
    .split('.')
    .reduce<unknown>((nested, key) => (nested as Record<string, unknown> | undefined)?.[key], module);
  if (!handler) throw new RuntimeError('HandlerNotFound', `${fullHandler} is undefined or not exported`);
  if (typeof handler !== 'function')
    throw new RuntimeError('HandlerNotFound', `${fullHandler} is not a function`);
  if ((handler as unknown as Record<symbol, unknown>)[Symbol.for('aws.lambda.runtime.handler.streaming')])
    throw new RuntimeError(
      'MalformedStreamingHandler',
      'response streaming is not emulated by this test runtime',
    );
  return handler as Handler;
};

const header = (answer: ApiAnswer, name: string): string | undefined => {
  const value = answer.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

const parseJsonHeader = (value: string | undefined, name: string): unknown => {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new Error(`Cannot parse ${name} as json: ${String(error)}`);
  }
};

/** The context object (InvokeContext.js + CallbackContext.js, without the deprecated callbacks). */
const contextFor = (next: ApiAnswer, requestId: string) => {
  const deadline = Number(header(next, 'lambda-runtime-deadline-ms'));
  let waitForEmptyEventLoop = true;
  return {
    get callbackWaitsForEmptyEventLoop() {
      return waitForEmptyEventLoop;
    },
    set callbackWaitsForEmptyEventLoop(value: boolean) {
      waitForEmptyEventLoop = value;
    },
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: parseJsonHeader(header(next, 'lambda-runtime-client-context'), 'ClientContext'),
    identity: parseJsonHeader(header(next, 'lambda-runtime-cognito-identity'), 'CognitoIdentity'),
    invokedFunctionArn: header(next, 'lambda-runtime-invoked-function-arn'),
    awsRequestId: requestId,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
};

/** The invocation in flight, so process-level failures can be reported against it. */
let current: string | undefined;

const failAndExit = (error: unknown, code: number): void => {
  const apiPath = current === undefined ? '/init/error' : `/invocation/${current}/error`;
  postError(apiPath, error).finally(() => process.exit(code));
};

process.on('uncaughtException', (error) => failAndExit(error, 129));
process.on('unhandledRejection', (reason) => {
  const error = new RuntimeError('UnhandledPromiseRejection', String(reason));
  failAndExit(error, 128);
});

/** Runs the handler: a returned promise settles the invocation; otherwise the callback does. */
const invoke = (handler: Handler, event: unknown, context: object): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const callback = (error?: unknown, result?: unknown) =>
      error === undefined || error === null ? resolve(result) : reject(error);
    try {
      const result = handler(event, context, callback);
      if (result !== null && typeof result === 'object' && 'then' in result)
        (result as Promise<unknown>).then(resolve, reject);
    } catch (error) {
      reject(error);
    }
  });

const run = async (): Promise<never> => {
  let handler: Handler;
  try {
    handler = await loadHandler(process.env.LAMBDA_TASK_ROOT ?? '/var/task', process.env._HANDLER ?? '');
  } catch (error) {
    await postError('/init/error', error);
    process.exit(1);
  }
  for (;;) {
    const next = await call('GET', '/invocation/next');
    const requestId = header(next, 'lambda-runtime-aws-request-id') ?? '';
    current = requestId;
    const trace = header(next, 'lambda-runtime-trace-id');
    if (trace === undefined) delete process.env._X_AMZN_TRACE_ID;
    else process.env._X_AMZN_TRACE_ID = trace;
    try {
      const result = await invoke(handler, JSON.parse(next.body), contextFor(next, requestId));
      await call('POST', `/invocation/${requestId}/response`, JSON.stringify(result ?? null), {
        'content-type': 'application/json',
      });
    } catch (error) {
      await postError(`/invocation/${requestId}/error`, error);
    }
    current = undefined;
  }
};

await run();
