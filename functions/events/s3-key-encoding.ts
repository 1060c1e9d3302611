import { PromoterError } from '../errors';

/**
 * S3 sends object keys in event notifications URL-encoded, form style: "red flower.jpg" arrives as
 * "red+flower.jpg", and a literal '+' as '%2B'.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 *
 * The EventBridge page says nothing either way (see `readEventKey`, which reads both).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html
 *
 * Decoding '+' before '%XX' is what keeps "team+a/my+chart%2B1.0.tgz" → "team a/my chart+1.0.tgz".
 */
export const decodeS3EventKey = (encoded: string): string => {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch (cause) {
    // Real S3 encodes a literal '%' as '%25', so a malformed escape means the event is not S3's.
    throw new PromoterError('EVENT_UNRECOGNISED', 'terminal', `object key is not URL-encoded: ${encoded}`, {
      cause,
    });
  }
};

/** The key an event names, as the pipeline reads it: see `readEventKey`. */
export interface EventKey {
  /** The key decoded as S3 event notifications encode it: the one to read first. */
  readonly key: string;
  /** The key exactly as the event delivered it, when decoding changed it: the one to read otherwise. */
  readonly deliveredKey?: string;
}

/**
 * Both readings of an event's key. AWS documents URL-encoded keys for S3 event notifications (above),
 * but says nothing about encoding in the EventBridge "Object Created" event
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html). A chart version with build
 * metadata (`1.0.0+build.1`, legal SemVer) puts a '+' in the key, which the two readings take for a
 * space or a plus. So when decoding changes the key, both are kept and the object read is the one
 * that matches the event's size and ETag (functions/pipeline/read-upload.ts). A key that is not valid
 * URL-encoding (`100%.tgz`) cannot have been encoded: it is taken as delivered.
 */
export const readEventKey = (delivered: string): EventKey => {
  let decoded: string;
  try {
    decoded = decodeS3EventKey(delivered);
  } catch {
    return { key: delivered };
  }
  return decoded === delivered ? { key: decoded } : { key: decoded, deliveredKey: delivered };
};

/** Bytes kept as they are: the application/x-www-form-urlencoded unreserved set, plus '/'. */
const KEPT = /^[A-Za-z0-9*._\-/]$/;

/**
 * Encodes a key the way S3 does in its notifications: form-urlencoded (space → '+', UTF-8 bytes as
 * upper-case %XX), with '/' left as is (S3 keeps the "folder" separators; see the example
 * "team+a/my+chart%2B1.0.tgz" and https://github.com/minio/minio/issues/11665). s3rver sends keys
 * unencoded, so the local runtime encodes them with this before the handler sees them.
 */
export const encodeS3EventKey = (key: string): string => {
  let out = '';
  for (const char of key) {
    if (char === ' ') out += '+';
    else if (KEPT.test(char)) out += char;
    else
      for (const byte of new TextEncoder().encode(char))
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
};
