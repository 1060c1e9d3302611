import type { Context } from 'aws-lambda';
import { handleBoardWidget } from '../board/board-widget';
import { boardWidgetDependencies, logger } from '../composition/board-widget-lambda';

/**
 * The promotion board as a CloudWatch custom widget: the dashboard invokes this function and shows
 * the HTML it returns (Markdown documentation when asked to `describe`). Thin: functions/board.
 */
export const handler = async (event: unknown, context: Context): Promise<string> => {
  logger.addContext(context);
  return handleBoardWidget(event, context.invokedFunctionArn, boardWidgetDependencies);
};
