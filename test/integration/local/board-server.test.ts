import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { BOARD_REFRESH_SCRIPT } from '../../../functions/board/board-html';
import { type BoardServer, startBoardServer } from '../../../functions/local/board-server';
import type { PromotionBoardView } from '../../../functions/ports/release-ledger';
import { demoLikeView } from '../../support/board-views';

describe('local board server (node:http on 127.0.0.1)', () => {
  let server: BoardServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const start = async (view: () => Promise<PromotionBoardView>, notice?: string) => {
    const errors: unknown[] = [];
    server = await startBoardServer({
      view,
      refreshSeconds: 3,
      ...(notice === undefined ? {} : { notice }),
      onError: (error) => errors.push(error),
    });
    return { url: server.url, errors };
  };

  it('serves the board at /, rendered from the view on every request, refreshing itself', async () => {
    // Prepare
    let view = demoLikeView();
    const { url } = await start(async () => view, 'no ledger here');
    // Act
    const first = await fetch(url);
    const firstHtml = await first.text();
    view = { ...view, releases: view.releases.filter((r) => r.chart !== 'checkout') };
    const secondHtml = await (await fetch(url)).text();
    // Assess
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(firstHtml).toContain('<tr id="cpb-c-checkout">');
    expect(firstHtml).toContain('data-refresh-seconds="3"');
    expect(firstHtml).toContain('<p class="cpb-notice" role="status">no ledger here</p>');
    expect(secondHtml).not.toContain('<tr id="cpb-c-checkout">');
  });

  it('filters by ?q=', async () => {
    // Prepare
    const { url } = await start(async () => demoLikeView());
    // Act
    const html = await (await fetch(`${url}?q=worker`)).text();
    // Assess
    expect([...html.matchAll(/<tr id="cpb-c-([^"]+)"/g)].map((m) => m[1])).toEqual(['hello-worker']);
  });

  it('lets only its own inline script and styles run or apply (CSP by hash), and fetch only itself', async () => {
    // Prepare
    const { url } = await start(async () => demoLikeView());
    // Act
    const response = await fetch(url);
    const csp = response.headers.get('content-security-policy') ?? '';
    const html = await response.text();
    // Assess
    const scriptHash = createHash('sha256').update(BOARD_REFRESH_SCRIPT).digest('base64');
    expect(csp).toContain(`script-src 'sha256-${scriptHash}'`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    // Every inline block of the page is allowed by one of the hashes.
    for (const [, kind, text] of html.matchAll(/<(script|style)>(.*?)<\/\1>/gs)) {
      const hash = createHash('sha256').update(text!).digest('base64');
      expect(csp).toContain(`'sha256-${hash}'`);
      expect(['script', 'style']).toContain(kind);
    }
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers HEAD without a body, 404 elsewhere, 405 to other methods', async () => {
    // Prepare
    const { url } = await start(async () => demoLikeView());
    // Act
    const head = await fetch(url, { method: 'HEAD' });
    const missing = await fetch(`${url}favicon.ico`);
    const post = await fetch(url, { method: 'POST', body: 'x' });
    // Assess
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect(missing.status).toBe(404);
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('says when the view cannot be read (500, escaped, still refreshing) and recovers on the next request', async () => {
    // Prepare
    let fail = true;
    const { url, errors } = await start(async () => {
      if (fail) throw new Error('ledger <down>');
      return demoLikeView();
    });
    // Act
    const failed = await fetch(url);
    const failedHtml = await failed.text();
    fail = false;
    const recovered = await fetch(url);
    // Assess
    expect(failed.status).toBe(500);
    expect(failedHtml).toContain('Could not read the board: ledger &lt;down&gt;');
    expect(failedHtml).toContain('data-refresh-seconds="3"');
    expect(errors).toHaveLength(1);
    expect(recovered.status).toBe(200);
  });
});
