import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { ingressDependencies, logger, metrics, settings } from '../composition/feedback-ingress-lambda';
import { readFunctionUrlEvent, toFunctionUrlResult } from '../feedback/function-url-request';
import { handleFeedback } from '../feedback/handle-feedback';
import { powertoolsMetrics } from '../observability/powertools-metrics';

/**
 * The feedback endpoint (function URL, called by Flux's notification-controller with a generic-hmac
 * Provider): raw body → verify → the feedback queue → 202. An event that is not a function URL
 * request is answered 400 EVENT_UNRECOGNISED. Thin: the domain is functions/feedback; the work on the
 * event is the worker's (handlers/feedback-worker.ts).
 */
export const handler = async (
  event: unknown,
  context: Context,
): Promise<APIGatewayProxyStructuredResultV2> => {
  logger.addContext(context);
  metrics.captureColdStartMetric();
  try {
    const read = readFunctionUrlEvent(event);
    if (!read.ok) {
      logger.warn('feedback rejected', { statusCode: read.response.statusCode, ...read.response.body });
      powertoolsMetrics(metrics).count('FeedbackRejected', 1, { reason: 'EVENT_UNRECOGNISED' });
      return toFunctionUrlResult(read.response);
    }
    return toFunctionUrlResult(await handleFeedback(read.request, ingressDependencies, settings));
  } finally {
    metrics.publishStoredMetrics();
  }
};
