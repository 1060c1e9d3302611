/**
 * Reading single tar header fields the way Go's archive/tar does (helm loads charts with it), so the
 * framing walker (tar-framing.ts) sees the archive as helm will. `undefined` means Go would answer
 * ErrHeader. Layout: https://pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html#tag_20_92_13_06
 * and Go's reader: https://github.com/golang/go/blob/master/src/archive/tar/strconv.go
 */

export const BLOCK = 512;

const SPACE = 0x20;
const NUL = 0x00;

export const isZeroBlock = (block: Uint8Array): boolean => {
  for (let i = 0; i < block.byteLength; i += 1) if (block[i] !== 0) return false;
  return true;
};

/** Index of the first non-zero byte of `bytes` from `from`, or -1. */
export const firstNonZero = (bytes: Uint8Array, from: number): number => {
  for (let i = from; i < bytes.byteLength; i += 1) if (bytes[i] !== 0) return i;
  return -1;
};

const latin1 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');

/** The bytes up to the first NUL (Go's parser.parseString). */
export const cString = (bytes: Uint8Array): Uint8Array => {
  const end = bytes.indexOf(NUL);
  return end === -1 ? bytes : bytes.subarray(0, end);
};

/** Go's parseOctal: trim spaces and NULs at both ends, cut at a NUL, then strictly octal digits. */
const parseOctal = (field: Uint8Array): number | undefined => {
  let start = 0;
  let end = field.byteLength;
  while (start < end && (field[start] === SPACE || field[start] === NUL)) start += 1;
  while (end > start && (field[end - 1] === SPACE || field[end - 1] === NUL)) end -= 1;
  let value = 0;
  // Hand-rolled (no string, no regex): it runs for every header of every archive.
  for (let i = start; i < end; i += 1) {
    const digit = (field[i] ?? NUL) - 0x30;
    if (field[i] === NUL) break;
    if (digit < 0 || digit > 7) return undefined;
    value = value * 8 + digit;
  }
  return value;
};

/**
 * Go's parseNumeric: base-256 when the first byte has its top bit set (GNU, for sizes of 8 GiB and
 * more), else octal. Negative values are refused here: no field we read may be negative. Sizes past
 * 2^53 lose precision, which is harmless: the decompressed stream is capped far below that.
 */
export const parseNumeric = (field: Uint8Array): number | undefined => {
  const first = field[0] ?? 0;
  if ((first & 0x80) === 0) return parseOctal(field);
  if ((first & 0x40) !== 0) return undefined;
  let value = first & 0x3f;
  for (let i = 1; i < field.byteLength; i += 1) value = value * 256 + (field[i] ?? 0);
  // Go refuses a value that overflows int64: more than 8 significant bytes.
  return value >= 2 ** 63 ? undefined : value;
};

/** Go's getFormat: the stored checksum must match the unsigned or the signed byte sum. */
export const checksumMatches = (block: Uint8Array): boolean => {
  const stored = parseOctal(block.subarray(148, 156));
  if (stored === undefined) return false;
  // The checksum field itself counts as eight spaces. Runs for every header: plain loops.
  let unsigned = 8 * SPACE;
  for (let i = 0; i < 148; i += 1) unsigned += block[i] as number;
  for (let i = 156; i < BLOCK; i += 1) unsigned += block[i] as number;
  if (stored === unsigned) return true;
  let high = 0;
  for (let i = 0; i < BLOCK; i += 1) if ((i < 148 || i >= 156) && (block[i] as number) > 127) high += 1;
  return stored === unsigned - 256 * high;
};

/** The header's own name (ustar prefix joined as Go does) ends with '/': a directory for typeflag NUL. */
export const headerNameEndsWithSlash = (block: Uint8Array): boolean => {
  const name = cString(block.subarray(0, 100));
  if (name.byteLength > 0) return name[name.byteLength - 1] === 0x2f;
  // Go joins `prefix + "/" + name` for ustar/PAX headers ("ustar\0" magic) whose prefix is set.
  const ustar = latin1(block.subarray(257, 263)) === 'ustar\0';
  return ustar && (block[345] ?? 0) !== NUL;
};

/**
 * PAX extended header records (`<length> <key>=<value>\n`), framed as strictly as Go's parsePAX:
 * a malformed record is `undefined` (ErrHeader). Later records win, as in Go and in tar-stream.
 * https://pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html#tag_20_92_13_03
 */
export const parsePaxRecords = (data: Uint8Array): Map<string, string> | undefined => {
  const text = latin1(data);
  const records = new Map<string, string>();
  let at = 0;
  while (at < text.length) {
    const space = text.indexOf(' ', at);
    if (space === -1) return undefined;
    const lengthText = text.slice(at, space);
    if (!/^[+-]?[0-9]+$/.test(lengthText)) return undefined;
    const length = Number.parseInt(lengthText, 10);
    if (length < 5 || at + length > text.length || length <= lengthText.length + 1) return undefined;
    const end = at + length;
    if (text[end - 1] !== '\n') return undefined;
    const record = text.slice(space + 1, end - 1);
    const equals = record.indexOf('=');
    if (equals <= 0) return undefined;
    // Go also refuses NUL bytes in names; a name with one is refused as UNSAFE_PATH (safe-path.ts),
    // with a clearer message, and is read the same by tar-stream, so it is let through here.
    records.set(record.slice(0, equals), record.slice(equals + 1));
    at = end;
  }
  return records;
};

/** Go's mergePAX reads `size` with strconv.ParseInt(v, 10, 64); an empty value keeps the header's. */
export const parsePaxSize = (value: string): number | undefined =>
  /^\+?[0-9]+$/.test(value) ? Number.parseInt(value, 10) : undefined;
