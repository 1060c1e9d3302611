import { describe, expect, it } from 'vitest';
import {
  escapeHtml,
  formatAge,
  formatDuration,
  formatUtc,
  idFor,
  safeHref,
} from '../../../functions/board/board-format';

describe('formatDuration (lead times)', () => {
  it.each([
    [850, '850 ms'],
    [3_249, '3.2 s'],
    [42_000, '42 s'],
    [252_000, '4 m 12 s'],
    [9 * 60_000, '9 m'],
    [3_900_000, '1 h 5 m'],
    [7_200_000, '2 h'],
    [2 * 86_400_000 + 3 * 3_600_000, '2 d 3 h'],
    [-1, '-'],
    [Number.NaN, '-'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('formatAge (relative to the view time, so rendering stays pure)', () => {
  const now = '2026-12-01T10:30:00.000Z';
  it.each([
    ['2026-12-01T10:29:58.000Z', 'just now'],
    ['2026-12-01T10:29:20.000Z', '40 s ago'],
    ['2026-12-01T10:26:00.000Z', '4 m ago'],
    ['2026-12-01T07:30:00.000Z', '3 h ago'],
    ['2026-11-28T10:30:00.000Z', '3 d ago'],
    ['2026-12-01T10:42:00.000Z', 'in 12 m'],
    ['not a time', '-'],
  ])('%s → %s', (at, text) => {
    expect(formatAge(at, now)).toBe(text);
  });
});

describe('escaping', () => {
  it('escapes the five characters that end text or a quoted attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
    );
  });

  it('links only absolute http(s) URLs, re-serialised and escaped', () => {
    expect(safeHref('https://github.com/o/r/pull/12')).toBe('https://github.com/o/r/pull/12');
    expect(safeHref('https://example.com/a" onmouseover="x')).toBe(
      'https://example.com/a%22%20onmouseover=%22x',
    );
    for (const bad of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'data:text/html,<b>',
      '/relative',
      'not a url',
    ])
      expect(safeHref(bad)).toBeUndefined();
  });

  it('gives distinct names distinct ids made of safe characters only', () => {
    const names = ['hello-web', 'hello_web', 'Hello-web', '"><b>', 'héllo'];
    const ids = names.map((name) => idFor('cpb-c-', name));
    expect(new Set(ids).size).toBe(names.length);
    for (const id of ids) expect(id).toMatch(/^cpb-c-[a-z0-9_-]+$/);
  });

  it('formats UTC times for tooltips and passes unreadable text through', () => {
    expect(formatUtc('2026-12-01T10:30:00.123Z')).toBe('2026-12-01 10:30:00 UTC');
    expect(formatUtc('soon')).toBe('soon');
  });
});
