import type { ObjectCreated } from '../events';

/**
 * The same object can arrive several times (S3 and SQS deliver at least once; users re-upload):
 * deliveries of one object version are processed once per batch and share one outcome.
 */
export const uploadIdentity = (object: ObjectCreated): string =>
  JSON.stringify([object.bucket, object.key, object.versionId ?? object.etag ?? '']);
