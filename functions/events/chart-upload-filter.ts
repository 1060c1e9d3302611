/** Why an object is not a chart upload (it is skipped, not refused: nothing to tag as a failure). */
export type NotAChartReason = 'OUTSIDE_PREFIX' | 'FOLDER_MARKER' | 'NOT_A_CHART_ARCHIVE';

export type ChartUploadCheck =
  | { readonly chart: true }
  | { readonly chart: false; readonly reason: NotAChartReason; readonly message: string };

/** `helm package` writes `<name>-<version>.tgz`; `.tar.gz` is accepted for hand-made archives. */
const ARCHIVE_SUFFIXES = ['.tgz', '.tar.gz'] as const;

/**
 * Whether a (decoded) key is a chart upload this pipeline should handle: under `prefix` (empty =
 * the whole bucket) and named like a packaged chart. The EventBridge rule filters on the prefix too;
 * checking again here keeps a broader rule, or the local runtime, from feeding us other objects.
 */
export const isChartUpload = (key: string, prefix: string): ChartUploadCheck => {
  if (!key.startsWith(prefix)) {
    return { chart: false, reason: 'OUTSIDE_PREFIX', message: `key is not under "${prefix}"` };
  }
  if (key.endsWith('/')) {
    return { chart: false, reason: 'FOLDER_MARKER', message: 'key is a folder marker' };
  }
  const lower = key.toLowerCase();
  if (!ARCHIVE_SUFFIXES.some((suffix) => lower.endsWith(suffix))) {
    return { chart: false, reason: 'NOT_A_CHART_ARCHIVE', message: 'key does not end in .tgz or .tar.gz' };
  }
  return { chart: true };
};
