import type { Logger } from '@aws-lambda-powertools/logger';
import type { PromotionBoardView } from '../ports/release-ledger';
import * as z from '../zod';
import { escapeHtml } from './board-format';
import { type BoardTheme, renderBoardFragment } from './board-html';
import { BOARD_CSS } from './board-styles';

/**
 * The CloudWatch custom widget: the dashboard invokes the function with the widget's parameters and
 * a `widgetContext` (theme, form fields, size…) and shows the HTML string it returns; with
 * `describe` set, the function returns its documentation as Markdown and does nothing else.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/add_custom_widget_dashboard_about.html
 * No JavaScript survives in a widget (the console removes it), so the fragment carries none.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/add_custom_widget_dashboard_security.html
 */

/** The console's "Get documentation": Markdown; the first ```yaml block fills the parameters. */
export const WIDGET_DOCS = `## chart-promoter promotion board
Which version of which chart is in which environment, and is it healthy: the release ledger as a
chart × environment matrix (version, state, since, lead time, open pull request), with the latest
runs. States are written out and coloured. The filter box and the "only charts that need attention"
switch work inside the widget.

### Widget parameters
Param | Description
---|---
**runLimit** | How many of the latest runs are listed (1–200, default 25)

### Example parameters
\`\`\` yaml
runLimit: 25
\`\`\`
`;

export type WidgetRequest =
  | { readonly kind: 'describe' }
  | {
      readonly kind: 'render';
      readonly theme: BoardTheme;
      readonly filter: string;
      readonly runLimit: number;
    };

const THEMES = ['light', 'dark'] as const;

/**
 * Only the fields the board uses, each optional: a widget created by hand may send fewer, and the
 * console may add fields. `clearFilter` comes from the Clear button's `<cwdb-action>` parameters.
 */
const eventSchema = z.object({
  describe: z.optional(z.unknown()),
  clearFilter: z.catch(z.optional(z.boolean()), undefined),
  runLimit: z.catch(z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(200))), undefined),
  widgetContext: z.catch(
    z.optional(
      z.object({
        theme: z.catch(z.optional(z.enum(THEMES)), undefined),
        forms: z.catch(
          z.optional(z.object({ all: z.optional(z.record(z.string(), z.unknown())) })),
          undefined,
        ),
      }),
    ),
    undefined,
  ),
});

/** The widget event as a request; anything unreadable renders the board with defaults. */
export const parseWidgetEvent = (event: unknown): WidgetRequest => {
  const parsed = eventSchema.safeParse(event ?? {});
  const data = parsed.success ? parsed.data : {};
  if (data.describe) return { kind: 'describe' };
  const typed = data.widgetContext?.forms?.all?.q;
  return {
    kind: 'render',
    theme: data.widgetContext?.theme ?? 'light',
    filter: data.clearFilter || typeof typed !== 'string' ? '' : typed,
    runLimit: data.runLimit ?? 25,
  };
};

export interface BoardWidgetDependencies {
  readonly view: () => Promise<PromotionBoardView>;
  /** Shown above the matrix (e.g. no ledger deployed yet). */
  readonly notice?: string;
  readonly logger: Pick<Logger, 'error'>;
}

/**
 * One widget invocation: documentation, the board, or — when the view cannot be read — a short
 * error in the widget itself (logged with its cause) rather than the console's generic failure.
 */
export const handleBoardWidget = async (
  event: unknown,
  functionArn: string,
  deps: BoardWidgetDependencies,
): Promise<string> => {
  const request = parseWidgetEvent(event);
  if (request.kind === 'describe') return WIDGET_DOCS;
  let view: PromotionBoardView;
  try {
    view = await deps.view();
  } catch (error) {
    deps.logger.error('promotion board: reading the view failed', error as Error);
    const code = (error as { code?: unknown }).code;
    return (
      `<div class="cwdb-no-default-styles"></div><style>${BOARD_CSS}</style>` +
      `<div class="cpb" data-theme="${request.theme}"><p class="cpb-notice" role="alert">` +
      `The promotion board could not read the release ledger${typeof code === 'string' ? ` (${escapeHtml(code)})` : ''}: ` +
      `${escapeHtml(error instanceof Error ? error.message : String(error))}. Details are in the function's log.</p></div>`
    );
  }
  return renderBoardFragment(view, {
    surface: { kind: 'widget', functionArn },
    theme: request.theme,
    filter: request.filter,
    runLimit: request.runLimit,
    ...(deps.notice === undefined ? {} : { notice: deps.notice }),
  });
};
