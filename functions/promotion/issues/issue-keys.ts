/**
 * Issue-tracker keys travel with a chart from upload to commit to tracker. They come from the chart's
 * `chart-promoter/issues` annotation (Chart.yaml, reviewed with the code) and from the uploaded object's
 * `x-amz-meta-chart-promoter-issues` metadata (set by CI at upload: `aws s3 cp --metadata
 * chart-promoter-issues=ABC-123`); both lists are comma- or space-separated and are merged.
 * Keys follow Jira's default project-key pattern
 * (https://confluence.atlassian.com/adminjiraserver/changing-the-project-key-format-938847081.html):
 * an upper-case letter, then upper-case letters, digits or `_`, a dash and the issue number.
 */
export const ISSUES_ANNOTATION = 'chart-promoter/issues';
/** S3 returns user metadata without its `x-amz-meta-` prefix, lower-cased. */
export const ISSUES_METADATA_KEY = 'chart-promoter-issues';
/** Where a HelmRelease remembers the keys of the version it runs (carried to later environments). */
export const ISSUES_RELEASE_ANNOTATION = 'chart-promoter.io/issues';

const ISSUE_KEY = /^[A-Z][A-Z0-9_]+-[0-9]+$/;
/** A commit or pull request naming hundreds of issues is a mistake; the tracker gets the first ones. */
export const MAX_ISSUE_KEYS = 20;

export const isIssueKey = (key: string): boolean => ISSUE_KEY.test(key);

export interface IssueKeys {
  /** Valid keys, first occurrence order, without duplicates, at most MAX_ISSUE_KEYS. */
  readonly keys: readonly string[];
  /** Tokens that are not issue keys (for a warning; they are never written anywhere). */
  readonly rejected: readonly string[];
}

/** Splits a list such as `ABC-123, ABC-124 DEF-1` into keys and rejected tokens. */
export const parseIssueKeys = (...lists: readonly (string | undefined)[]): IssueKeys => {
  const keys: string[] = [];
  const rejected: string[] = [];
  for (const list of lists) {
    for (const token of (list ?? '').split(/[\s,;]+/)) {
      if (token === '') continue;
      if (!isIssueKey(token)) rejected.push(token.slice(0, 64));
      else if (!keys.includes(token) && keys.length < MAX_ISSUE_KEYS) keys.push(token);
    }
  }
  return { keys, rejected };
};

/** The keys of an upload: the chart's annotation first, then the object's metadata. */
export const uploadIssueKeys = (
  annotations: Readonly<Record<string, string>>,
  metadata: Readonly<Record<string, string>>,
): IssueKeys => parseIssueKeys(annotations[ISSUES_ANNOTATION], metadata[ISSUES_METADATA_KEY]);

/** Git trailers (https://git-scm.com/docs/git-interpret-trailers), one `Refs: KEY` per key. */
export const issueTrailers = (keys: readonly string[] | undefined): string[] =>
  (keys ?? []).map((key) => `Refs: ${key}`);
