import { describe, expect, it } from 'vitest';
import { sanitiseTagValue, toTagSet } from '../../../functions/adapters/s3-tags';

describe('toTagSet', () => {
  it('keeps valid keys and values as they are', () => {
    expect(toTagSet({ 'chart-promoter/status': 'refused', 'chart-promoter/commit': 'a1b2c3d4e5f6' })).toEqual(
      [
        { Key: 'chart-promoter/status', Value: 'refused' },
        { Key: 'chart-promoter/commit', Value: 'a1b2c3d4e5f6' },
      ],
    );
  });

  it('refuses more than 10 tags, reserved and invalid keys', () => {
    const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v']));
    expect(() => toTagSet(eleven)).toThrow(expect.objectContaining({ code: 'OBJECT_TAGS_INVALID' }));
    expect(() => toTagSet({ 'aws:thing': 'v' })).toThrow(/reserved/);
    expect(() => toTagSet({ 'bad key!': 'v' })).toThrow(/not a valid S3 tag key/);
    expect(() => toTagSet({ 'bad key!': 'v' })).toThrow(/not a valid S3 tag key/); // no /g lastIndex drift
    expect(() => toTagSet({ ['k'.repeat(129)]: 'v' })).toThrow(/not a valid S3 tag key/);
  });
});

describe('sanitiseTagValue', () => {
  it('replaces characters S3 rejects and keeps the allowed ones', () => {
    expect(sanitiseTagValue('CHART_YAML_INVALID: "name" missing, see <docs>!')).toBe(
      'CHART_YAML_INVALID: _name_ missing_ see _docs__',
    );
    expect(sanitiseTagValue('équipe 6.14.1+build/x=y@z-_')).toBe('équipe 6.14.1+build/x=y@z-_');
  });

  it('truncates to 256 characters (code points, not UTF-16 units)', () => {
    expect(Array.from(sanitiseTagValue('é'.repeat(300)))).toHaveLength(256);
  });
});
