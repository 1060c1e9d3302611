import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { SQSRecord } from 'aws-lambda';
import { encodeS3EventKey } from '../events/s3-key-encoding';
import type { S3Endpoint, S3rverObjectCreated } from './s3-endpoint';

/**
 * Turns s3rver's object-created events into exactly what the promote handler receives in AWS: an
 * SQS record whose body is what S3 (or EventBridge) would have sent. s3rver's own events differ
 * from S3's (REAL-SERVICES.md "s3rver"): eventVersion 2.0 and, above all, keys NOT URL-encoded. They
 * are re-encoded here, so the handler's decoding runs locally exactly as in AWS.
 */
export type BridgeFormat = 's3-notification' | 'eventbridge';

export interface BridgeOptions {
  /** Body shape. @default 's3-notification' (S3 → SQS); 'eventbridge' = S3 → EventBridge → SQS. */
  readonly format?: BridgeFormat;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default a fictitious local queue ARN */
  readonly queueArn?: string;
  /**
   * Which keys to deliver, as the EventBridge rule in AWS filters them (functions/events
   * `isForwardedKey`); s3rver itself announces every object. @default every key
   */
  readonly forward?: (key: string) => boolean;
}

const LOCAL_ACCOUNT = '000000000000';
const DEFAULT_QUEUE_ARN = `arn:aws:sqs:us-east-1:${LOCAL_ACCOUNT}:chart-promoter-intake`;

const upperHex = (bytes: number): string => randomBytes(bytes).toString('hex').toUpperCase();

/**
 * One record of an S3 event notification, version 2.1, as S3 sends it to SQS.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */
export const toS3NotificationBody = (event: S3rverObjectCreated, region = 'us-east-1'): string =>
  JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: region,
        eventTime: event.eventTime,
        // s3rver names multipart uploads ObjectCreated:Post (S3: CompleteMultipartUpload). Kept as
        // is: the handler accepts every ObjectCreated:* and the local name tells what really happened.
        eventName: event.eventName,
        userIdentity: { principalId: `AWS:${upperHex(10)}` },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: {
          'x-amz-request-id': upperHex(8),
          'x-amz-id-2': randomBytes(48).toString('base64'),
        },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'chart-promoter-local',
          bucket: {
            name: event.bucket,
            ownerIdentity: { principalId: upperHex(7) },
            arn: `arn:aws:s3:::${event.bucket}`,
          },
          object: {
            key: encodeS3EventKey(event.key),
            ...(event.size === undefined ? {} : { size: event.size }),
            ...(event.eTag === undefined ? {} : { eTag: event.eTag }),
            ...(event.sequencer === undefined ? {} : { sequencer: event.sequencer }),
          },
        },
      },
    ],
  });

const REASONS: Record<string, string> = {
  'ObjectCreated:Put': 'PutObject',
  'ObjectCreated:Copy': 'CopyObject',
  'ObjectCreated:Post': 'CompleteMultipartUpload',
};

/** The EventBridge "Object Created" event. https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html */
export const toEventBridgeBody = (event: S3rverObjectCreated, region = 'us-east-1'): string =>
  JSON.stringify({
    version: '0',
    id: randomUUID(),
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: LOCAL_ACCOUNT,
    time: event.eventTime.replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [`arn:aws:s3:::${event.bucket}`],
    detail: {
      version: '0',
      bucket: { name: event.bucket },
      object: {
        key: encodeS3EventKey(event.key),
        ...(event.size === undefined ? {} : { size: event.size }),
        ...(event.eTag === undefined ? {} : { etag: event.eTag }),
        ...(event.sequencer === undefined ? {} : { sequencer: event.sequencer }),
      },
      'request-id': upperHex(8),
      requester: LOCAL_ACCOUNT,
      'source-ip-address': '127.0.0.1',
      reason: REASONS[event.eventName] ?? 'PutObject',
    },
  });

/** Wraps an s3rver event in the SQS record Lambda's event source mapping would deliver. */
export const toSqsRecord = (event: S3rverObjectCreated, options: BridgeOptions = {}): SQSRecord => {
  const region = options.region ?? 'us-east-1';
  const body =
    options.format === 'eventbridge' ? toEventBridgeBody(event, region) : toS3NotificationBody(event, region);
  const now = String(Date.now());
  return {
    messageId: randomUUID(),
    receiptHandle: randomBytes(32).toString('base64'),
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: now,
      SenderId: 'AIDAJHIPRHEMV73VRJEBU',
      ApproximateFirstReceiveTimestamp: now,
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: options.queueArn ?? DEFAULT_QUEUE_ARN,
    awsRegion: region,
  };
};

/**
 * Delivers an SQS record to `deliver` for every object created on the endpoint; returns the
 * unsubscribe function. Delivery is deferred (setImmediate) so it never runs inside s3rver's request
 * handling: a failing handler must not turn the upload itself into a 500. Errors, thrown or
 * rejected, go to `onError` (default: a process warning).
 */
export const bridgeS3Events = (
  endpoint: Pick<S3Endpoint, 'onObjectCreated'>,
  deliver: (record: SQSRecord) => void | Promise<void>,
  options: BridgeOptions & { readonly onError?: (error: unknown) => void } = {},
): (() => void) => {
  const onError =
    options.onError ??
    ((error: unknown) =>
      process.emitWarning(`s3 event delivery failed: ${String(error)}`, 'ChartPromoterLocal'));
  return endpoint.onObjectCreated((event) => {
    if (options.forward && !options.forward(event.key)) return;
    const record = toSqsRecord(event, options);
    setImmediate(() => {
      try {
        Promise.resolve(deliver(record)).catch(onError);
      } catch (error) {
        onError(error);
      }
    });
  });
};
