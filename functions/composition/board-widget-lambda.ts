import { Logger } from '@aws-lambda-powertools/logger';
import { EMPTY_LEDGER, loadBoardView, NO_RUNS } from '../board/board-view';
import type { BoardWidgetDependencies } from '../board/board-widget';
import { type BoardWidgetConfig, parseBoardWidgetConfig } from '../config/board-widget-config';
import { PromoterError } from '../errors';
import { systemClock } from '../ports/clock';
import type { RecentRunsReader } from '../ports/recent-runs';
import type { ReleaseLedgerReader } from '../ports/release-ledger';

/**
 * The board widget's composition (the one place that reads process.env for it):
 * CHART_PROMOTER_LEDGER_TABLE (the release ledger's table; dynamodb:Query and dynamodb:Scan on it)
 * and CHART_PROMOTER_BOARD_ENVIRONMENTS (environment order, comma-separated), both optional.
 */
export const config = parseBoardWidgetConfig(process.env);

export const logger = new Logger({ serviceName: 'chart-promoter' });

/**
 * The ledger and the runs the board reads. Without a table: empty, and the board says why. The
 * DynamoDB reader arrives with the release ledger; until then a configured table is reported as
 * such in the widget instead of being silently ignored.
 */
const readers = (c: BoardWidgetConfig): { ledger: ReleaseLedgerReader; runs: RecentRunsReader } => {
  if (c.ledgerTable === undefined) return { ledger: EMPTY_LEDGER, runs: NO_RUNS };
  const table = c.ledgerTable;
  return {
    ledger: {
      list: async () => {
        throw new PromoterError(
          'LEDGER_READER_MISSING',
          'terminal',
          `table ${table} is configured, but this build has no DynamoDB release ledger reader`,
        );
      },
    },
    runs: NO_RUNS,
  };
};

export const boardWidgetDependencies: BoardWidgetDependencies = {
  view: () =>
    loadBoardView({ ...readers(config), environments: async () => config.environments, clock: systemClock }),
  ...(config.ledgerTable === undefined
    ? {
        notice:
          'No release ledger is deployed with this stack yet: the board fills in once the pipeline records releases.',
      }
    : {}),
  logger,
};
