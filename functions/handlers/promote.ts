import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { logger, metrics, promoteDependencies, settings } from '../composition/promote-lambda';
import { isPromoterError } from '../errors';
import { asSqsBatch } from '../events/invocation-event';
import { handleSqsBatch } from '../pipeline/handle-sqs-batch';
import { type CommandOutcome, runPromotionCommand } from '../pipeline/run-promotion-command';
import { looksLikeCommand, parsePromotionCommand } from '../ports/promotion-command';

/**
 * A direct invocation (Lambda Invoke, RequestResponse) for a manual move, as `chart-promoter promote`
 * and `rollback` send it. The payload is one promotion command (wire format: promotion-command.ts):
 *
 *   {"chartPromoter":"promote","chart":"web","version":"1.2.0","to":"staging"}
 *   {"chartPromoter":"rollback","chart":"web","environment":"staging","toVersion":"1.1.0"}
 *
 * The answer is the command's outcome as JSON (`status`: committed | pull-request | branch-pushed |
 * unchanged | skipped | refused | deferred | retry, with `runId`), or `invalid` with the reasons when
 * the payload is not a valid command. A retry is answered, not thrown: Invoke does not retry
 * synchronous calls, the caller decides. Invoking needs lambda:InvokeFunction on this function.
 */
export type ManualMoveEvent = { readonly chartPromoter: string } & Record<string, unknown>;

export type ManualMoveResult =
  | CommandOutcome
  | { readonly status: 'invalid'; readonly code: string; readonly message: string };

const runManualMove = async (event: ManualMoveEvent): Promise<ManualMoveResult> => {
  let command: ReturnType<typeof parsePromotionCommand>;
  try {
    command = parsePromotionCommand(event);
  } catch (error) {
    if (!isPromoterError(error)) throw error;
    logger.warn('invalid manual move', { code: error.code, reason: error.message });
    return { status: 'invalid', code: error.code, message: error.message };
  }
  return runPromotionCommand(command, await promoteDependencies(), settings);
};

/** What the function reads: anything else is answered `invalid`, never retried (it cannot get better). */
const EXPECTED =
  'expected an SQS batch from the intake queue (Records[] with eventSource "aws:sqs") or a promotion ' +
  'command ({"chartPromoter": "promote" | "rollback", …})';

/**
 * The promote Lambda: SQS batches from the intake queue (S3 "Object Created" events → chart intake →
 * one commit per batch; promotion commands, e.g. scheduled after a soak), or a manual move invoked
 * directly (above). Any other event (a function URL request, an S3 or EventBridge event sent straight
 * to the function) is answered `invalid` with EVENT_UNRECOGNISED, naming what was expected and what
 * arrived, and logged as an error. Thin on purpose: the pipeline lives in functions/pipeline, the
 * wiring in functions/composition.
 */
export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse>;
export async function handler(event: ManualMoveEvent, context: Context): Promise<ManualMoveResult>;
export async function handler(event: unknown, context: Context): Promise<ManualMoveResult>;
export async function handler(
  event: unknown,
  context: Context,
): Promise<SQSBatchResponse | ManualMoveResult> {
  logger.addContext(context);
  metrics.captureColdStartMetric();
  try {
    if (looksLikeCommand(event)) return await runManualMove(event as ManualMoveEvent);
    const batch = asSqsBatch(event);
    if (!batch.ok) {
      const message = `${EXPECTED}; got ${batch.got}`;
      logger.error('unrecognised event: nothing done', { code: 'EVENT_UNRECOGNISED', reason: message });
      return { status: 'invalid', code: 'EVENT_UNRECOGNISED', message };
    }
    const { response } = await handleSqsBatch(batch.event, await promoteDependencies(), settings);
    return response;
  } finally {
    metrics.publishStoredMetrics();
  }
}
