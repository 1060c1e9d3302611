/** One object the promote function should look at, whatever envelope the event arrived in. */
export interface ObjectCreated {
  readonly bucket: string;
  /** The object key, DECODED as S3 event notifications encode it: the key to read first. */
  readonly key: string;
  /**
   * The key exactly as the event delivered it, present only when decoding changed it (a '+' or '%XX'
   * in it). AWS documents the encoding for S3 notifications, not for EventBridge: the object read is
   * the one of the two that matches the event's size and ETag (functions/pipeline/read-upload.ts).
   */
  readonly deliveredKey?: string;
  /** Present when the bucket is versioned: read and tag exactly this version. */
  readonly versionId?: string;
  /** Size in bytes as the event reported it (used to detect a read of a half-written object). */
  readonly size?: number;
  readonly etag?: string;
  /** Hex string ordering events for the same key (greater = later). */
  readonly sequencer?: string;
  /** ISO-8601 time S3 reported for the event. */
  readonly eventTime: string;
}

/** An event that parsed but asks for nothing to be done (test event, deletion, other detail-type). */
export interface IgnoredEvent {
  readonly reason: 'TEST_EVENT' | 'NOT_OBJECT_CREATED';
  readonly message: string;
}

/** What one SQS message body held: the objects to promote, and what was skipped (and why). */
export interface ParsedEventBody {
  readonly objects: readonly ObjectCreated[];
  readonly ignored: readonly IgnoredEvent[];
}
