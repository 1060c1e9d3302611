import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbReleaseLedger } from '../adapters/ledger/dynamodb-release-ledger';
import { EMPTY_LEDGER, loadBoardView, NO_RUNS } from '../board/board-view';
import type { BoardWidgetDependencies } from '../board/board-widget';
import { type BoardWidgetConfig, parseBoardWidgetConfig } from '../config/board-widget-config';
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
 * runs beside the matrix stay empty in the widget (they live in Logs Insights, a saved query away
 * on the same dashboard).
 */
const readers = (c: BoardWidgetConfig): { ledger: ReleaseLedgerReader; runs: RecentRunsReader } =>
  c.ledgerTable === undefined
    ? { ledger: EMPTY_LEDGER, runs: NO_RUNS }
    : { ledger: new DynamoDbReleaseLedger(new DynamoDBClient({}), c.ledgerTable), runs: NO_RUNS };

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
