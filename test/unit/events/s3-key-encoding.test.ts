import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeS3EventKey, encodeS3EventKey } from '../../../functions/events/s3-key-encoding';

describe('encodeS3EventKey', () => {
  it('encodes like S3 notifications: space → "+", "+" → %2B, "/" kept', () => {
    expect(encodeS3EventKey('team a/my chart+1.0.tgz')).toBe('team+a/my+chart%2B1.0.tgz');
  });

  it('percent-encodes UTF-8 bytes in upper case', () => {
    expect(encodeS3EventKey('é✓')).toBe('%C3%A9%E2%9C%93');
  });

  it('keeps the form-urlencoded unreserved characters', () => {
    expect(encodeS3EventKey('a-b_c.d*e/F9')).toBe('a-b_c.d*e/F9');
  });

  it('round-trips any key through decodeS3EventKey', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1 }), (key) => {
        expect(decodeS3EventKey(encodeS3EventKey(key))).toBe(key);
      }),
    );
  });
});
