import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { renderBoardDocument, renderBoardFragment } from '../../../functions/board/board-html';
import { lookOfState, toneOfRunStatus } from '../../../functions/board/board-states';
import { DARK_PALETTE, LIGHT_PALETTE, type Palette } from '../../../functions/board/board-styles';
import { type BoardServer, startBoardServer } from '../../../functions/local/board-server';
import { type LocalRuntime, startLocalRuntime } from '../../../functions/local/local-runtime';
import type { PromotionBoardView } from '../../../functions/ports/release-ledger';
import { demoLikeView, HOSTILE, hostileView, largeView } from '../../support/board-views';
import { contrastRatio, launchChromium } from '../../support/chromium';
import { buildChart } from '../../support/tar-fixtures';

/**
 * The board in a real browser: Debian's chromium driven by playwright-core. Every wait is on a
 * condition in the page (a state shown, a row hidden), with generous limits for a loaded machine;
 * nothing here is timed.
 */

const WAIT = { timeout: 90_000 };

// The browser globals the page functions below use, typed here: the project compiles without the
// DOM library (Lambda code must not see `document`), and these declarations stay in this module.
interface El {
  readonly textContent: string | null;
  readonly parentElement: El | null;
  readonly classList: Iterable<string>;
  readonly cellIndex: number;
  readonly protocol: string;
  scrollTop: number;
  scrollLeft: number;
  closest(selector: string): El | null;
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): ArrayLike<El>;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { readonly top: number; readonly left: number };
}
declare const document: {
  getElementById(id: string): El | null;
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): ArrayLike<El>;
};
declare const window: object;
declare function getComputedStyle(element: El): { color: string; backgroundColor: string; display: string };
// Page functions are sent to the browser as text: only inline casts (erased) may appear in them.
let browser: Browser;
const servers: BoardServer[] = [];
const pages: Page[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});
afterEach(async () => {
  await Promise.all(pages.splice(0).map((page) => page.context().close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
afterAll(async () => {
  await browser?.close();
});

const newPage = async (options: BrowserContextOptions = {}): Promise<Page> => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const page = await context.newPage();
  pages.push(page);
  return page;
};

/** A board server whose view the test changes at will. */
const serve = async (initial: PromotionBoardView, refreshSeconds = 1) => {
  let view = initial;
  const server = await startBoardServer({ view: async () => view, refreshSeconds });
  servers.push(server);
  return { url: server.url, set: (next: PromotionBoardView) => (view = next) };
};

/** `#rrggbb` as getComputedStyle writes it. */
const rgb = (color: string): string => {
  const n = Number.parseInt(color.slice(1), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
};

interface CellSeen {
  readonly chart: string;
  readonly environment: string;
  readonly word: string;
  readonly version: string;
  readonly color: string;
  readonly background: string;
}

/** Every filled cell as the browser shows it: its row's chart, its column's environment, word, colours. */
const cellsSeen = (page: Page): Promise<CellSeen[]> =>
  page.$$eval('table.cpb-matrix td.cpb-cell', (cells) =>
    (cells as unknown as El[]).map((td) => {
      const row = td.parentElement!;
      const headers = td.closest('table')!.querySelectorAll('thead th');
      const style = getComputedStyle(td);
      return {
        chart: row.querySelector('th')!.textContent ?? '',
        environment: headers[td.cellIndex]?.textContent ?? '',
        word: td.querySelector('.cpb-word')?.textContent ?? '',
        version: td.querySelector('.cpb-ver')?.textContent ?? '',
        color: style.color,
        background: style.backgroundColor,
      };
    }),
  );

/** Text and background colour of every badge (summary and runs), as rendered. */
const badgesSeen = (page: Page) =>
  page.$$eval('.cpb-badge', (badges) =>
    (badges as unknown as El[]).map((badge) => ({
      text: badge.textContent ?? '',
      tone: [...badge.classList].find((c) => c.startsWith('cpb-t-'))?.slice(6) ?? '',
      color: getComputedStyle(badge).color,
      background: getComputedStyle(badge).backgroundColor,
    })),
  );

describe('the board page in Chromium, served by the local board server', () => {
  it.each([
    ['light', LIGHT_PALETTE],
    ['dark', DARK_PALETTE],
  ] as const)(
    'shows each chart in its state by word and by colour (%s scheme), every pair at least 4.5:1, loading nothing else',
    async (scheme, palette: Palette) => {
      // Prepare
      const view = demoLikeView();
      const { url } = await serve(view, 60);
      const page = await newPage({ colorScheme: scheme });
      const requested: string[] = [];
      page.on('request', (request) => requested.push(request.url()));
      // Act
      await page.goto(url);
      const cells = await cellsSeen(page);
      const badges = await badgesSeen(page);
      const muted = await page.$eval('.cpb-meta', (p) => ({
        color: getComputedStyle(p as unknown as El).color,
        background: getComputedStyle((p as unknown as El).closest('.cpb-head')!).backgroundColor,
      }));
      // Assess
      expect(cells).toHaveLength(view.releases.length);
      for (const record of view.releases) {
        const tone = palette.tones[lookOfState(record.state).tone];
        expect(cells).toContainEqual({
          chart: record.chart,
          environment: record.environment,
          word: record.state,
          version: record.version,
          color: rgb(tone.text),
          background: rgb(tone.background),
        });
      }
      for (const seen of [...cells, ...badges, muted])
        expect(contrastRatio(seen.color, seen.background)).toBeGreaterThanOrEqual(4.5);
      const runBadges = badges.filter((b) => !/^\S+ \d+ /.test(b.text));
      for (const run of view.runs)
        expect(runBadges).toContainEqual(
          expect.objectContaining({ text: run.status, tone: toneOfRunStatus(run.status) }),
        );
      expect(new Set(requested)).toEqual(new Set([url]));
    },
  );

  it('refreshes itself with JavaScript: the changed view appears, the typed filter and the attention switch stay', async () => {
    // Prepare
    const view = demoLikeView();
    const board = await serve(view, 1);
    const page = await newPage();
    const requested = new Set<string>();
    page.on('request', (request) => requested.add(request.url()));
    await page.goto(board.url);
    await page.fill('#cpb-q', 'hel');
    await page.check('#cpb-attention');
    const converged: PromotionBoardView = {
      ...view,
      generatedAt: new Date(Date.parse(view.generatedAt) + 60_000).toISOString(),
      releases: view.releases.map((r) =>
        r.chart === 'hello-web' && r.environment === 'prod'
          ? { ...r, state: 'converged', revision: r.revision + 1 }
          : r,
      ),
      runs: [
        {
          at: view.generatedAt,
          kind: 'move',
          chart: 'hello-web',
          version: '1.0.0',
          environment: 'prod',
          status: 'converged',
        },
        ...view.runs,
      ],
    };
    // Act
    board.set(converged);
    await page.waitForFunction(
      () => {
        const row = document.getElementById('cpb-c-hello-web');
        return row?.querySelectorAll('td')[2]?.getAttribute('data-state') === 'converged';
      },
      undefined,
      WAIT,
    );
    // Assess
    expect(await page.inputValue('#cpb-q')).toBe('hel');
    expect(await page.isChecked('#cpb-attention')).toBe(true);
    expect(await page.isVisible('#cpb-c-hello-web')).toBe(false);
    expect(await page.isVisible('#cpb-c-billing-api')).toBe(true);
    expect(await page.textContent('.cpb-summary')).toContain('12 converged');
    expect(await page.getAttribute('.cpb', 'data-stale')).toBeNull();
    expect([...requested]).toEqual([board.url]);
  });

  it('refreshes itself without JavaScript, by its noscript meta refresh', async () => {
    // Prepare
    const view = demoLikeView();
    const board = await serve(view, 1);
    const page = await newPage({ javaScriptEnabled: false });
    await page.goto(board.url);
    expect(await page.getAttribute('#cpb-c-checkout td', 'data-state')).toBe('committed');
    // Act
    board.set({
      ...view,
      releases: view.releases.map((r) =>
        r.chart === 'checkout' && r.environment === 'dev' ? { ...r, state: 'converged' } : r,
      ),
    });
    await page.waitForSelector('#cpb-c-checkout td[data-state="converged"]:first-of-type', WAIT);
    // Assess
    expect(await page.textContent('#cpb-c-checkout td .cpb-word')).toBe('converged');
  });

  it('marks the board stale while the server does not answer, and keeps what it showed', async () => {
    // Prepare
    const board = await serve(demoLikeView(), 1);
    const page = await newPage();
    await page.goto(board.url);
    // Act
    await servers.pop()!.close();
    await page.waitForSelector('.cpb[data-stale="true"]', WAIT);
    // Assess
    expect(await page.$$eval('td.cpb-cell', (cells) => cells.length)).toBe(demoLikeView().releases.length);
    expect(await page.textContent('.cpb-meta')).toBeTruthy();
  });
});

describe('the board in Chromium without a server', () => {
  it('runs nothing from hostile strings: they read as text, no element or handler comes from them', async () => {
    // Prepare: no CSP here (setContent), so escaping alone must hold.
    const page = await newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    // Act
    await page.setContent(renderBoardDocument(hostileView(), { surface: { kind: 'page' }, filter: '' }));
    await page.hover(`a[href^="https://example.com/pull/1"]`);
    // Assess
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(await page.$$('img, svg, iframe, script')).toHaveLength(0);
    expect(await page.textContent('.cpb-matrix tbody th')).toBe(HOSTILE.chart);
    expect(await page.textContent('.cpb-matrix thead th:nth-child(2)')).toBe(HOSTILE.environment);
    expect(await page.textContent('.cpb-runs .cpb-detail')).toBe(`${HOSTILE.message}: ${HOSTILE.message}`);
    expect(
      await page.$$eval('a[href]', (links) => (links as unknown as El[]).map((a) => a.protocol)),
    ).toEqual(['https:']);
  });

  it('as a CloudWatch widget fragment with JavaScript off: readable in a scrolling box, the attention switch works by CSS', async () => {
    // Prepare: the widget's body is a fixed-height scrolling box on the dashboard.
    const view = largeView(200, 5);
    const fragment = renderBoardFragment(view, {
      surface: { kind: 'widget', functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:board' },
      theme: 'light',
    });
    const page = await newPage({ javaScriptEnabled: false });
    await page.setContent(
      `<!doctype html><html><body style="margin:0"><div id="widget" style="height:600px;width:900px;overflow:auto">${fragment}</div></body></html>`,
    );
    const needing = await page.$$eval('tr.cpb-needs', (rows) => rows.length);
    // Act
    await page.$eval('#widget', (box) => {
      (box as unknown as El).scrollTop = 4000;
      (box as unknown as El).scrollLeft = 300;
    });
    const stuck = await page.evaluate(() => {
      const box = document.getElementById('widget')!.getBoundingClientRect();
      const head = document.querySelector('.cpb-matrix thead th:nth-child(3)')!.getBoundingClientRect();
      const name = document.querySelector('.cpb-matrix tbody tr:nth-child(60) th')!.getBoundingClientRect();
      const scroller = document.getElementById('widget')!;
      return {
        headTop: head.top - box.top,
        nameLeft: name.left - box.left,
        scrolled: [scroller.scrollTop, scroller.scrollLeft],
      };
    });
    await page.click('label:has(#cpb-attention)');
    const visible = await page.$$eval(
      '.cpb-matrix tbody tr',
      (rows) => (rows as unknown as El[]).filter((row) => getComputedStyle(row).display !== 'none').length,
    );
    // Assess
    expect(await page.$$eval('td.cpb-cell', (cells) => cells.length)).toBe(1000);
    // Scrolled for real (the box is narrower than five environments), so sticking is what kept them.
    expect(stuck.scrolled[0]).toBe(4000);
    expect(stuck.scrolled[1]).toBeGreaterThan(100);
    expect(stuck.headTop).toBeLessThan(2);
    expect(stuck.nameLeft).toBeLessThan(2);
    expect(needing).toBeGreaterThan(0);
    expect(visible).toBe(needing);
  });
});

describe('the local runtime serves the board, which follows uploads', () => {
  let workdir: string;
  let runtime: LocalRuntime | undefined;
  afterEach(async () => {
    await runtime?.close();
    runtime = undefined;
    if (workdir) await rm(workdir, { recursive: true, force: true });
  });

  it('shows the policy environments, then the upload among the latest runs and its release committed in dev (the ledger)', async () => {
    // Prepare
    workdir = await mkdtemp(join(tmpdir(), 'board-runtime-'));
    runtime = await startLocalRuntime({ workdir, boardRefreshSeconds: 1, queue: { batchingWindowMs: 100 } });
    const page = await newPage();
    await page.goto(runtime.boardUrl);
    const environments = await page.$$eval('.cpb-matrix thead th', (ths) =>
      (ths as unknown as El[]).map((th) => th.textContent),
    );
    // Act
    await runtime.s3.client.send(
      new PutObjectCommand({
        Bucket: runtime.bucket,
        Key: `${runtime.prefix}board-web-1.2.0.tgz`,
        Body: await buildChart('board-web', '1.2.0'),
      }),
    );
    await page.waitForFunction(
      () =>
        [...(document.querySelectorAll('.cpb-runs tbody tr') as unknown as Iterable<El>)].some(
          (row) => row.textContent?.includes('board-web') && row.textContent.includes('promoted'),
        ),
      undefined,
      WAIT,
    );
    // Assess
    expect(runtime.boardUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(environments).toEqual(['Chart', 'dev', 'staging', 'prod']);
    // The matrix is the runtime's release ledger: the upload's commit is recorded there.
    await page.waitForFunction(
      () =>
        [...(document.querySelectorAll('.cpb-matrix tbody tr') as unknown as Iterable<El>)].some(
          (row) => row.textContent?.includes('board-web') && row.textContent.includes('committed'),
        ),
      undefined,
      WAIT,
    );
    expect(await page.$('.cpb-notice')).toBeNull();
    const row = await page.textContent('.cpb-runs tbody tr');
    expect(row).toContain('upload');
    expect(row).toContain('1.2.0');
    expect(row).toContain('dev');
  });
});
