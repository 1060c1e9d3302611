import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small HTTP proxy on 127.0.0.1 that sits between a client and a local test server and injects the
 * faults a real network adds and a well-behaved test server never produces: connections dropped
 * before the request reaches the server, or after the server acted but before the answer reaches the
 * client (the classic "did my write happen?" case), delays, canned error answers, and a response
 * without Content-Length. It also counts the bytes each response delivered to the client, which is
 * how a test proves a download was stopped early.
 */

export type ProxyFault =
  /** Destroy the client's connection without forwarding the request: the server never sees it. */
  | { readonly kind: 'drop-request' }
  /** Forward, let the server answer in full, then destroy the client's connection (answer lost). */
  | { readonly kind: 'drop-response' }
  /** Hold the request this long before forwarding it. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Answer with this status and body instead of forwarding. */
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly body?: string;
      readonly headers?: Readonly<Record<string, string>>;
    };

export interface ProxyFaultRule {
  /** HTTP method to match; any when absent. */
  readonly method?: string;
  /** Tested against the request path (with query); any when absent. */
  readonly path?: RegExp;
  readonly fault: ProxyFault;
  /** How many matching requests get the fault (default 1; Infinity for a permanent fault). */
  readonly times?: number;
}

export interface ProxyExchange {
  readonly method: string;
  readonly path: string;
  /** Status forwarded to the client; undefined when the connection was dropped. */
  readonly status: number | undefined;
  /** Response body bytes written to the client. */
  readonly bytesToClient: number;
  readonly fault?: ProxyFault['kind'];
  /** The request body the client sent (UTF-8). */
  readonly requestBody: string;
}

export interface FaultProxyOptions {
  /** `http://127.0.0.1:<port>` of the server behind the proxy. */
  readonly upstream: string;
  /** Forward responses without Content-Length (chunked), as a lying or streaming server would. */
  readonly stripContentLength?: boolean;
}

export interface FaultProxy {
  readonly url: string;
  inject(rule: ProxyFaultRule): void;
  /** Forgets pending faults and the exchange log. */
  clear(): void;
  exchanges(): readonly ProxyExchange[];
  close(): Promise<void>;
}

interface PendingRule {
  readonly rule: ProxyFaultRule;
  left: number;
}

const matches = (rule: ProxyFaultRule, req: IncomingMessage): boolean =>
  (rule.method === undefined || rule.method === req.method) &&
  (rule.path === undefined || rule.path.test(req.url ?? '/'));

const readAll = async (stream: AsyncIterable<Buffer>): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const startFaultProxy = async (options: FaultProxyOptions): Promise<FaultProxy> => {
  const upstream = new URL(options.upstream);
  const rules: PendingRule[] = [];
  const log: ProxyExchange[] = [];

  const takeFault = (req: IncomingMessage): ProxyFault | undefined => {
    const index = rules.findIndex((pending) => matches(pending.rule, req));
    if (index < 0) return undefined;
    const pending = rules[index]!;
    pending.left -= 1;
    if (pending.left <= 0) rules.splice(index, 1);
    return pending.rule.fault;
  };

  const forwardHeaders = (headers: IncomingHttpHeaders): IncomingHttpHeaders => ({
    ...headers,
    host: upstream.host,
  });

  const server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const fault = takeFault(req);
    let requestBody = '';
    const record = (status: number | undefined, bytesToClient: number) =>
      log.push({ method, path, status, bytesToClient, ...(fault ? { fault: fault.kind } : {}), requestBody });

    void (async () => {
      const body = await readAll(req as AsyncIterable<Buffer>);
      requestBody = body.toString('utf8');
      if (fault?.kind === 'drop-request') {
        record(undefined, 0);
        req.socket.destroy();
        return;
      }
      if (fault?.kind === 'status') {
        res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
        res.end(fault.body ?? '');
        record(fault.status, Buffer.byteLength(fault.body ?? ''));
        return;
      }
      if (fault?.kind === 'delay') await sleep(fault.ms);
      const upstreamReq = httpRequest({
        host: upstream.hostname,
        port: upstream.port,
        method,
        path,
        headers: forwardHeaders(req.headers),
      });
      upstreamReq.on('error', () => {
        record(undefined, 0);
        req.socket.destroy();
      });
      upstreamReq.end(body);
      upstreamReq.on('response', (answer) => {
        if (fault?.kind === 'drop-response') {
          // The server has acted; make sure it finished answering, then lose the answer.
          void readAll(answer as AsyncIterable<Buffer>).then(() => {
            record(undefined, 0);
            req.socket.destroy();
          });
          return;
        }
        const headers = { ...answer.headers };
        if (options.stripContentLength) delete headers['content-length'];
        res.writeHead(answer.statusCode ?? 502, headers);
        let sent = 0;
        answer.on('data', (chunk: Buffer) => {
          sent += chunk.byteLength;
          if (!res.write(chunk)) answer.pause();
        });
        res.on('drain', () => answer.resume());
        answer.on('end', () => {
          res.end();
          record(answer.statusCode, sent);
        });
        // The client gave up (e.g. refused an oversize object): stop pulling from the server.
        res.on('close', () => {
          if (!answer.complete) {
            answer.destroy();
            record(answer.statusCode, sent);
          }
        });
      });
    })().catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    inject: (rule) => rules.push({ rule, left: rule.times ?? 1 }),
    clear: () => {
      rules.length = 0;
      log.length = 0;
    },
    exchanges: () => [...log],
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
