import { isPromoterError, type PromoterError } from '../errors';
import type { ObjectCreated } from '../events';
import type { GetObjectOptions, ObjectRef, ObjectStore, StoredObject } from '../ports/object-store';

export interface UploadRead {
  readonly stored: StoredObject;
  /** The event's object with the key that was read (and no `deliveredKey`: the question is settled). */
  readonly object: ObjectCreated;
}

/** Whether what was read is what the event announced: same size and ETag, where the event gave them. */
const matchesEvent = (stored: StoredObject, event: ObjectCreated): boolean =>
  (event.size === undefined || stored.size === event.size) &&
  (event.etag === undefined || stored.etag === undefined || stored.etag === event.etag);

type Attempt =
  | { readonly stored: StoredObject; readonly missing?: undefined }
  | { readonly stored?: undefined; readonly missing: PromoterError };

/** A read where "not found" is an answer, not a failure; any other error propagates. */
const attempt = async (store: ObjectStore, ref: ObjectRef, options: GetObjectOptions): Promise<Attempt> => {
  try {
    return { stored: await store.get(ref, options) };
  } catch (error) {
    if (isPromoterError(error) && error.code === 'OBJECT_NOT_FOUND') return { missing: error };
    throw error;
  }
};

/**
 * Reads the object an upload event announced, size-capped. When the event's key reads two ways
 * (`deliveredKey`: AWS documents URL-encoded keys for S3 notifications, nothing for EventBridge;
 * see functions/events/s3-key-encoding.ts), the decoded key is read first and kept if it matches the
 * event's size and ETag; otherwise the key as delivered is read and kept if it matches, or if the
 * decoded key does not exist. When neither matches, the decoded key wins (the object was overwritten
 * since the event: the newest content is what there is to promote). Neither exists: OBJECT_NOT_FOUND
 * for the decoded key. A key that reads one way costs one read, as before.
 */
export const readUpload = async (
  store: ObjectStore,
  event: ObjectCreated,
  maxBytes: number,
): Promise<UploadRead> => {
  const { deliveredKey, ...decoded } = event;
  const options: GetObjectOptions = {
    maxBytes,
    ...(event.size === undefined ? {} : { expectedSize: event.size }),
  };
  const ref = (key: string): ObjectRef => ({
    bucket: event.bucket,
    key,
    ...(event.versionId === undefined ? {} : { versionId: event.versionId }),
  });
  if (deliveredKey === undefined) return { stored: await store.get(ref(event.key), options), object: event };
  const first = await attempt(store, ref(decoded.key), options);
  if (first.stored && matchesEvent(first.stored, event)) return { stored: first.stored, object: decoded };
  const second = await attempt(store, ref(deliveredKey), options);
  if (second.stored && (first.missing || matchesEvent(second.stored, event))) {
    return { stored: second.stored, object: { ...decoded, key: deliveredKey } };
  }
  if (first.stored) return { stored: first.stored, object: decoded };
  throw first.missing;
};

/**
 * What a failed read of an upload (or its check) means for the run, for chart and values uploads
 * alike: a size over the cap is refused with the upload kind's own code (`tooLargeCode`), a missing
 * object is ignored (documented S3 answers, never retried), another PromoterError keeps its code and
 * disposition, and anything else (a bug, an unforeseen failure) is retried, then dead-lettered after
 * the queue's max receives, rather than lost.
 */
export const readFailure = (
  error: unknown,
  tooLargeCode: string,
): { readonly status: 'refused' | 'ignored' | 'retry'; readonly code: string; readonly message: string } => {
  const message = error instanceof Error ? error.message : String(error);
  if (!isPromoterError(error)) return { status: 'retry', code: 'UNEXPECTED_ERROR', message };
  if (error.code === 'OBJECT_TOO_LARGE') return { status: 'refused', code: tooLargeCode, message };
  if (error.code === 'OBJECT_NOT_FOUND') return { status: 'ignored', code: 'OBJECT_NOT_FOUND', message };
  return { status: error.retryable ? 'retry' : 'refused', code: error.code, message };
};
