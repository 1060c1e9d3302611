import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeS3EventKey, encodeS3EventKey, readEventKey } from '../../../functions/events/s3-key-encoding';

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

// S3 notifications URL-encode keys (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html);
// the EventBridge "Object Created" page says nothing (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html).
describe('readEventKey', () => {
  it.each([
    ['incoming/app-1.0.0.tgz', { key: 'incoming/app-1.0.0.tgz' }],
    [
      'incoming/app-1.0.0+build.1.tgz',
      { key: 'incoming/app-1.0.0 build.1.tgz', deliveredKey: 'incoming/app-1.0.0+build.1.tgz' },
    ],
    [
      'incoming/app-1.0.0%2Bbuild.1.tgz',
      { key: 'incoming/app-1.0.0+build.1.tgz', deliveredKey: 'incoming/app-1.0.0%2Bbuild.1.tgz' },
    ],
    ['incoming/100%-sure.tgz', { key: 'incoming/100%-sure.tgz' }],
  ])('reads %s as %o', (delivered, expected) => {
    expect(readEventKey(delivered)).toEqual(expected);
  });

  it('always offers the original key among its readings, however the event encoded it', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1 }), (key) => {
        const encoded = readEventKey(encodeS3EventKey(key));
        const raw = readEventKey(key);
        expect(encoded.key).toBe(key);
        expect([raw.key, raw.deliveredKey]).toContain(key);
      }),
    );
  });
});
