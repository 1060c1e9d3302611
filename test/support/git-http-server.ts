import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real smart-HTTP git host for tests: Debian's `git http-backend` behind a small Node CGI bridge
 * on 127.0.0.1. Serves clone, shallow fetch and push (protocol v0/v1/v2) to the git CLI and to
 * isomorphic-git. CGI variables: https://git-scm.com/docs/git-http-backend#_environment
 */

const HTTP_BACKEND = '/usr/lib/git-core/git-http-backend';

export interface GitHttpServerOptions {
  /** Directory holding the bare repositories; `url('x.git')` serves `<root>/x.git`. */
  readonly root: string;
  /** When set, every request must carry these HTTP basic credentials (401 otherwise). */
  readonly auth?: { readonly username: string; readonly password: string };
}

export interface GitHttpRequestStats {
  count: number;
  /** Request body bytes received from clients (as sent on the wire, possibly gzip). */
  bytesIn: number;
  /** Response body bytes sent to clients. */
  bytesOut: number;
}

export interface GitHttpServer {
  url(repoName: string): string;
  readonly requests: GitHttpRequestStats;
  close(): Promise<void>;
}

const authorized = (req: IncomingMessage, auth: GitHttpServerOptions['auth']): boolean => {
  if (!auth) return true;
  const header = req.headers.authorization ?? '';
  const expected = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  return header === expected;
};

/** Splits a CGI response into its header block and body start (CGI allows LF or CRLF line ends). */
const splitCgiHead = (buffered: Buffer): { head: string; body: Buffer } | undefined => {
  const crlf = buffered.indexOf('\r\n\r\n');
  const lf = buffered.indexOf('\n\n');
  if (crlf < 0 && lf < 0) return undefined;
  const [at, length] = crlf >= 0 && (lf < 0 || crlf < lf) ? [crlf, 4] : [lf, 2];
  return { head: buffered.subarray(0, at).toString('latin1'), body: buffered.subarray(at + length) };
};

const cgiEnv = (req: IncomingMessage, root: string, pathInfo: string, query: string): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    // http-backend enables receive-pack (push) only for authenticated users.
    REMOTE_USER: 'tester',
    REMOTE_ADDR: '127.0.0.1',
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: 'HTTP/1.1',
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: pathInfo,
    QUERY_STRING: query,
    CONTENT_TYPE: req.headers['content-type'] ?? '',
  };
  if (req.headers['content-length'] !== undefined) env.CONTENT_LENGTH = req.headers['content-length'];
  if (req.headers['content-encoding'] !== undefined)
    env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
  if (req.headers['git-protocol'] !== undefined) env.GIT_PROTOCOL = String(req.headers['git-protocol']);
  return env;
};

export const handleGitHttpRequest = (
  req: IncomingMessage,
  res: ServerResponse,
  options: GitHttpServerOptions,
  stats: GitHttpRequestStats,
): void => {
  stats.count++;
  req.on('data', (chunk: Buffer) => {
    stats.bytesIn += chunk.byteLength;
  });
  if (!authorized(req, options.auth)) {
    req.resume();
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"', 'Content-Type': 'text/plain' });
    res.end('authentication required\n');
    return;
  }
  const parsed = new URL(req.url ?? '/', 'http://127.0.0.1');
  const child = spawn(HTTP_BACKEND, [], {
    env: cgiEnv(req, options.root, decodeURIComponent(parsed.pathname), parsed.search.slice(1)),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stderr: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.stdin.on('error', () => {}); // http-backend may exit before reading a rejected body
  req.pipe(child.stdin);

  let pending: Buffer = Buffer.alloc(0);
  let headersSent = false;
  const writeBody = (chunk: Buffer): void => {
    stats.bytesOut += chunk.byteLength;
    res.write(chunk);
  };
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersSent) return writeBody(chunk);
    pending = Buffer.concat([pending, chunk]);
    const split = splitCgiHead(pending);
    if (!split) return;
    headersSent = true;
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of split.head.split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else headers[name] = value;
    }
    res.writeHead(status, headers);
    if (split.body.byteLength > 0) writeBody(split.body);
  });
  child.on('close', (code) => {
    if (!headersSent) {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`git http-backend exited ${code}: ${Buffer.concat(stderr).toString()}`);
      return;
    }
    res.end();
  });
  child.on('error', (error) => {
    if (!res.headersSent) res.writeHead(500);
    res.end(String(error));
  });
};

export const startGitHttpServer = async (options: GitHttpServerOptions): Promise<GitHttpServer> => {
  const requests: GitHttpRequestStats = { count: 0, bytesIn: 0, bytesOut: 0 };
  const server = createServer((req, res) => handleGitHttpRequest(req, res, options, requests));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: (repoName) => `http://127.0.0.1:${port}/${repoName}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
};
