import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../../functions/board/board-format';
import { renderBoardDocument, renderBoardFragment } from '../../../functions/board/board-html';
import { boardMatrix } from '../../../functions/board/board-matrix';
import { BOARD_CSS } from '../../../functions/board/board-styles';
import type { PromotionBoardView, ReleaseRecord } from '../../../functions/ports/release-ledger';
import { demoLikeView, HOSTILE, hostileView, largeView } from '../../support/board-views';

const PAGE = { surface: { kind: 'page' } } as const;
const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:board';
const WIDGET = { surface: { kind: 'widget', functionArn: ARN } } as const;

/** The cells of one chart's row, in column order: `state version`, or 'empty'. */
const rowOf = (html: string, chart: string): string[] => {
  const row = html.match(new RegExp(`<tr id="cpb-c-${chart}"[^>]*>(.*?)</tr>`, 's'))?.[1] ?? '';
  return row
    .split('<td ')
    .slice(1)
    .map((cell) =>
      cell.startsWith('class="cpb-empty"')
        ? 'empty'
        : `${cell.match(/data-state="([^"]+)"/)?.[1]} ${cell.match(/<span class="cpb-ver">([^<]*)/)?.[1]}`,
    );
};

/** Every attribute name of every tag, skipping double-quoted values (escaped text has no `<`, values no `"`). */
const attributeNames = (html: string): string[] =>
  [...html.matchAll(/<[a-z][a-z0-9-]*(\s[^>]*)?>/gi)].flatMap((tag) =>
    [...(tag[1] ?? '').matchAll(/\s([a-z][a-z0-9-]*)(?:="[^"]*")?/gi)].map((m) => m[1]!.toLowerCase()),
  );

const record = (
  fields: Partial<ReleaseRecord> & Pick<ReleaseRecord, 'chart' | 'environment'>,
): ReleaseRecord => ({
  version: '1.0.0',
  state: 'converged',
  since: '2026-12-01T10:00:00.000Z',
  runId: 'run-1',
  revision: 1,
  ...fields,
});

describe('renderBoardFragment: the matrix', () => {
  it('shows every chart in every environment of the policy, with version and state as words', () => {
    // Act
    const html = renderBoardFragment(demoLikeView(), PAGE);
    // Assess
    expect(rowOf(html, 'hello-web')).toEqual(['converged 1.0.0', 'converged 1.0.0', 'proposed 1.0.0']);
    expect(rowOf(html, 'ingress-gateway')).toEqual(['not-converged 0.9.4', 'converged 0.9.3', 'empty']);
    expect(rowOf(html, 'search-indexer')).toEqual([
      'converged 3.0.1',
      'rolled-back 3.0.0',
      'converged 3.0.0',
    ]);
    expect(html).toContain('<span class="cpb-sr">not deployed</span>');
    expect(html.match(/<thead><tr><th scope="col">Chart<\/th>(.*?)<\/tr>/)?.[1]).toBe(
      '<th scope="col">dev</th><th scope="col">staging</th><th scope="col">prod</th>',
    );
  });

  it('shows lead time, age, deadline, reason and the open pull request link in the cell', () => {
    // Act
    const html = renderBoardFragment(demoLikeView(), PAGE);
    // Assess
    expect(html).toContain('<time datetime="2026-12-01T09:59:00.000Z">31 m ago</time> · lead 11 m 4 s');
    expect(html).toContain('due <time datetime="2026-12-01T10:42:00.000Z">in 12 m</time>');
    expect(html).toContain('· UpgradeFailed');
    expect(html).toContain(
      '<a href="https://github.com/example-org/cluster-config/pull/128" title="promote/prod/hello-web-1.0.0" rel="noopener noreferrer" target="_blank">PR #128</a>',
    );
  });

  it('counts the states in the summary, which lists all six as the legend', () => {
    // Act
    const html = renderBoardFragment(demoLikeView(), PAGE);
    const summary = html.match(/<ul class="cpb-summary"[^>]*>(.*?)<\/ul>/)?.[1] ?? '';
    const counts = [...summary.matchAll(/data-state="([^"]+)">.*?<\/span> (\d+) /g)].map(
      (m) => `${m[2]} ${m[1]}`,
    );
    // Assess
    expect(counts).toEqual([
      '1 failed',
      '1 not-converged',
      '1 rolled-back',
      '2 proposed',
      '1 committed',
      '11 converged',
    ]);
  });

  it('orders environments as the policy does, then unlisted ones by name; the higher revision wins a cell', () => {
    // Prepare
    const view: PromotionBoardView = {
      generatedAt: '2026-12-01T10:30:00.000Z',
      environments: ['dev', 'prod'],
      releases: [
        record({ chart: 'a', environment: 'zeta' }),
        record({ chart: 'a', environment: 'prod', version: '2.0.0', revision: 3 }),
        record({ chart: 'a', environment: 'prod', version: '1.0.0', revision: 2 }),
        record({ chart: 'a', environment: 'alpha', state: 'failed' }),
      ],
      runs: [],
    };
    // Act
    const matrix = boardMatrix(view);
    const html = renderBoardFragment(view, PAGE);
    // Assess
    expect(matrix.environments).toEqual(['dev', 'prod', 'alpha', 'zeta']);
    expect(rowOf(html, 'a')).toEqual(['empty', 'converged 2.0.0', 'failed 1.0.0', 'converged 1.0.0']);
    expect(html).toContain('<tr id="cpb-c-a" class="cpb-needs">');
  });

  it('writes a state this build does not know as its word, in the neutral tone', () => {
    // Act
    const html = renderBoardFragment(
      { ...demoLikeView(), releases: [record({ chart: 'x', environment: 'dev', state: 'paused' as never })] },
      PAGE,
    );
    // Assess
    expect(html).toContain('<td class="cpb-cell cpb-t-neutral" data-state="paused"');
    expect(html).toContain('data-state="paused"><span class="cpb-glyph" aria-hidden="true">•</span> 1 ');
  });

  it('says so when nothing is recorded', () => {
    // Act
    const html = renderBoardFragment(
      { generatedAt: '2026-12-01T10:30:00.000Z', environments: ['dev', 'prod'], releases: [], runs: [] },
      PAGE,
    );
    const filtered = renderBoardFragment(demoLikeView(), { ...PAGE, filter: 'nothing-like-it' });
    // Assess
    expect(html).toContain(
      '<thead><tr><th scope="col">Chart</th><th scope="col">dev</th><th scope="col">prod</th></tr></thead>' +
        '<tbody><tr><td class="cpb-empty" colspan="3">No releases recorded yet.</td></tr></tbody>',
    );
    expect(filtered).toContain('<td class="cpb-empty" colspan="4">No chart matches the filter.</td>');
    expect(html).toContain('No runs yet.');
    expect(html).toContain('0 charts × 2 environments');
  });
});

describe('renderBoardFragment: filter and runs', () => {
  it('keeps only charts (and their runs) whose name contains the filter, case-insensitively', () => {
    // Act
    const html = renderBoardFragment(demoLikeView(), { ...PAGE, filter: '  HELLO ' });
    // Assess
    expect([...html.matchAll(/<tr id="cpb-c-([^"]+)"/g)].map((m) => m[1])).toEqual([
      'hello-web',
      'hello-worker',
    ]);
    expect(html).toContain('2 of 6 charts match “hello”.');
    expect(html).toContain('value="HELLO"');
    const runCharts = [
      ...html.matchAll(/<tr><td><time[^>]*>[^<]*<\/time><\/td><td>[a-z]+<\/td><td>([^<]+)<\/td>/g),
    ].map((m) => m[1]);
    expect(new Set(runCharts)).toEqual(new Set(['hello-web', 'hello-worker']));
  });

  it('lists the latest runs newest first, at most runLimit, with status as a word', () => {
    // Prepare
    const view = demoLikeView();
    const shuffled = { ...view, runs: [...view.runs].reverse() };
    // Act
    const html = renderBoardFragment(shuffled, { ...PAGE, runLimit: 3 });
    const rows = [...html.matchAll(/<tr><td><time datetime="([^"]+)"/g)].map((m) => m[1]);
    // Assess
    expect(rows).toEqual(view.runs.slice(0, 3).map((run) => run.at));
    expect(html).toContain('<span class="cpb-badge cpb-t-good" data-status="promoted">promoted</span>');
  });

  it('shows the first line of a long message, cut, with the whole message and source in the tooltip', () => {
    // Prepare
    const long = `${'x'.repeat(300)}\nsecond line`;
    const view = {
      ...demoLikeView(),
      runs: [
        {
          at: '2026-12-01T10:29:00.000Z',
          kind: 'upload' as const,
          status: 'refused',
          codes: ['RENDER_FAILED'],
          message: long,
          source: 's3://charts/incoming/a.tgz',
        },
      ],
    };
    // Act
    const html = renderBoardFragment(view, PAGE);
    // Assess
    expect(html).toContain(`>RENDER_FAILED: ${'x'.repeat(160)}…</td>`);
    expect(html).toContain(`title="${'x'.repeat(300)}\nsecond line\nsource s3://charts/incoming/a.tgz"`);
  });
});

describe('renderBoardFragment: hostile strings', () => {
  it('escapes chart, environment, version, reason, messages and URLs everywhere', () => {
    // Act
    const fragment = renderBoardFragment(hostileView(), { ...WIDGET, notice: '<b>n</b>' });
    const filtered = renderBoardFragment(hostileView(), { ...WIDGET, filter: '"><script>x</script>' });
    const page = renderBoardDocument(hostileView(), { ...PAGE, filter: '<q>' });
    // Assess
    for (const html of [fragment, filtered, page]) {
      for (const value of Object.values(HOSTILE)) expect(html).not.toContain(value);
      expect(html).not.toMatch(/<(script|img|svg|iframe|b|q)[\s>]/i);
      expect(attributeNames(html).filter((name) => name.startsWith('on'))).toEqual([]);
      expect(html).not.toContain('href="javascript');
      expect(html.match(/<style>/g)).toHaveLength(html === page ? 2 : 1);
    }
    expect(filtered).toContain('value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"');
    expect(fragment).toContain(escapeHtml(HOSTILE.chart));
    expect(fragment).toContain(`<th scope="col">${escapeHtml(HOSTILE.environment)}</th>`);
    expect(fragment).toContain(escapeHtml(HOSTILE.version));
    expect(fragment).toContain(escapeHtml(HOSTILE.reason));
    expect(fragment).toContain(escapeHtml(HOSTILE.message));
    expect(fragment).toContain('&lt;b&gt;n&lt;/b&gt;');
    // javascript: is shown as text, not a link; the quoted URL is a link whose quote is percent-encoded.
    expect(fragment).toContain(`<span title="${escapeHtml(HOSTILE.message)}">PR #7</span>`);
    expect(fragment).toContain('href="https://example.com/pull/1%22%20onmouseover=%22window.__pwned=5"');
  });
});

describe('surfaces', () => {
  it('widget: CloudWatch default styles off, the filter submitted through a cwdb-action call, no script, no anchors', () => {
    // Act
    const html = renderBoardFragment(largeView(60, 3), { ...WIDGET, filter: 'api' });
    // Assess
    expect(html.startsWith('<div class="cwdb-no-default-styles"></div><style>')).toBe(true);
    expect(html).toContain(
      `<a class="btn btn-primary cpb-button">Filter</a><cwdb-action action="call" endpoint="${ARN}"></cwdb-action>`,
    );
    expect(html).toContain(`<cwdb-action action="call" endpoint="${ARN}">{"clearFilter":true}</cwdb-action>`);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('method="get"');
    expect(html).not.toContain('href="#');
  });

  it('page: a GET filter form and, for long boards, an index of first letters', () => {
    // Prepare
    const view = largeView(40, 2);
    const renamed = {
      ...view,
      releases: view.releases.map((r, i) => (i % 4 === 0 ? { ...r, chart: `a-${r.chart}` } : r)),
    };
    // Act
    const html = renderBoardFragment(renamed, PAGE);
    // Assess
    expect(html).toContain('<form method="get" role="search">');
    expect(html).toMatch(
      /<nav class="cpb-index"[^>]*>Jump to <a href="#cpb-c-a-service-000-api">a<\/a><a href="#cpb-c-service-[^"]+">s<\/a><\/nav>/,
    );
    expect(html).not.toContain('cwdb');
  });

  it('document: self-contained, refreshing with a script and, without JavaScript, a noscript meta refresh', () => {
    // Act
    const html = renderBoardDocument(demoLikeView(), { ...PAGE, refreshSeconds: 7 });
    const still = renderBoardDocument(demoLikeView(), PAGE);
    // Assess
    expect(html.startsWith('<!doctype html><html lang="en"><head><meta charset="utf-8">')).toBe(true);
    expect(html).toContain('<noscript><meta http-equiv="refresh" content="7"></noscript>');
    expect(html).toContain('data-refresh-seconds="7"');
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(still).not.toContain('<script');
    expect(still).not.toContain('http-equiv="refresh"');
    // Nothing is loaded from anywhere: no src, no stylesheet link, no url() or @import in the CSS.
    for (const text of [html, BOARD_CSS]) {
      expect(text).not.toMatch(/\ssrc=|rel="stylesheet"|url\(|@import/);
    }
    expect(html).toContain('<link rel="icon" href="data:,">');
  });
});
