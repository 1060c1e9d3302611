import type { Context } from 'aws-lambda';
import { logger, metrics, runDeadlineSweep } from '../composition/deadline-sweep-lambda';

/**
 * The convergence deadline sweep, invoked by an EventBridge schedule: committed releases past their
 * deadline become not-converged (metric, log line, rollback command with autoRollback). Thin: the
 * domain is functions/promotion/ledger/sweep-deadlines.ts. A failure to read the ledger throws
 * (EventBridge retries the invocation).
 */
export const handler = async (_event: unknown, context: Context): Promise<{ notConverged: number }> => {
  logger.addContext(context);
  try {
    const overdue = await runDeadlineSweep();
    return { notConverged: overdue.length };
  } finally {
    metrics.publishStoredMetrics();
  }
};
