import { PromoterError } from '../errors';
import {
  type EventBridgeS3Event,
  eventBridgeS3Event,
  type S3NotificationRecord,
  s3Notification,
  s3TestEvent,
  snsNotification,
} from './event-shapes';
import type { IgnoredEvent, ObjectCreated, ParsedEventBody } from './object-created';
import { readEventKey } from './s3-key-encoding';

const unrecognised = (message: string, cause?: unknown): PromoterError =>
  new PromoterError('EVENT_UNRECOGNISED', 'terminal', message, cause === undefined ? {} : { cause });

/** Real S3 names events "ObjectCreated:Put"; S3-compatible stores add an "s3:" prefix. */
const CREATED_EVENT_NAME = /^(s3:)?ObjectCreated:/;

const withOptional = <T extends object>(
  base: T,
  optional: Record<string, string | number | undefined>,
): T => {
  const extra = Object.fromEntries(
    Object.entries(optional).filter(([, value]) => value !== undefined && value !== ''),
  );
  return { ...base, ...extra };
};

const fromEventBridge = (event: EventBridgeS3Event): ParsedEventBody => {
  if (event['detail-type'] !== 'Object Created') {
    return {
      objects: [],
      ignored: [{ reason: 'NOT_OBJECT_CREATED', message: `EventBridge "${event['detail-type']}" event` }],
    };
  }
  const { bucket, object } = event.detail;
  const created: ObjectCreated = withOptional(
    { bucket: bucket.name, ...readEventKey(object.key), eventTime: event.time },
    { versionId: object['version-id'], size: object.size, etag: object.etag, sequencer: object.sequencer },
  );
  return { objects: [created], ignored: [] };
};

const fromNotificationRecords = (records: readonly S3NotificationRecord[]): ParsedEventBody => {
  const objects: ObjectCreated[] = [];
  const ignored: IgnoredEvent[] = [];
  for (const record of records) {
    if (!CREATED_EVENT_NAME.test(record.eventName)) {
      ignored.push({ reason: 'NOT_OBJECT_CREATED', message: `S3 "${record.eventName}" event` });
      continue;
    }
    const { bucket, object } = record.s3;
    objects.push(
      withOptional(
        { bucket: bucket.name, ...readEventKey(object.key), eventTime: record.eventTime },
        {
          versionId: object.versionId ?? undefined,
          size: object.size,
          etag: object.eTag,
          sequencer: object.sequencer,
        },
      ),
    );
  }
  return { objects, ignored };
};

const TEST_EVENT: ParsedEventBody = {
  objects: [],
  ignored: [{ reason: 'TEST_EVENT', message: 's3:TestEvent (sent when a notification is configured)' }],
};

const fromValue = (value: unknown, depth: number): ParsedEventBody => {
  const bridge = eventBridgeS3Event.safeParse(value);
  if (bridge.success) return fromEventBridge(bridge.data);
  const notification = s3Notification.safeParse(value);
  if (notification.success) return fromNotificationRecords(notification.data.Records);
  if (s3TestEvent.safeParse(value).success) return TEST_EVENT;
  const sns = snsNotification.safeParse(value);
  if (sns.success && depth === 0) return fromJson(sns.data.Message, depth + 1);
  throw unrecognised(
    'message body is none of: EventBridge "aws.s3" event, S3 event notification, s3:TestEvent, SNS-wrapped S3 event',
  );
};

const fromJson = (text: string, depth: number): ParsedEventBody => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw unrecognised('message body is not JSON', cause);
  }
  return fromValue(value, depth);
};

/**
 * Parses the body of one SQS message into the objects it announces (keys decoded). Accepts the
 * EventBridge "Object Created" envelope, S3 event notifications (direct, or wrapped by SNS), and
 * the s3:TestEvent (ignored). Anything else throws a terminal `EVENT_UNRECOGNISED`: retrying an
 * unreadable message cannot help.
 */
export const parseEventBody = (body: string): ParsedEventBody => fromJson(body, 0);
