import { describe, expect, it } from 'vitest';
import { s3Error } from '../../../functions/adapters/s3-errors';
import { PromoterError } from '../../../functions/errors';

const sdkError = (name: string, httpStatusCode?: number) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode } });
const ref = { bucket: 'b', key: 'incoming/c.tgz', versionId: 'v1' };

describe('s3Error', () => {
  it.each([
    ['NoSuchKey', 404],
    ['NoSuchVersion', 404],
    ['NotFound', 404],
    ['UnknownError', 404],
  ])('maps %s to a terminal OBJECT_NOT_FOUND', (name, status) => {
    expect(s3Error(sdkError(name, status), ref, 'GetObject')).toMatchObject({
      code: 'OBJECT_NOT_FOUND',
      disposition: 'terminal',
      message: 's3://b/incoming/c.tgz (version v1) no longer exists (GetObject)',
    });
  });

  it.each([
    ['SlowDown', 503],
    ['InternalError', 500],
    ['AccessDenied', 403],
    ['NoSuchBucket', 404],
    ['ECONNRESET', undefined],
  ])('maps %s to a retryable OBJECT_STORE_UNAVAILABLE', (name, status) => {
    expect(s3Error(sdkError(name, status), ref, 'GetObject')).toMatchObject({
      code: 'OBJECT_STORE_UNAVAILABLE',
      disposition: 'retryable',
    });
  });

  it('passes our own errors through', () => {
    const own = new PromoterError('OBJECT_TOO_LARGE', 'terminal', 'too big');
    expect(s3Error(own, ref, 'GetObject')).toBe(own);
  });
});
