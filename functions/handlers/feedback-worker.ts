import type { Context, SQSBatchResponse } from 'aws-lambda';
import {
  config,
  feedbackDependencies,
  idempotency,
  logger,
  metrics,
  settings,
} from '../composition/feedback-lambda';
import { asSqsBatch } from '../events/invocation-event';
import { feedbackWorker } from '../feedback/handle-feedback-batch';

export type FeedbackWorkerResult =
  | SQSBatchResponse
  | { readonly status: 'invalid'; readonly code: string; readonly message: string };

const EXPECTED = 'expected an SQS batch from the feedback queue (Records[] with eventSource "aws:sqs")';

/**
 * The feedback worker Lambda: batches from the feedback queue (SQS FIFO, ReportBatchItemFailures),
 * each Flux event acted on once (lead time, next environment, pull request, rollback); failed records
 * are reported as batch item failures and come back, then go to the dead-letter queue. Any other
 * event is answered `invalid` (EVENT_UNRECOGNISED), naming what arrived, and logged as an error.
 */
export const handler = async (event: unknown, context: Context): Promise<FeedbackWorkerResult> => {
  logger.addContext(context);
  metrics.captureColdStartMetric();
  try {
    const batch = asSqsBatch(event);
    if (!batch.ok) {
      const message = `${EXPECTED}; got ${batch.got}`;
      logger.error('unrecognised event: nothing done', { code: 'EVENT_UNRECOGNISED', reason: message });
      return { status: 'invalid', code: 'EVENT_UNRECOGNISED', message };
    }
    const worker = feedbackWorker(await feedbackDependencies(), settings, idempotency);
    const { response } = await worker.handleBatch(batch.event, { context, maxReceives: config.maxReceives });
    return response;
  } finally {
    metrics.publishStoredMetrics();
  }
};
