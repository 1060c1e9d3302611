import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The Lambda Runtime API for one execution environment, on 127.0.0.1: what the runtime client in the
 * sandbox polls. https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
 *
 * - `GET /2018-06-01/runtime/invocation/next` long-polls until an invocation is queued, then answers
 *   the event with `Lambda-Runtime-Aws-Request-Id`, `-Deadline-Ms`, `-Invoked-Function-Arn` and
 *   `-Trace-Id`. The first poll ends the init phase (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html:
 *   "The Init phase ends when the runtime and all extensions signal that they are ready by sending a
 *   Next API request"), which is what `initDurationMs` measures.
 * - `POST …/invocation/{id}/response` and `…/{id}/error` settle the invocation (202); a response over
 *   6 MB fails it, as Lambda's synchronous payload quota does
 *   (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
 * - `POST …/init/error` records why init failed.
 */

/** Lambda's limit for a synchronous invocation's response payload: 6 MB. */
const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

export interface FunctionError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: readonly string[];
}

export type InvocationResult =
  | { readonly ok: true; readonly payload: unknown; readonly requestId: string; readonly durationMs: number }
  | {
      readonly ok: false;
      readonly error: FunctionError;
      readonly requestId: string;
      readonly durationMs: number;
    };

export interface InvocationOptions {
  readonly deadlineMs: number;
  readonly invokedFunctionArn: string;
}

interface Pending {
  readonly requestId: string;
  readonly event: string;
  readonly options: InvocationOptions;
  readonly traceId: string;
  startedAt?: number;
  readonly settle: (result: InvocationResult) => void;
}

export interface RuntimeApi {
  /** `127.0.0.1:<port>`, the value of AWS_LAMBDA_RUNTIME_API. */
  readonly address: string;
  /** Queues an invocation; resolves when the runtime posts its response or error. */
  invoke(event: unknown, options: InvocationOptions): Promise<InvocationResult>;
  /** Fails the invocation in flight (the environment died or timed out). */
  abort(error: FunctionError): void;
  /** Resolves at the runtime's first `next` poll (the end of init) with the time since `since`. */
  readonly ready: (since: number) => Promise<number>;
  /** The error the runtime posted to /init/error, if any. */
  initError(): FunctionError | undefined;
  /** Called whenever the runtime is idle, waiting in `next` with nothing queued (Lambda freezes it then). */
  onIdle(listener: () => void): void;
  /** Resolves once the runtime is waiting in `next` again (at once if it already is). */
  polling(): Promise<void>;
  close(): Promise<void>;
}

const readBody = async (request: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/** An X-Ray trace header as Lambda passes it: `Root=1-<epoch hex>-<96-bit id>;Parent=…;Sampled=1`. */
const traceHeader = (): string =>
  `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')};` +
  `Parent=${randomBytes(8).toString('hex')};Sampled=1`;

const parseError = (body: Buffer, type: string | undefined): FunctionError => {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as Partial<FunctionError>;
    return {
      errorType: parsed.errorType ?? type ?? 'Unknown',
      errorMessage: parsed.errorMessage ?? '',
      ...(parsed.trace === undefined ? {} : { trace: parsed.trace }),
    };
  } catch {
    return { errorType: type ?? 'Unknown', errorMessage: body.toString('utf8') };
  }
};

export const startRuntimeApi = async (): Promise<RuntimeApi> => {
  const queue: Pending[] = [];
  let inFlight: Pending | undefined;
  let waiting: ServerResponse | undefined;
  let initError: FunctionError | undefined;
  let firstPollAt: number | undefined;
  const readyWaiters: (() => void)[] = [];
  const idleListeners: (() => void)[] = [];
  const pollWaiters: (() => void)[] = [];

  const settle = (result: InvocationResult) => {
    const pending = inFlight;
    inFlight = undefined;
    pending?.settle(result);
  };

  const elapsed = (pending: Pending) => Date.now() - (pending.startedAt ?? Date.now());

  const deliver = () => {
    if (waiting === undefined || inFlight !== undefined) return;
    const next = queue.shift();
    if (next === undefined) {
      for (const listener of idleListeners) listener();
      return;
    }
    const response = waiting;
    waiting = undefined;
    inFlight = next;
    next.startedAt = Date.now();
    response.writeHead(200, {
      'content-type': 'application/json',
      'lambda-runtime-aws-request-id': next.requestId,
      'lambda-runtime-deadline-ms': String(next.options.deadlineMs),
      'lambda-runtime-invoked-function-arn': next.options.invokedFunctionArn,
      'lambda-runtime-trace-id': next.traceId,
    });
    response.end(next.event);
  };

  const accepted = (response: ServerResponse) => {
    response.writeHead(202, { 'content-type': 'application/json' });
    response.end('{"status":"OK"}');
  };

  const server = createServer(async (request, response) => {
    const url = request.url ?? '';
    const body = await readBody(request);
    if (request.method === 'GET' && url === '/2018-06-01/runtime/invocation/next') {
      if (firstPollAt === undefined) {
        firstPollAt = Date.now();
        for (const waiter of readyWaiters.splice(0)) waiter();
      }
      waiting = response;
      for (const waiter of pollWaiters.splice(0)) waiter();
      deliver();
      return;
    }
    if (request.method === 'POST' && url === '/2018-06-01/runtime/init/error') {
      initError = parseError(body, request.headers['lambda-runtime-function-error-type'] as string);
      accepted(response);
      for (const waiter of readyWaiters.splice(0)) waiter();
      return;
    }
    const match = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
    if (request.method === 'POST' && match && inFlight?.requestId === decodeURIComponent(match[1] ?? '')) {
      const pending = inFlight;
      accepted(response);
      if (match[2] === 'error') {
        const type = request.headers['lambda-runtime-function-error-type'] as string | undefined;
        settle({
          ok: false,
          error: parseError(body, type),
          requestId: pending.requestId,
          durationMs: elapsed(pending),
        });
      } else if (body.byteLength > MAX_RESPONSE_BYTES) {
        settle({
          ok: false,
          error: {
            errorType: 'Function.ResponseSizeTooLarge',
            errorMessage: `Response payload size (${body.byteLength} bytes) exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
          },
          requestId: pending.requestId,
          durationMs: elapsed(pending),
        });
      } else {
        const text = body.toString('utf8');
        settle({
          ok: true,
          payload: text === '' ? null : JSON.parse(text),
          requestId: pending.requestId,
          durationMs: elapsed(pending),
        });
      }
      return;
    }
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ errorType: 'InvalidRequest', errorMessage: `${request.method} ${url}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    address: `127.0.0.1:${port}`,
    invoke(event, options) {
      return new Promise((resolve) => {
        queue.push({
          requestId: randomUUID(),
          event: JSON.stringify(event),
          options,
          traceId: traceHeader(),
          settle: resolve,
        });
        deliver();
      });
    },
    abort(error) {
      const pending = inFlight;
      if (pending !== undefined)
        settle({ ok: false, error, requestId: pending.requestId, durationMs: elapsed(pending) });
      for (const queued of queue.splice(0))
        queued.settle({ ok: false, error, requestId: queued.requestId, durationMs: 0 });
    },
    ready: (since) =>
      new Promise((resolve) => {
        const done = () => resolve((firstPollAt ?? Date.now()) - since);
        if (firstPollAt !== undefined || initError !== undefined) done();
        else readyWaiters.push(done);
      }),
    initError: () => initError,
    polling: () =>
      new Promise((resolve) => {
        if (waiting !== undefined) resolve();
        else pollWaiters.push(resolve);
      }),
    onIdle(listener) {
      idleListeners.push(listener);
    },
    async close() {
      waiting?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
