import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import * as z from '../zod';

/**
 * What a function was invoked with, recognised before anything reads it, so a wrong event gets an
 * answer naming what was expected and what arrived instead of a TypeError from deep inside. The
 * event is checked, not copied: the handler goes on with the event exactly as Lambda passed it.
 */
export type Recognised<T> =
  | { readonly ok: true; readonly event: T }
  | { readonly ok: false; readonly got: string };

/**
 * A batch from an SQS event source mapping: every record says `eventSource: "aws:sqs"`.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#example-standard-queue-message-event
 */
const sqsBatch = z.object({
  Records: z
    .array(z.object({ eventSource: z.literal('aws:sqs'), messageId: z.string(), body: z.string() }))
    .check(z.minLength(1)),
});

/**
 * A function URL request (payload format 2.0).
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-request-payload
 */
const functionUrlRequest = z.object({
  version: z.literal('2.0'),
  requestContext: z.object({ http: z.object({ method: z.string() }) }),
  headers: z.optional(z.record(z.string(), z.string())),
  body: z.optional(z.string()),
  isBase64Encoded: z.boolean(),
});

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Where each record of a `Records` event came from (`eventSource`, or SNS's `EventSource`). */
const recordSources = (records: unknown[]): string[] => [
  ...new Set(
    records.map((record) =>
      isRecord(record) ? String(record.eventSource ?? record.EventSource ?? 'unknown') : typeof record,
    ),
  ),
];

/** A short, content-free description of an event (shapes and sources only: never values). */
export const describeInvocationEvent = (value: unknown): string => {
  if (value === null || value === undefined) return 'no event (null)';
  if (Array.isArray(value)) return 'a JSON array';
  if (!isRecord(value)) return `a JSON ${typeof value}`;
  const http = isRecord(value.requestContext) ? value.requestContext.http : undefined;
  if (value.version === '2.0' && isRecord(http))
    return `a Lambda function URL request (payload format 2.0, ${String(http.method)} ${String(http.path ?? '')})`;
  if (typeof value.httpMethod === 'string') return 'an API Gateway REST request (payload format 1.0)';
  if (Array.isArray(value.Records)) {
    if (value.Records.length === 0) return 'an event with an empty Records list';
    const sources = recordSources(value.Records);
    if (sources.length === 1 && sources[0] === 'aws:sqs')
      return sqsBatch.safeParse(value).success
        ? `an SQS batch of ${value.Records.length} record(s)`
        : 'SQS records without a messageId or body';
    return `records from ${sources.join(', ')}`;
  }
  if (typeof value['detail-type'] === 'string')
    return `an EventBridge event (${String(value.source)} "${value['detail-type']}")`;
  const keys = Object.keys(value);
  if (keys.length === 0) return 'an empty object';
  return `an object with keys ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', …' : ''}`;
};

const recognise = <T>(schema: z.ZodMiniType, value: unknown): Recognised<T> =>
  schema.safeParse(value).success
    ? { ok: true, event: value as T }
    : { ok: false, got: describeInvocationEvent(value) };

/** The event, when it is a batch delivered by an SQS event source mapping. */
export const asSqsBatch = (value: unknown): Recognised<SQSEvent> => recognise(sqsBatch, value);

/** The event, when it is a request that came through a Lambda function URL. */
export const asFunctionUrlRequest = (value: unknown): Recognised<APIGatewayProxyEventV2> =>
  recognise(functionUrlRequest, value);
