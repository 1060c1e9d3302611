import { gzipSync } from 'node:zlib';
import { renderBoardDocument, renderBoardFragment } from '../../functions/board/board-html';
import { startBoardServer } from '../../functions/local/board-server';
import { largeView } from '../../test/support/board-views';
import { launchChromium } from '../../test/support/chromium';
import { computed, sample, summarize, timed } from '../lib/figures';
import type { Scenario } from '../lib/scenario';

/**
 * Scenario 7: the promotion board at 200 charts × 5 environments (every cell filled, 50 runs): the
 * size of the HTML (the local page, and the CloudWatch widget fragment, whose Lambda response may be
 * at most 6 MB: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html), the time
 * to render it to a string, and the time Debian's chromium (headless, via playwright-core) takes to
 * show it: navigation to the local board server until the load event (fetch, parse, style, layout,
 * first paint included), and the same HTML set into an open page until layout is done. Also at
 * 50 × 3, for scale.
 */

const SIZES = [
  { charts: 200, environments: 5 },
  { charts: 50, environments: 3 },
] as const;

export const boardRender: Scenario = {
  id: 'board',
  quick: false,
  title: 'Promotion board: HTML size and render time in Chromium',
  run: async (context) => {
    const { sink, plan } = context;
    const browser = await launchChromium();
    try {
      for (const { charts, environments } of SIZES) {
        const label = `${charts}x${environments}`;
        const view = largeView(charts, environments);
        const page = renderBoardDocument(view, { surface: { kind: 'page' }, refreshSeconds: 5 });
        const fragment = renderBoardFragment(view, {
          surface: { kind: 'widget', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:board' },
        });
        const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
        sink.figure(`board.html.${label}`, computed(bytes(page) / 1000, 'KB', 1, 'local page, UTF-8'));
        sink.figure(
          `board.widget-html.${label}`,
          computed(bytes(fragment) / 1000, 'KB', 1, 'widget response body'),
        );
        sink.figure(
          `board.html-gzip.${label}`,
          computed(gzipSync(page).byteLength / 1000, 'KB', 1, 'gzip -6'),
        );

        const rendered = await sample(plan, async () => ({
          ms: (await timed(async () => renderBoardDocument(view, { surface: { kind: 'page' } }))).ms,
        }));
        sink.figure(
          `time.board-render-string.${label}`,
          summarize(rendered.ms, 'ms', 'renderBoardDocument, Node'),
        );

        const server = await startBoardServer({ view: async () => view, refreshSeconds: 3600 });
        const browserContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
        try {
          const tab = await browserContext.newPage();
          const navigation = await sample(plan, async () => {
            const { ms } = await timed(() => tab.goto(server.url, { waitUntil: 'load' }));
            const cells = await tab.$$eval('td.cpb-cell', (all) => all.length);
            if (cells !== charts * environments)
              throw new Error(`${cells} cells shown, want ${charts * environments}`);
            const paint = await tab.evaluate(
              "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1",
            );
            return { ms, paint: Number(paint) };
          });
          sink.figure(
            `time.board-chromium-load.${label}`,
            summarize(navigation.ms, 'ms', 'goto → load event, local board server'),
          );
          if (navigation.paint.every((p) => p >= 0))
            sink.figure(
              `time.board-chromium-fcp.${label}`,
              summarize(navigation.paint, 'ms', 'first contentful paint after navigation start'),
            );
          const set = await sample(plan, async () => {
            const { ms } = await timed(async () => {
              await tab.setContent(fragment);
              await tab.evaluate('document.body.getBoundingClientRect().height');
            });
            return { ms };
          });
          sink.figure(
            `time.board-chromium-widget.${label}`,
            summarize(set.ms, 'ms', 'widget fragment: setContent + layout'),
          );
        } finally {
          await browserContext.close();
          await server.close();
        }
      }
    } finally {
      await browser.close();
    }
  },
};
