/**
 * Renders the promotion board for a demo-like view (test/support/board-views.ts) in headless Chromium
 * and saves a PNG: the README's docs/board.png.
 *
 *   npx tsx scripts/board-screenshot.ts [--out docs/board.png] [--theme light|dark] [--large] [--width 1040] [--runs 8]
 *
 * Needs Debian's chromium (/usr/bin/chromium).
 */
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type BoardTheme, renderBoardDocument } from '../functions/board/board-html';
import { demoLikeView, largeView } from '../test/support/board-views';
import { launchChromium } from '../test/support/chromium';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    out: { type: 'string', default: resolve(repoRoot, 'docs/board.png') },
    theme: { type: 'string', default: 'light' },
    large: { type: 'boolean', default: false },
    width: { type: 'string', default: '1040' },
    runs: { type: 'string', default: '8' },
    html: { type: 'string' },
  },
});

const view = values.large ? largeView() : demoLikeView();
const html = renderBoardDocument(view, {
  surface: { kind: 'page' },
  theme: values.theme as BoardTheme,
  runLimit: Number(values.runs),
});
if (values.html) await writeFile(values.html, html);
const browser = await launchChromium();
try {
  // A short viewport: the full-page shot is then exactly as tall as the board (min-height 100vh).
  const page = await browser.newPage({ viewport: { width: Number(values.width), height: 300 } });
  await page.setContent(html);
  await page.screenshot({ path: values.out, fullPage: !values.large });
} finally {
  await browser.close();
}
process.stdout.write(`${values.out}: ${html.length} bytes of HTML rendered\n`);
