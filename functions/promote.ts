import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { logger, metrics, promoteDependencies, settings } from './composition/promote-lambda';
import { handleSqsBatch } from './pipeline/handle-sqs-batch';

/**
 * The promote Lambda: SQS batch of S3 "Object Created" events → chart intake → one commit per batch.
 * Thin on purpose: the pipeline lives in functions/pipeline, the wiring in functions/composition.
 */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  metrics.captureColdStartMetric();
  try {
    const { response } = await handleSqsBatch(event, await promoteDependencies(), settings);
    return response;
  } finally {
    metrics.publishStoredMetrics();
  }
};
