import type { PromotionBoardView, RunSummary } from '../ports/release-ledger';
import { escapeHtml, formatAge, formatUtc, idFor, shortCommit } from './board-format';
import { type BoardMatrix, boardMatrix, matrixTable, stateSummary } from './board-matrix';
import { toneOfRunStatus } from './board-states';
import { BOARD_CSS } from './board-styles';

/**
 * The promotion board as HTML: a pure function of a {@link PromotionBoardView} and a few options,
 * so the CloudWatch widget, the local page and the tests render the very same markup. Self-contained:
 * one inline stylesheet, no images, fonts or scripts from anywhere (the local page adds one inline
 * refresh script, which the CloudWatch widget must not carry: the console strips JavaScript).
 */

export type BoardTheme = 'light' | 'dark' | 'auto';

/**
 * Where the board is shown, which decides how the filter is submitted:
 * - `page`: a GET form (`?q=`), plus an index of first letters (anchors) for long boards;
 * - `widget`: a CloudWatch custom widget; the filter box is read back from `widgetContext.forms`
 *   when the Filter button calls the widget's own function through a `<cwdb-action>` (no anchors:
 *   the console routes on the URL fragment).
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/add_custom_widget_dashboard_interactivity.html
 */
export type BoardSurface =
  | { readonly kind: 'page' }
  | { readonly kind: 'widget'; readonly functionArn: string };

export interface BoardRenderOptions {
  readonly surface: BoardSurface;
  /** Only charts whose name contains this text (case-insensitive); runs likewise. @default '' (all) */
  readonly filter?: string;
  /** `auto` follows the reader's colour-scheme preference. @default 'auto' */
  readonly theme?: BoardTheme;
  /** How many of the latest runs are listed. @default 25 */
  readonly runLimit?: number;
  /** A line shown above the matrix, e.g. that no ledger is configured. */
  readonly notice?: string;
}

/** Most characters of a run message shown inline (the whole message is in the tooltip). */
const MESSAGE_CHARS = 160;
/** Boards with more charts than this get the first-letter index (page only). */
const INDEX_FROM_CHARTS = 30;

const matches = (name: string | undefined, filter: string): boolean =>
  filter === '' || name?.toLowerCase().includes(filter) === true;

const header = (view: PromotionBoardView, matrix: BoardMatrix): string =>
  `<header class="cpb-head" id="cpb-live-head" data-cpb-live>` +
  '<h1>Promotion board</h1>' +
  `<p class="cpb-meta">${matrix.charts.length} charts × ${matrix.environments.length} environments · ` +
  `as of <time datetime="${escapeHtml(view.generatedAt)}">${escapeHtml(formatUtc(view.generatedAt))}</time></p>` +
  `${stateSummary(matrix)}</header>`;

const filterControls = (surface: BoardSurface, filter: string): string => {
  const input =
    '<label for="cpb-q">Chart</label>' +
    `<input type="search" id="cpb-q" name="q" value="${escapeHtml(filter)}" placeholder="filter by name" maxlength="100">`;
  const form =
    surface.kind === 'page'
      ? `<form method="get" role="search">${input}<button class="cpb-button" type="submit">Filter</button>` +
        `${filter === '' ? '' : '<a class="cpb-button" href="?">Clear</a>'}</form>`
      : `<form role="search">${input}</form>` +
        `<a class="btn btn-primary cpb-button">Filter</a><cwdb-action action="call" endpoint="${escapeHtml(surface.functionArn)}"></cwdb-action>` +
        (filter === ''
          ? ''
          : `<a class="btn cpb-button">Clear</a><cwdb-action action="call" endpoint="${escapeHtml(surface.functionArn)}">{"clearFilter":true}</cwdb-action>`);
  return (
    `<div class="cpb-controls">${form}` +
    '<label><input type="checkbox" id="cpb-attention"> only charts that need attention (failed, not-converged, rolled-back)</label></div>'
  );
};

/** Links to the first chart of each initial, so a long board is a click from any chart. */
const letterIndex = (charts: readonly string[]): string => {
  const firsts = new Map<string, string>();
  for (const chart of charts) {
    const initial = (chart[0] ?? '').toLowerCase();
    if (!firsts.has(initial)) firsts.set(initial, chart);
  }
  if (firsts.size < 2) return '';
  const links = [...firsts].map(
    ([initial, chart]) => `<a href="#${idFor('cpb-c-', chart)}">${escapeHtml(initial)}</a>`,
  );
  return `<nav class="cpb-index" aria-label="Charts by first letter">Jump to ${links.join('')}</nav>`;
};

const runDetail = (run: RunSummary): { text: string; title: string } => {
  const codes = run.codes?.length ? `${run.codes.join(', ')}` : '';
  const message = run.message ?? '';
  const firstLine = message.split('\n')[0] ?? '';
  const shown = firstLine.length > MESSAGE_CHARS ? `${firstLine.slice(0, MESSAGE_CHARS)}…` : firstLine;
  return {
    text: [codes, shown].filter(Boolean).join(': '),
    title: [message, run.source === undefined ? '' : `source ${run.source}`].filter(Boolean).join('\n'),
  };
};

const runRow = (run: RunSummary, now: string): string => {
  const { text, title } = runDetail(run);
  const cells = [
    `<time datetime="${escapeHtml(run.at)}" title="${escapeHtml(formatUtc(run.at))}">${escapeHtml(formatAge(run.at, now))}</time>`,
    escapeHtml(run.kind),
    escapeHtml(run.chart ?? '-'),
    `<span class="cpb-mono">${escapeHtml(run.version ?? '-')}</span>`,
    escapeHtml(run.environment ?? '-'),
    `<span class="cpb-badge cpb-t-${toneOfRunStatus(run.status)}" data-status="${escapeHtml(run.status)}">${escapeHtml(run.status)}</span>`,
    `<span class="cpb-mono">${run.commit === undefined ? '-' : escapeHtml(shortCommit(run.commit))}</span>`,
  ];
  return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}<td class="cpb-detail"${
    title === '' ? '' : ` title="${escapeHtml(title)}"`
  }>${escapeHtml(text)}</td></tr>`;
};

const runsTable = (runs: readonly RunSummary[], now: string): string => {
  if (runs.length === 0) return '<p class="cpb-quiet cpb-para">No runs yet.</p>';
  const head = ['When', 'Kind', 'Chart', 'Version', 'Environment', 'Status', 'Commit', 'Detail'];
  return (
    `<table class="cpb-runs"><thead><tr>${head.map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead>` +
    `<tbody>${runs.map((run) => runRow(run, now)).join('')}</tbody></table>`
  );
};

const body = (
  view: PromotionBoardView,
  matrix: BoardMatrix,
  options: BoardRenderOptions,
  filter: string,
): string => {
  const charts = matrix.charts.filter((chart) => matches(chart, filter));
  const runs = view.runs
    .filter((run) => matches(run.chart, filter))
    .toSorted((a, b) => b.at.localeCompare(a.at))
    .slice(0, options.runLimit ?? 25);
  const showing =
    filter === ''
      ? ''
      : `<p class="cpb-quiet cpb-para">${charts.length} of ${matrix.charts.length} charts match “${escapeHtml(filter)}”.</p>`;
  return (
    `<div id="cpb-live-body" data-cpb-live data-generated-at="${escapeHtml(view.generatedAt)}">` +
    (options.notice === undefined
      ? ''
      : `<p class="cpb-notice" role="status">${escapeHtml(options.notice)}</p>`) +
    showing +
    (options.surface.kind === 'page' && charts.length > INDEX_FROM_CHARTS ? letterIndex(charts) : '') +
    `<section aria-labelledby="cpb-releases"><h2 id="cpb-releases">Releases</h2>${matrixTable(matrix, charts, view.generatedAt)}</section>` +
    `<section aria-labelledby="cpb-runs"><h2 id="cpb-runs">Latest runs</h2>${runsTable(runs, view.generatedAt)}</section>` +
    '</div>'
  );
};

/** Normalised filter text: trimmed, lower case, at most 100 characters. */
export const boardFilter = (text: string | undefined): string =>
  (text ?? '').trim().toLowerCase().slice(0, 100);

/**
 * The board as an HTML fragment (stylesheet + markup, no script): what the CloudWatch widget returns.
 * In a widget it first switches CloudWatch's default styles off, so the board looks as tested.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/add_custom_widget_dashboard_about.html
 */
export const renderBoardFragment = (
  view: PromotionBoardView,
  options: BoardRenderOptions,
  rootAttributes = '',
): string => {
  const filter = boardFilter(options.filter);
  const matrix = boardMatrix(view);
  return (
    (options.surface.kind === 'widget' ? '<div class="cwdb-no-default-styles"></div>' : '') +
    `<style>${BOARD_CSS}</style>` +
    `<div class="cpb" data-theme="${options.theme ?? 'auto'}"${rootAttributes}>` +
    header(view, matrix) +
    filterControls(options.surface, options.filter?.trim().slice(0, 100) ?? '') +
    body(view, matrix, options, filter) +
    '</div>'
  );
};

/**
 * Replaces the live parts of the page with those of a fresh copy every `data-refresh-seconds`,
 * keeping the filter box, the attention switch and the scroll position as they are. Marks the
 * board stale while the server does not answer. Static text: the local server allows exactly this
 * script by its hash (Content-Security-Policy).
 */
export const BOARD_REFRESH_SCRIPT =
  "(()=>{const root=document.querySelector('.cpb[data-refresh-seconds]');if(!root)return;" +
  'const ms=Number(root.dataset.refreshSeconds)*1000;' +
  'const swap=async()=>{try{const response=await fetch(location.href,{cache:"no-store"});' +
  'if(!response.ok)throw new Error(String(response.status));' +
  "const next=new DOMParser().parseFromString(await response.text(),'text/html');" +
  'for(const old of document.querySelectorAll("[data-cpb-live]")){const fresh=next.getElementById(old.id);' +
  'if(fresh)old.replaceWith(document.adoptNode(fresh));}delete root.dataset.stale;}' +
  "catch{root.dataset.stale='true';}setTimeout(swap,ms);};setTimeout(swap,ms);})();";

const DOCUMENT_CSS =
  'html,body{margin:0}.cpb{min-height:100vh}' +
  '.cpb[data-stale] .cpb-meta::after{content:" · not updating: the board server does not answer";font-weight:700}';

/**
 * The board as a whole HTML document (the local page). With `refreshSeconds`, it refreshes itself:
 * the inline script swaps in fresh content; without JavaScript, a `<noscript>` meta refresh reloads
 * the page (allowed in head: https://html.spec.whatwg.org/multipage/scripting.html#the-noscript-element).
 */
export const renderBoardDocument = (
  view: PromotionBoardView,
  options: BoardRenderOptions & { readonly refreshSeconds?: number },
): string => {
  const refresh = options.refreshSeconds;
  const attributes =
    refresh === undefined ? '' : ` data-refresh-seconds="${Math.max(1, Math.round(refresh))}"`;
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark">' +
    '<title>Promotion board · chart-promoter</title><link rel="icon" href="data:,">' +
    (refresh === undefined
      ? ''
      : `<noscript><meta http-equiv="refresh" content="${Math.max(1, Math.round(refresh))}"></noscript>`) +
    `<style>${DOCUMENT_CSS}</style></head><body>` +
    renderBoardFragment(view, options, attributes) +
    (refresh === undefined ? '' : `<script>${BOARD_REFRESH_SCRIPT}</script>`) +
    '</body></html>\n'
  );
};

/** The text of every inline `<script>` and `<style>` a page carries, for a hash-based CSP. */
export const BOARD_INLINE_SCRIPTS: readonly string[] = [BOARD_REFRESH_SCRIPT];
export const BOARD_INLINE_STYLES: readonly string[] = [DOCUMENT_CSS, BOARD_CSS];
