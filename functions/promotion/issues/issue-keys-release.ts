import { readHelmRelease } from '../manifests/helm-release-manifest';
import { ISSUES_RELEASE_ANNOTATION, parseIssueKeys } from './issue-keys';

/** The issue keys a HelmRelease records for the version it runs (`chart-promoter.io/issues`). */
export const releaseIssueKeys = (text: string | undefined): readonly string[] => {
  if (text === undefined) return [];
  const release = readHelmRelease(text);
  if (!release.ok) return [];
  const value = release.annotations?.get(ISSUES_RELEASE_ANNOTATION);
  return typeof value === 'string' ? parseIssueKeys(value).keys : [];
};

/**
 * The annotation to write with a new chart reference: the version's keys, or an empty value when the
 * version has none but the release still names the previous version's (annotations are only ever set,
 * never removed, by the HelmRelease editor: an empty value keeps a stale list from lingering).
 */
export const issuesAnnotation = (
  keys: readonly string[] | undefined,
  existing: string | undefined,
): Record<string, string> => {
  if (keys !== undefined && keys.length > 0) return { [ISSUES_RELEASE_ANNOTATION]: keys.join(',') };
  if (existing === undefined) return {};
  const release = readHelmRelease(existing);
  return release.ok && release.annotations?.has(ISSUES_RELEASE_ANNOTATION)
    ? { [ISSUES_RELEASE_ANNOTATION]: '' }
    : {};
};
