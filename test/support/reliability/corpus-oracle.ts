import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { Chart, IntakeResult } from '../../../functions/chart/chart';
import { REFUSAL_CODES } from '../../../functions/chart/refusal';
import type { HostileCase } from './corpus-case';

/** Holds intake's answer to each corpus case against what the case says the right answer is. */

/**
 * KNOWN GAP (reported): tar-stream hands out a never-ending body stream for a directory header
 * whose size field is not 0, and intake waits for that body forever. Detected here independently,
 * from the raw headers, so only hangs with exactly this cause are set aside (and counted).
 */
export const DIRECTORY_WITH_SIZE = 'directory header with a non-zero size hangs intake';
export const hasDirectoryWithSize = (input: unknown): boolean => {
  if (!(input instanceof Uint8Array)) return false;
  let tar: Uint8Array;
  try {
    tar = gunzipSync(input);
  } catch {
    return false;
  }
  for (let offset = 0; offset + 512 <= tar.byteLength; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) return false;
    const size =
      Number.parseInt(
        Buffer.from(header.subarray(124, 136)).toString('latin1').replace(/\0.*$/s, '').trim(),
        8,
      ) || 0;
    if (header[156] === 0x35 && size > 0) return true;
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return false;
};

export const fingerprint = (chart: Chart): string => {
  const hash = createHash('sha256');
  for (const file of chart.files)
    hash.update(`${file.path}\0${createHash('sha256').update(file.data).digest('hex')}\n`);
  return hash.digest('hex');
};

/** Written independently of functions/chart/safe-path.ts, so one bug cannot hide in both. */
const isSafeRelativePath = (p: string): boolean =>
  p.length > 0 &&
  !p.startsWith('/') &&
  !/[\\\x00-\x1f\x7f]/.test(p) &&
  !/^[a-z]:/i.test(p) &&
  p
    .split('/')
    .every(
      (segment) => segment !== '' && segment !== '.' && segment !== '..' && segment.toLowerCase() !== '.git',
    );

export const judge = (
  test: HostileCase,
  result: IntakeResult,
  fingerprints: ReadonlyMap<string, string>,
): string | undefined => {
  const { expect: want } = test;
  const codes = result.ok ? [] : result.refusals.map((r) => r.code);
  const unknown = codes.filter((code) => !(REFUSAL_CODES as readonly string[]).includes(code));
  if (unknown.length > 0) return `undocumented refusal codes ${unknown.join(', ')}`;
  if ('accept' in want) {
    if (!result.ok) return `refused (${codes.join(', ')}): ${!result.ok && result.refusals[0]?.message}`;
    if (want.name !== undefined && result.chart.name !== want.name) return `name ${result.chart.name}`;
    if (want.version !== undefined && result.chart.version !== want.version)
      return `version ${result.chart.version}`;
    if (want.files && JSON.stringify(result.chart.files.map((f) => f.path)) !== JSON.stringify(want.files))
      return `files ${result.chart.files.map((f) => f.path).join(', ')}`;
    return undefined;
  }
  if ('refuse' in want) {
    if (result.ok) return `accepted ${result.chart.name} ${result.chart.version}, expected ${want.refuse}`;
    if (codes[0] !== want.refuse)
      return `first code ${codes[0]}, expected ${want.refuse} (${result.refusals[0]?.message})`;
    const missing = (want.includes ?? []).filter((code) => !codes.includes(code));
    return missing.length > 0 ? `missing ${missing.join(', ')} among ${codes.join(', ')}` : undefined;
  }
  if ('refusedOrIdentical' in want) {
    if (!result.ok) return undefined;
    return fingerprint(result.chart) === fingerprints.get(want.refusedOrIdentical)
      ? undefined
      : 'accepted with content that differs from the original';
  }
  if (!result.ok) return undefined;
  const unsafe = result.chart.files.map((f) => f.path).filter((p) => !isSafeRelativePath(p));
  if (unsafe.length > 0) return `accepted unsafe paths ${unsafe.join(', ')}`;
  return /^[a-z0-9-]+$/.test(result.chart.name) ? undefined : `accepted chart name ${result.chart.name}`;
};
