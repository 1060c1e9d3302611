import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
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

export const toFunctionUrlResult = (response: FeedbackResponse): APIGatewayProxyStructuredResultV2 => ({
  statusCode: response.statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(response.body),
});
