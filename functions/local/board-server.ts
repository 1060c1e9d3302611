import { createHash } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import { BOARD_INLINE_SCRIPTS, BOARD_INLINE_STYLES, renderBoardDocument } from '../board/board-html';
import type { PromotionBoardView } from '../ports/release-ledger';
import { listenOnLoopback } from './loopback-server';

/**
 * The promotion board in a browser, for `local` and `demo`: GET http://127.0.0.1:<port>/ answers the
 * same page the CloudWatch widget shows, rendered from `view()` on every request, refreshing itself
 * (`?q=` filters by chart name). Nothing else is served; the page loads nothing from anywhere.
 */
export interface BoardServerOptions {
  readonly view: () => Promise<PromotionBoardView>;
  /** 0 picks a free port. @default 0 */
  readonly port?: number;
  /** How often the page refreshes itself. @default 5 */
  readonly refreshSeconds?: number;
  /** A line shown above the matrix (e.g. that no ledger is recording yet). */
  readonly notice?: string;
  /** Called when `view()` throws (the page then says so, and keeps refreshing). */
  readonly onError?: (error: unknown) => void;
}

export interface BoardServer {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const hashSource = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * Only the page's own inline script and stylesheets may run or apply, by their hashes; it may fetch
 * only itself (the refresh) and submit only to itself. Markup is escaped anyway: this is the second
 * wall. https://www.w3.org/TR/CSP3/#grammardef-hash-source
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src ${BOARD_INLINE_SCRIPTS.map(hashSource).join(' ')}`,
  `style-src ${BOARD_INLINE_STYLES.map(hashSource).join(' ')}`,
  "connect-src 'self'",
  'img-src data:',
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const send = (
  response: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
) => {
  response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    ...headers,
  });
  response.end(body);
};

export const startBoardServer = async (options: BoardServerOptions): Promise<BoardServer> => {
  const refreshSeconds = options.refreshSeconds ?? 5;
  const page = async (filter: string): Promise<{ status: number; html: string }> => {
    const common = { surface: { kind: 'page' } as const, filter, refreshSeconds };
    try {
      const view = await options.view();
      return {
        status: 200,
        html: renderBoardDocument(view, { ...common, ...(options.notice ? { notice: options.notice } : {}) }),
      };
    } catch (error) {
      options.onError?.(error);
      const empty = { generatedAt: new Date().toISOString(), environments: [], releases: [], runs: [] };
      const reason = error instanceof Error ? error.message : String(error);
      return {
        status: 500,
        html: renderBoardDocument(empty, { ...common, notice: `Could not read the board: ${reason}` }),
      };
    }
  };
  const server = createServer((request, response) => {
    request.resume();
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(response, 405, 'method not allowed\n', { allow: 'GET, HEAD', 'content-type': 'text/plain' });
      return;
    }
    if (url.pathname !== '/') {
      send(response, 404, 'not found: the board is at /\n', { 'content-type': 'text/plain' });
      return;
    }
    void page(url.searchParams.get('q') ?? '').then(({ status, html }) =>
      send(response, status, request.method === 'HEAD' ? '' : html),
    );
  });
  return listenOnLoopback(server, options.port);
};
