/** 1536 → "1.5 KiB": sizes as people read them (binary units, like `ls -h`). */
export const humanBytes = (bytes: number): string => {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
};

/** Two columns, the first padded, for help texts and human reports. */
export const columns = (rows: readonly (readonly [string, string])[], indent = '  '): string => {
  const width = Math.max(0, ...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `${indent}${left.padEnd(width)}  ${right}`.trimEnd()).join('\n');
};

/** A fixed-width table (header + rows), last column unpadded, each line indented. */
export const table = (
  header: readonly string[],
  rows: readonly (readonly string[])[],
  indent = '  ',
): string => {
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => (row[i] ?? '').length)));
  return [header, ...rows]
    .map((row) =>
      `${indent}${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd(),
    )
    .join('\n');
};

/** 1234 → "1.2 s". */
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
