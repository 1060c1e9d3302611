import { type Refusal, refusal } from './refusal';

export type EntryKind = 'file' | 'directory';

export type PathCheck =
  | { readonly ok: true; readonly path: string; readonly segments: readonly string[] }
  | { readonly ok: false; readonly refusal: Refusal };

/** Longer than any real chart path; keeps hostile multi-megabyte PAX names out of messages and git. */
const MAX_PATH_LENGTH = 1024;

/** How a refused name is reported: cut short, control characters escaped (logs and S3 tags stay clean). */
export const printablePath = (raw: string): string =>
  raw.slice(0, 200).replace(/[\x00-\x1f\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const unsafe = (raw: string, why: string): PathCheck => ({
  ok: false,
  refusal: refusal(
    'UNSAFE_PATH',
    `entry name ${JSON.stringify(printablePath(raw))} ${why}`,
    printablePath(raw),
  ),
});

/** Reasons a raw name is refused before it is even split; the first match wins. */
const RAW_RULES: readonly (readonly [RegExp, string])[] = [
  [/\0/, 'contains a NUL byte'],
  [/[\x01-\x1f\x7f]/, 'contains a control character'],
  [/\\/, 'contains a backslash (Windows separators can smuggle ".." past checks)'],
  [/^\//, 'is absolute'],
  [/^[A-Za-z]:/, 'starts with a drive letter'],
];

const segmentProblem = (segment: string): string | undefined => {
  if (segment === '') return 'has an empty path segment';
  if (segment === '.' || segment === '..') return `has a "${segment}" segment`;
  // Git refuses (and older clients were exploited by) trees containing `.git`: the chart is committed
  // to a repository, so such a path must never get that far. https://github.blog/2014-12-18-vulnerability-announced-update-your-git-clients/
  if (segment.toLowerCase() === '.git') return 'has a ".git" segment';
  return undefined;
};

/**
 * Checks one tar entry name. Stricter than Helm's loader (pkg/chart/loader/archive.go), which cleans
 * paths and only refuses those that escape: here any `.`, `..` or empty segment is refused outright,
 * since a legitimate `helm package` archive never contains one. Directory names may end with `/`.
 */
export const checkEntryPath = (raw: string, kind: EntryKind): PathCheck => {
  if (raw === '') return unsafe(raw, 'is empty');
  if (raw.length > MAX_PATH_LENGTH) return unsafe(raw, `is longer than ${MAX_PATH_LENGTH} characters`);
  for (const [pattern, why] of RAW_RULES) {
    if (pattern.test(raw)) return unsafe(raw, why);
  }
  const path = kind === 'directory' && raw.endsWith('/') ? raw.slice(0, -1) : raw;
  const segments = path.split('/');
  for (const segment of segments) {
    const problem = segmentProblem(segment);
    if (problem !== undefined) return unsafe(raw, problem);
  }
  return { ok: true, path, segments };
};
