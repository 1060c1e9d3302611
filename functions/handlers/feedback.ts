import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { feedbackDependencies, logger, metrics, settings } from '../composition/feedback-lambda';
import { fromFunctionUrlEvent, toFunctionUrlResult } from '../feedback/function-url-request';
import { handleFeedback } from '../feedback/handle-feedback';

/**
 * The feedback Lambda (function URL, called by Flux's notification-controller with a generic-hmac
 * Provider): raw body → verify → act on HelmRelease events. Thin: the domain is functions/feedback.
 */
export const handler = async (
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyStructuredResultV2> => {
  logger.addContext(context);
  metrics.captureColdStartMetric();
  try {
    const response = await handleFeedback(
      fromFunctionUrlEvent(event),
      await feedbackDependencies(),
      settings,
    );
    return toFunctionUrlResult(response);
  } finally {
    metrics.publishStoredMetrics();
  }
};
