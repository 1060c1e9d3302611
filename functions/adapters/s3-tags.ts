import { PromoterError } from '../errors';

/**
 * S3 object tag rules: at most 10 tags per object; key 1–128 and value 0–256 Unicode characters
 * from letters, numbers, spaces and `_ . : / = + - @`; keys may not start with `aws:`.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_S3Tag.html (the pattern)
 */
export const MAX_TAGS = 10;
const MAX_KEY_CHARS = 128;
export const MAX_VALUE_CHARS = 256;
const NOT_ALLOWED_CLASS = '[^\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]';
const DISALLOWED = new RegExp(NOT_ALLOWED_CLASS, 'gu');
/** Non-global twin for `.test()` (a /g regex keeps `lastIndex` between calls). */
const HAS_DISALLOWED = new RegExp(NOT_ALLOWED_CLASS, 'u');

const clip = (text: string, max: number): string => Array.from(text).slice(0, max).join('');

/** Replaces what S3 would reject with '_' and truncates: a value like a message is kept readable. */
export const sanitiseTagValue = (value: string): string =>
  clip(value.replace(DISALLOWED, '_'), MAX_VALUE_CHARS);

const invalid = (message: string): PromoterError =>
  new PromoterError('OBJECT_TAGS_INVALID', 'terminal', message);

/**
 * Turns our tags (e.g. `chart-promoter/status: refused`) into an S3 TagSet. Keys are ours, so a bad
 * key is a programming error and throws; values may carry user text and are sanitised.
 */
export const toTagSet = (tags: Readonly<Record<string, string>>): { Key: string; Value: string }[] => {
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS)
    throw invalid(`S3 allows at most ${MAX_TAGS} tags per object, got ${entries.length}`);
  return entries.map(([key, value]) => {
    if (key.length === 0 || Array.from(key).length > MAX_KEY_CHARS || HAS_DISALLOWED.test(key))
      throw invalid(`not a valid S3 tag key: ${JSON.stringify(key)}`);
    if (key.toLowerCase().startsWith('aws:'))
      throw invalid(`tag keys starting with "aws:" are reserved: ${key}`);
    return { Key: key, Value: sanitiseTagValue(value) };
  });
};
