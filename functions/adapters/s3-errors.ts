import { PromoterError } from '../errors';
import type { ObjectRef } from '../ports/object-store';

/** S3 error names that mean "this object (version) is not there". HeadObject answers a bare 404. */
const NOT_FOUND = new Set(['NoSuchKey', 'NoSuchVersion', 'NotFound']);

interface SdkErrorShape {
  readonly name?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

/** `s3://bucket/key (version v)`, for messages. */
export const objectLabel = (ref: ObjectRef): string =>
  `s3://${ref.bucket}/${ref.key}${ref.versionId === undefined ? '' : ` (version ${ref.versionId})`}`;

/**
 * Maps an S3 SDK error to our codes. A missing object is terminal: it was deleted (or overwritten
 * away) between the event and the read, so there is nothing to promote. Everything else — 5xx,
 * SlowDown/throttling, network resets, and also 403 (a deployment mistake an operator fixes before
 * redriving the DLQ) — is retryable.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
 */
export const s3Error = (error: unknown, ref: ObjectRef, action: string): PromoterError => {
  if (error instanceof PromoterError) return error;
  const shape = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const name = typeof shape.name === 'string' ? shape.name : 'Error';
  const status = shape.$metadata?.httpStatusCode;
  if (NOT_FOUND.has(name) || (status === 404 && name !== 'NoSuchBucket')) {
    return new PromoterError(
      'OBJECT_NOT_FOUND',
      'terminal',
      `${objectLabel(ref)} no longer exists (${action})`,
      {
        cause: error,
      },
    );
  }
  const statusText = typeof status === 'number' ? ` HTTP ${status}` : '';
  return new PromoterError(
    'OBJECT_STORE_UNAVAILABLE',
    'retryable',
    `${action} ${objectLabel(ref)} failed: ${name}${statusText}`,
    { cause: error },
  );
};
