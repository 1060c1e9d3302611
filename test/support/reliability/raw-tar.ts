/**
 * Tar blocks written by hand, for the format corners a tar library will not produce on request: GNU
 * long-name records (`././@LongLink`, typeflag L/K), GNU sparse headers (S), v7 headers without
 * magic, base-256 and overflowing size fields, wrong checksums, ustar `prefix` fields.
 * Layout: POSIX ustar (https://pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html#tag_20_92_13_06)
 * and GNU tar's extensions (https://www.gnu.org/software/tar/manual/html_node/Standard.html).
 */

export interface RawEntry {
  readonly name: string;
  /** Typeflag character: '0' file, '5' directory, '2' symlink, 'L' GNU long name, 'S' GNU sparse… */
  readonly typeflag?: string;
  readonly data?: Uint8Array | string;
  readonly linkname?: string;
  /** ustar prefix field (joined to the name with '/'). */
  readonly prefix?: string;
  /** 'ustar' (POSIX, default), 'gnu' (`ustar  `), or 'v7' (no magic). */
  readonly format?: 'ustar' | 'gnu' | 'v7';
  /** Size field override: an octal string as written, or raw bytes (base-256 starts with 0x80). */
  readonly sizeField?: string | Uint8Array;
  /** Break the header checksum on purpose. */
  readonly badChecksum?: boolean;
  /** Bytes to write as the entry's data region instead of `data` (misframing on purpose). */
  readonly rawData?: Uint8Array;
}

const BLOCK = 512;
const encoder = new TextEncoder();
const bytesOf = (data: Uint8Array | string | undefined): Uint8Array =>
  typeof data === 'string' ? encoder.encode(data) : (data ?? new Uint8Array());

const writeString = (block: Uint8Array, offset: number, length: number, text: string): void => {
  block.set(encoder.encode(text).subarray(0, length), offset);
};

const octal = (value: number, width: number): string => `${value.toString(8).padStart(width - 1, '0')}\0`;

export const rawHeader = (entry: RawEntry, size: number): Uint8Array => {
  const block = new Uint8Array(BLOCK);
  writeString(block, 0, 100, entry.name);
  writeString(block, 100, 8, octal(0o644, 8));
  writeString(block, 108, 8, octal(1000, 8));
  writeString(block, 116, 8, octal(1000, 8));
  if (entry.sizeField instanceof Uint8Array) block.set(entry.sizeField.subarray(0, 12), 124);
  else writeString(block, 124, 12, entry.sizeField ?? octal(size, 12));
  writeString(block, 136, 12, octal(1767225600, 12));
  writeString(block, 156, 1, entry.typeflag ?? '0');
  writeString(block, 157, 100, entry.linkname ?? '');
  const format = entry.format ?? 'ustar';
  if (format === 'ustar') writeString(block, 257, 8, 'ustar\x0000');
  if (format === 'gnu') writeString(block, 257, 8, 'ustar  \0');
  if (format !== 'v7') {
    writeString(block, 265, 32, 'user');
    writeString(block, 297, 32, 'group');
  }
  writeString(block, 345, 155, entry.prefix ?? '');
  // Checksum: sum of all header bytes with the checksum field read as spaces.
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  if (entry.badChecksum) sum += 1;
  writeString(block, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return block;
};

const padded = (data: Uint8Array): Uint8Array => {
  const out = new Uint8Array(Math.ceil(data.byteLength / BLOCK) * BLOCK);
  out.set(data);
  return out;
};

/** A GNU long-name record followed by the entry whose real name it carries. */
export const gnuLongName = (name: string, entry: Omit<RawEntry, 'name'>): RawEntry[] => [
  { name: '././@LongLink', typeflag: 'L', format: 'gnu', data: `${name}\0` },
  { ...entry, name: name.slice(0, 99), format: 'gnu' },
];

/** An uncompressed tar of `entries`; `end: false` leaves out the two closing zero blocks. */
export const rawTar = (
  entries: readonly RawEntry[],
  options: { readonly end?: boolean } = {},
): Uint8Array => {
  const parts: Uint8Array[] = [];
  for (const entry of entries) {
    const data = bytesOf(entry.data);
    parts.push(rawHeader(entry, data.byteLength));
    parts.push(padded(entry.rawData ?? data));
  }
  if (options.end !== false) parts.push(new Uint8Array(BLOCK * 2));
  return Buffer.concat(parts);
};
