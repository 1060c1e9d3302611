import { describe, expect, it } from 'vitest';
import { handleBoardWidget, parseWidgetEvent, WIDGET_DOCS } from '../../../functions/board/board-widget';
import { PromoterError } from '../../../functions/errors';
import { demoLikeView } from '../../support/board-views';

// The event a dashboard sends, as AWS documents it (widgetContext fields, forms.all, params):
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/add_custom_widget_dashboard_about.html
const documentedEvent = (overrides: Record<string, unknown> = {}, forms: Record<string, unknown> = {}) => ({
  widgetContext: {
    dashboardName: 'ChartPromoter',
    widgetId: 'widget-16',
    accountId: '012345678901',
    locale: 'en',
    timezone: { label: 'UTC', offsetISO: '+00:00', offsetInMinutes: 0 },
    period: 300,
    isAutoPeriod: true,
    timeRange: { mode: 'relative', start: 1627236199729, end: 1627322599729, relativeStart: 86400012 },
    theme: 'light',
    linkCharts: true,
    title: 'Promotion board',
    forms: { all: forms },
    params: {},
    width: 588,
    height: 369,
  },
  ...overrides,
});

const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:ChartPromoter-Board';
const quiet = { error: () => undefined };

describe('parseWidgetEvent', () => {
  it.each([
    ['describe', { describe: true }, { kind: 'describe' }],
    ['the documented event', documentedEvent(), { kind: 'render', theme: 'light', filter: '', runLimit: 25 }],
    [
      'dark theme, a typed filter and runLimit',
      documentedEvent({
        runLimit: 40,
        widgetContext: { ...documentedEvent().widgetContext, theme: 'dark', forms: { all: { q: 'web' } } },
      }),
      { kind: 'render', theme: 'dark', filter: 'web', runLimit: 40 },
    ],
    [
      'Clear button',
      documentedEvent({ clearFilter: true }, { q: 'web' }),
      { kind: 'render', theme: 'light', filter: '', runLimit: 25 },
    ],
    ['no event at all', undefined, { kind: 'render', theme: 'light', filter: '', runLimit: 25 }],
    [
      'junk in every field',
      { runLimit: 'many', clearFilter: 'yes', widgetContext: { theme: 'neon', forms: { all: { q: 42 } } } },
      { kind: 'render', theme: 'light', filter: '', runLimit: 25 },
    ],
    [
      'a runLimit out of range',
      { runLimit: 10_000 },
      { kind: 'render', theme: 'light', filter: '', runLimit: 25 },
    ],
  ])('%s', (_, event, request) => {
    expect(parseWidgetEvent(event)).toEqual(request);
  });
});

describe('handleBoardWidget', () => {
  it('answers describe with Markdown whose first yaml block holds the example parameters', async () => {
    // Act
    const docs = await handleBoardWidget({ describe: true }, ARN, {
      view: async () => demoLikeView(),
      logger: quiet,
    });
    // Assess
    expect(docs).toBe(WIDGET_DOCS);
    expect(docs).toMatch(/``` yaml\nrunLimit: 25\n```/);
  });

  it('renders the board for the widget: the filter calls this very function, the theme follows the console', async () => {
    // Act
    const html = await handleBoardWidget(documentedEvent({}, { q: 'hello' }), ARN, {
      view: async () => demoLikeView(),
      notice: 'no ledger yet',
      logger: quiet,
    });
    // Assess
    expect(html).toContain(`<cwdb-action action="call" endpoint="${ARN}"></cwdb-action>`);
    expect(html).toContain('<div class="cpb" data-theme="light">');
    expect(html).toContain('2 of 6 charts match “hello”.');
    expect(html).toContain('<p class="cpb-notice" role="status">no ledger yet</p>');
    expect(html).not.toContain('<script');
  });

  it('shows a failure to read the view in the widget, escaped, and logs it', async () => {
    // Prepare
    const logged: unknown[] = [];
    // Act
    const html = await handleBoardWidget(documentedEvent(), ARN, {
      view: async () => {
        throw new PromoterError('LEDGER_UNAVAILABLE', 'retryable', 'throttled <again>');
      },
      logger: { error: (...args: unknown[]) => logged.push(args) },
    });
    // Assess
    expect(html).toContain(
      'could not read the release ledger (LEDGER_UNAVAILABLE): throttled &lt;again&gt;.',
    );
    expect(logged).toHaveLength(1);
  });
});
