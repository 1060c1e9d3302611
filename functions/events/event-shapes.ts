import * as z from '../zod';

/*
 * The envelopes an SQS message body can hold, as AWS documents them. Only the fields we read are
 * declared; zod drops the rest, so new fields AWS adds do not break parsing.
 */

/** S3 → EventBridge → SQS. https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html */
export const eventBridgeS3Event = z.object({
  'detail-type': z.string(),
  source: z.literal('aws.s3'),
  time: z.string().check(z.minLength(1)),
  detail: z.object({
    bucket: z.object({ name: z.string().check(z.minLength(1)) }),
    object: z.object({
      key: z.string().check(z.minLength(1)),
      size: z.optional(z.number().check(z.int(), z.nonnegative())),
      etag: z.optional(z.string()),
      'version-id': z.optional(z.string()),
      sequencer: z.optional(z.string()),
    }),
  }),
});

/**
 * S3 event notification (eventVersion 2.x). `versionId` is absent (or null) when the bucket is not
 * versioned. https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */
const s3NotificationRecord = z.object({
  eventSource: z.literal('aws:s3'),
  eventName: z.string(),
  eventTime: z.string().check(z.minLength(1)),
  s3: z.object({
    bucket: z.object({ name: z.string().check(z.minLength(1)) }),
    object: z.object({
      key: z.string().check(z.minLength(1)),
      size: z.optional(z.number().check(z.int(), z.nonnegative())),
      eTag: z.optional(z.string()),
      versionId: z.nullish(z.string()),
      sequencer: z.optional(z.string()),
    }),
  }),
});

export const s3Notification = z.object({ Records: z.array(s3NotificationRecord).check(z.minLength(1)) });

/** Sent once when a notification configuration is saved; carries no object. */
export const s3TestEvent = z.object({ Service: z.literal('Amazon S3'), Event: z.literal('s3:TestEvent') });

/**
 * S3 → SNS → SQS without raw message delivery: the S3 event is a JSON string in `Message`.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html
 */
export const snsNotification = z.object({ Type: z.literal('Notification'), Message: z.string() });

export type EventBridgeS3Event = z.infer<typeof eventBridgeS3Event>;
export type S3NotificationRecord = z.infer<typeof s3NotificationRecord>;
