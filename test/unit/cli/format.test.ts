import { describe, expect, it } from 'vitest';
import { columns, humanBytes } from '../../../cli/format';

describe('humanBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [71_266, '69.6 KiB'],
    [100 * 1024 * 1024, '100.0 MiB'],
  ])('%d → %s', (bytes, text) => {
    expect(humanBytes(bytes)).toBe(text);
  });
});

describe('columns', () => {
  it('pads the first column to the widest entry', () => {
    expect(
      columns([
        ['a', 'one'],
        ['long', 'two'],
      ]),
    ).toBe('  a     one\n  long  two');
  });
});
