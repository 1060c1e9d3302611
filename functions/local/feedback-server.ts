import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { FeedbackRequest, FeedbackResponse } from '../feedback/handle-feedback';
import { listenOnLoopback } from './loopback-server';

/**
 * The local stand-in for the feedback function URL: a node:http server on 127.0.0.1 that hands the
 * RAW body bytes (the signature covers them, byte for byte) and the headers to the transport-free
 * handler, and answers with its status and JSON body. Only POST, as Flux's notification-controller
 * sends. A body over `maxBodyBytes` is not buffered: the handler sees `maxBodyBytes + 1` bytes (enough
 * to answer 413) and the rest is drained.
 */
export interface FeedbackServerOptions {
  readonly handle: (request: FeedbackRequest) => Promise<FeedbackResponse>;
  readonly maxBodyBytes: number;
  /** 0 picks a free port. @default 0 */
  readonly port?: number;
  /** Called when `handle` throws (the client gets a 500). */
  readonly onError?: (error: unknown) => void;
}

export interface FeedbackServer {
  /** `http://127.0.0.1:<port>/` — the address a Flux Provider would post to. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const readCapped = (request: IncomingMessage, cap: number): Promise<Uint8Array> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    request.on('data', (chunk: Buffer) => {
      if (kept >= cap) return; // drain the rest
      const part = chunk.subarray(0, cap - kept);
      chunks.push(part);
      kept += part.byteLength;
    });
    request.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    request.on('error', reject);
  });

const headersOf = (request: IncomingMessage): Record<string, string | undefined> => {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers))
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
};

const answer = (response: ServerResponse, statusCode: number, body: unknown, extra = {}): void => {
  response.writeHead(statusCode, { 'content-type': 'application/json', ...extra });
  response.end(JSON.stringify(body));
};

export const startFeedbackServer = async (options: FeedbackServerOptions): Promise<FeedbackServer> => {
  const server = createServer((request, response) => {
    if (request.method !== 'POST') {
      request.resume();
      answer(response, 405, { status: 'rejected', reason: 'METHOD_NOT_ALLOWED' }, { allow: 'POST' });
      return;
    }
    readCapped(request, options.maxBodyBytes + 1)
      .then((body) => options.handle({ headers: headersOf(request), body }))
      .then((result) => answer(response, result.statusCode, result.body))
      .catch((error: unknown) => {
        options.onError?.(error);
        if (!response.headersSent) answer(response, 500, { status: 'error', reason: 'UNEXPECTED_ERROR' });
      });
  });
  return listenOnLoopback(server, options.port);
};
