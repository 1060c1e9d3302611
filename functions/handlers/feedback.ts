import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { feedbackDependencies, logger, metrics, settings } from '../composition/feedback-lambda';
import { readFunctionUrlEvent, toFunctionUrlResult } from '../feedback/function-url-request';
import { handleFeedback } from '../feedback/handle-feedback';
import { powertoolsMetrics } from '../observability/powertools-metrics';

/**
 * The feedback Lambda (function URL, called by Flux's notification-controller with a generic-hmac
 * Provider): raw body → verify → act on HelmRelease events. An event that is not a function URL
 * request is answered 400 EVENT_UNRECOGNISED. Thin: the domain is functions/feedback.
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
    const response = await handleFeedback(read.request, await feedbackDependencies(), settings);
    return toFunctionUrlResult(response);
  } finally {
    metrics.publishStoredMetrics();
  }
};
