import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { asFunctionUrlRequest } from '../events/invocation-event';
import type { FeedbackRequest, FeedbackResponse } from './handle-feedback';

/**
 * Lambda function URL events use the API Gateway HTTP API v2 payload; a body the service considers
 * binary arrives base64-encoded (`isBase64Encoded`). The signature covers the bytes Flux sent, so the
 * body is decoded to those bytes BEFORE verification.
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads
 */
export const fromFunctionUrlEvent = (event: APIGatewayProxyEventV2): FeedbackRequest => ({
  headers: event.headers ?? {},
  body:
    event.body === undefined
      ? new Uint8Array()
      : event.isBase64Encoded
        ? new Uint8Array(Buffer.from(event.body, 'base64'))
        : new TextEncoder().encode(event.body),
});

/**
 * The request, when Lambda invoked the function for its function URL; otherwise the 400 answer
 * (EVENT_UNRECOGNISED) naming what arrived instead: a direct invoke or a queue batch is not a Flux
 * delivery, and reading it as one would only end in a misleading "signature missing".
 */
export const readFunctionUrlEvent = (
  event: unknown,
):
  | { readonly ok: true; readonly request: FeedbackRequest }
  | { readonly ok: false; readonly response: FeedbackResponse } => {
  const recognised = asFunctionUrlRequest(event);
  if (recognised.ok) return { ok: true, request: fromFunctionUrlEvent(recognised.event) };
  return {
    ok: false,
    response: {
      statusCode: 400,
      body: {
        status: 'rejected',
        reason: 'EVENT_UNRECOGNISED',
        message: `expected a Lambda function URL request (payload format 2.0) carrying a Flux event; got ${recognised.got}`,
      },
    },
  };
};

export const toFunctionUrlResult = (response: FeedbackResponse): APIGatewayProxyStructuredResultV2 => ({
  statusCode: response.statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(response.body),
});
