import type { Tone } from './board-states';

/** Background and text colour of one tone; each pair is at least 4.5:1 (WCAG 2.2 SC 1.4.3, AA). */
export interface TonePair {
  readonly background: string;
  readonly text: string;
}

export interface Palette {
  readonly page: string;
  readonly text: string;
  /** Secondary text on `page` and on `header`. */
  readonly muted: string;
  readonly line: string;
  readonly header: string;
  readonly link: string;
  readonly tones: Readonly<Record<Tone, TonePair>>;
}

export const LIGHT_PALETTE: Palette = {
  page: '#ffffff',
  text: '#1f2328',
  muted: '#57606a',
  line: '#d0d7de',
  header: '#f6f8fa',
  link: '#0b57d0',
  tones: {
    good: { background: '#dafbe1', text: '#0f5323' },
    active: { background: '#ddf4ff', text: '#0a3069' },
    waiting: { background: '#f3e8ff', text: '#5a1f9a' },
    bad: { background: '#ffe3e0', text: '#8e1519' },
    warn: { background: '#fff3c4', text: '#6b4100' },
    reverted: { background: '#ffe8d6', text: '#8a3300' },
    neutral: { background: '#eef1f4', text: '#3b424a' },
  },
};

export const DARK_PALETTE: Palette = {
  page: '#0d1117',
  text: '#e6edf3',
  muted: '#9198a1',
  line: '#30363d',
  header: '#161b22',
  link: '#79c0ff',
  tones: {
    good: { background: '#0f3d1e', text: '#8ff0a4' },
    active: { background: '#0c2d4f', text: '#9ad0ff' },
    waiting: { background: '#32184f', text: '#d9b8ff' },
    bad: { background: '#4d1416', text: '#ffb3ad' },
    warn: { background: '#453200', text: '#ffd97a' },
    reverted: { background: '#4a2306', text: '#ffbf8f' },
    neutral: { background: '#262c33', text: '#c9d1d9' },
  },
};

const variables = (p: Palette): string =>
  [
    `--cpb-page:${p.page};--cpb-text:${p.text};--cpb-muted:${p.muted};--cpb-line:${p.line};`,
    `--cpb-header:${p.header};--cpb-link:${p.link};`,
    ...Object.entries(p.tones).map(
      ([tone, pair]) => `--cpb-${tone}-bg:${pair.background};--cpb-${tone}-fg:${pair.text};`,
    ),
  ].join('');

const TONES: readonly Tone[] = ['good', 'active', 'waiting', 'bad', 'warn', 'reverted', 'neutral'];

/**
 * The board's whole stylesheet. Every selector starts at `.cpb`, so the fragment can sit inside a
 * CloudWatch dashboard without touching the console's own elements. No overflow container around
 * the matrix: sticky header and first column then stick to whatever scrolls (the page locally, the
 * widget's body in CloudWatch). `:has()` drives the "needs attention" switch without JavaScript.
 */
export const BOARD_CSS = [
  `.cpb{${variables(LIGHT_PALETTE)}color-scheme:light;background:var(--cpb-page);color:var(--cpb-text);`,
  'font:13px/1.35 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Liberation Sans",sans-serif}',
  `.cpb[data-theme=dark]{${variables(DARK_PALETTE)}color-scheme:dark}`,
  `@media (prefers-color-scheme:dark){.cpb[data-theme=auto]{${variables(DARK_PALETTE)}color-scheme:dark}}`,
  '.cpb *{box-sizing:border-box}',
  '.cpb a{color:var(--cpb-link)}',
  '.cpb h1{font-size:17px;margin:0}',
  '.cpb h2{font-size:14px;margin:14px 12px 6px}',
  '.cpb-head{display:flex;flex-wrap:wrap;gap:6px 18px;align-items:center;padding:8px 12px;',
  'border-bottom:1px solid var(--cpb-line);background:var(--cpb-header)}',
  '.cpb-meta{margin:0;color:var(--cpb-muted)}',
  '.cpb-summary{list-style:none;display:flex;flex-wrap:wrap;gap:4px;margin:0;padding:0}',
  '.cpb-controls{display:flex;flex-wrap:wrap;gap:6px 14px;align-items:center;padding:6px 12px}',
  '.cpb-controls form{display:flex;gap:6px;align-items:center;margin:0}',
  '.cpb-controls input[type=search]{font:inherit;padding:2px 6px;width:14em;color:var(--cpb-text);',
  'background:var(--cpb-page);border:1px solid var(--cpb-muted);border-radius:4px}',
  '.cpb-button{font:inherit;font-weight:600;padding:2px 10px;border-radius:4px;cursor:pointer;',
  'color:var(--cpb-text);background:var(--cpb-header);border:1px solid var(--cpb-muted);text-decoration:none}',
  '.cpb-notice{margin:6px 12px;padding:6px 10px;border-left:4px solid var(--cpb-warn-fg);',
  'background:var(--cpb-warn-bg);color:var(--cpb-warn-fg)}',
  '.cpb-index{padding:0 12px 6px;color:var(--cpb-muted)}',
  '.cpb-index a{padding:0 3px}',
  '.cpb-badge{display:inline-block;padding:0 6px;border-radius:9px;font-weight:700;white-space:nowrap;',
  'background:var(--tone-bg);color:var(--tone-fg);border:1px solid var(--tone-fg)}',
  ...TONES.map((tone) => `.cpb-t-${tone}{--tone-bg:var(--cpb-${tone}-bg);--tone-fg:var(--cpb-${tone}-fg)}`),
  '.cpb-glyph{display:inline-block;min-width:1em;text-align:center}',
  '.cpb-matrix,.cpb-runs{border-collapse:separate;border-spacing:0;margin:0 12px 8px}',
  '.cpb-matrix th,.cpb-runs th{text-align:left;font-weight:600}',
  '.cpb-matrix thead th,.cpb-runs thead th{position:sticky;top:0;z-index:2;background:var(--cpb-header);',
  'padding:4px 8px;border-bottom:2px solid var(--cpb-line);white-space:nowrap}',
  '.cpb-matrix thead th:first-child{left:0;z-index:3}',
  '.cpb-matrix tbody th{position:sticky;left:0;z-index:1;background:var(--cpb-page);padding:3px 10px 3px 8px;',
  'border-bottom:1px solid var(--cpb-line);white-space:nowrap;max-width:22em;overflow:hidden;text-overflow:ellipsis}',
  '.cpb-matrix tbody tr{scroll-margin-top:2.2em}',
  '.cpb-matrix tbody tr:hover th{background:var(--cpb-header)}',
  '.cpb-cell{min-width:11em;padding:2px 8px 3px;vertical-align:top;background:var(--tone-bg);color:var(--tone-fg);',
  'border-left:3px solid var(--tone-fg);border-bottom:1px solid var(--cpb-page)}',
  '.cpb-cell a{color:inherit}',
  '.cpb-empty{min-width:11em;padding:3px 8px;color:var(--cpb-muted);border-bottom:1px solid var(--cpb-line)}',
  '.cpb-l1,.cpb-l2{display:block;white-space:nowrap}',
  '.cpb-word{font-weight:700}',
  '.cpb-ver,.cpb-mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace}',
  '.cpb-ver{margin-left:6px}',
  '.cpb-l2{font-size:12px}',
  '.cpb-runs td{padding:2px 8px;border-bottom:1px solid var(--cpb-line);vertical-align:top}',
  '.cpb-runs td.cpb-detail{white-space:normal;max-width:40em;overflow-wrap:anywhere}',
  '.cpb-runs td:not(.cpb-detail){white-space:nowrap}',
  '.cpb-quiet{color:var(--cpb-muted)}',
  '.cpb-para{margin:6px 12px}',
  '.cpb-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}',
  '.cpb:has(#cpb-attention:checked) .cpb-matrix tbody tr:not(.cpb-needs){display:none}',
].join('');
