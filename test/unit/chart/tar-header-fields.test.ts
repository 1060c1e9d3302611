import { describe, expect, it } from 'vitest';
import {
  checksumMatches,
  headerNameEndsWithSlash,
  parseNumeric,
  parsePaxRecords,
  parsePaxSize,
} from '../../../functions/chart/tar-header-fields';
import { rawHeader } from '../../support/reliability/raw-tar';

const field = (text: string, width = 12): Uint8Array => {
  const bytes = new Uint8Array(width);
  bytes.set(new TextEncoder().encode(text).subarray(0, width));
  return bytes;
};

describe('parseNumeric (Go archive/tar parseNumeric)', () => {
  it.each([
    ['00000001750\0', 1000],
    ['     1750 \0\0', 1000],
    ['1750\0garbage', 1000],
    ['\0\0\0\0\0\0\0\0\0\0\0\0', 0],
    ['            ', 0],
    ['77777777777\0', 8 ** 11 - 1],
  ])('reads octal %j as %d', (text, value) => {
    expect(parseNumeric(field(text))).toBe(value);
  });

  it.each([['0000 0001750'], ['00000001758\0'], ['0x1750\0'], ['+1750\0']])(
    'refuses %j, as Go does (ErrHeader)',
    (text) => {
      expect(parseNumeric(field(text))).toBeUndefined();
    },
  );

  it('reads base-256 and refuses negative base-256', () => {
    expect(parseNumeric(Uint8Array.of(0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x58))).toBe(600);
    expect(parseNumeric(Uint8Array.of(0x80, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0))).toBe(2 ** 62);
    expect(
      parseNumeric(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)),
    ).toBe(undefined);
    expect(parseNumeric(Uint8Array.of(0x80, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))).toBeUndefined();
  });
});

describe('checksumMatches', () => {
  it('accepts a correct header and refuses a changed one', () => {
    const header = rawHeader({ name: 'demo/a' }, 1);
    expect(checksumMatches(header)).toBe(true);
    header[0] = 'e'.charCodeAt(0);
    expect(checksumMatches(header)).toBe(false);
  });

  it('accepts a checksum written as a signed byte sum, as Go does (old Sun tar)', () => {
    // Prepare: a name byte above 127, and the checksum field rewritten with the signed sum.
    const header = rawHeader({ name: 'demo/\u00e9' }, 1);
    header.fill(0x20, 148, 156);
    const signed = header.reduce((sum, byte) => sum + (byte > 127 ? byte - 256 : byte), 0);
    header.set(new TextEncoder().encode(`${signed.toString(8).padStart(6, '0')}\0 `), 148);
    // Act + Assess
    expect(checksumMatches(header)).toBe(true);
  });
});

describe('headerNameEndsWithSlash', () => {
  it.each([
    [{ name: 'demo/d/' }, true],
    [{ name: 'demo/d' }, false],
    [{ name: '', prefix: 'demo/d' }, true],
    [{ name: '', prefix: 'demo/d', format: 'gnu' as const }, false],
  ])('%j → %s', (entry, expected) => {
    expect(headerNameEndsWithSlash(rawHeader(entry, 0))).toBe(expected);
  });
});

describe('parsePaxRecords (Go archive/tar parsePAX)', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);

  it('reads records; a later record wins', () => {
    expect(parsePaxRecords(bytes('13 size=1000\n19 path=demo/a.txt\n13 size=2000\n'))).toEqual(
      new Map([
        ['size', '2000'],
        ['path', 'demo/a.txt'],
      ]),
    );
  });

  it('counts the length in bytes, not characters', () => {
    expect(parsePaxRecords(bytes('16 path=demo/é\n'))?.get('path')).toBe('demo/\xc3\xa9');
  });

  it.each([
    ['a length past the end', '99 path=demo/a\n'],
    ['no newline at the end of the record', '12 path=abcd'],
    ['no equals sign', '10 pathab\n'],
    ['an empty key', '9 =value\n'],
    ['a length that is not a number', 'xx path=a\n'],
    ['no space after the length', '13\n'],
    ['a length too short', '3 a\n'],
  ])('refuses %s', (_, text) => {
    expect(parsePaxRecords(bytes(text))).toBeUndefined();
  });

  it('reads PAX sizes as Go strconv.ParseInt does', () => {
    expect(parsePaxSize('1000')).toBe(1000);
    expect(parsePaxSize('+12')).toBe(12);
    expect(parsePaxSize('-1')).toBeUndefined();
    expect(parsePaxSize('12abc')).toBeUndefined();
    expect(parsePaxSize(' 12')).toBeUndefined();
  });
});
