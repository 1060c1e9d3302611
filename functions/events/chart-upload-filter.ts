/**
 * Why an object is not a chart upload. `CHART_NOT_PACKAGED` is refused (the uploader meant to deploy
 * a chart and must act); the others are skipped (ignored: nothing to tag as a failure).
 */
export type NotAChartReason =
  | 'OUTSIDE_PREFIX'
  | 'FOLDER_MARKER'
  | 'NOT_A_CHART_ARCHIVE'
  | 'VENDORED_DEPENDENCY'
  | 'CHART_NOT_PACKAGED';

export type ChartUploadCheck =
  | { readonly chart: true }
  | {
      readonly chart: false;
      readonly status: 'ignored' | 'refused';
      readonly reason: NotAChartReason;
      readonly message: string;
    };

/** `helm package` writes `<name>-<version>.tgz`; `.tar.gz` is accepted for hand-made archives. */
export const CHART_ARCHIVE_SUFFIXES = ['.tgz', '.tar.gz'] as const;

/**
 * `helm package --sign` writes `<archive>.prov` beside the archive (functions/provenance
 * `provenanceKey`). Its arrival re-runs the chart, so upload order is free.
 */
export const PROVENANCE_SUFFIXES = CHART_ARCHIVE_SUFFIXES.map((suffix) => `${suffix}.prov` as const);

/** Every chart directory has one: its arrival is how a chart directory uploaded file by file shows. */
export const CHART_YAML = 'Chart.yaml';

/**
 * The keys intake hands to the pipeline: `<prefix>*<suffix>`, `*` matching anything, '/' included.
 * The EventBridge rule in AWS (infra/intake/chart-intake.ts) and the local runtime's bridge both
 * forward exactly these, so the other files of a directory upload (templates, values.yaml, hundreds
 * of them) never become runs; its Chart.yaml does, as one CHART_NOT_PACKAGED outcome.
 */
export const FORWARDED_KEY_SUFFIXES = [
  ...CHART_ARCHIVE_SUFFIXES,
  ...PROVENANCE_SUFFIXES,
  CHART_YAML,
] as const;

/** EventBridge wildcard semantics of `<prefix>*<suffix>` (case-sensitive, whole key). */
export const isForwardedKey = (key: string, prefix: string): boolean =>
  FORWARDED_KEY_SUFFIXES.some(
    (suffix) => key.length >= prefix.length + suffix.length && key.startsWith(prefix) && key.endsWith(suffix),
  );

/**
 * `helm dependency build` vendors a chart's dependencies into its `charts/` folder, so uploading a
 * chart directory recursively (`aws s3 cp <dir> s3://…/incoming/<name>/ --recursive`) puts them
 * under the prefix too. The rule, by key shape alone (no S3 look-up, so it holds in whatever order
 * the files arrive: the AWS CLI uploads ten at a time): an archive whose folder is named `charts`,
 * or a Chart.yaml whose folder's folder is (an unpacked vendored subchart), is part of a vendored
 * dependency and never promoted on its own. Folders are counted below the prefix.
 */
const vendoredDependencyOf = (
  folders: readonly string[],
  name: string,
): { readonly dependency: string; readonly chartDir: string } | undefined => {
  const charts = name === CHART_YAML ? folders.length - 2 : folders.length - 1;
  if (charts < 0 || folders[charts] !== 'charts') return undefined;
  const dependency = name === CHART_YAML ? (folders[charts + 1] ?? name) : name;
  return { dependency, chartDir: folders.slice(0, charts).join('/') };
};

const ignored = (reason: NotAChartReason, message: string): ChartUploadCheck => ({
  chart: false,
  status: 'ignored',
  reason,
  message,
});

/**
 * Whether a (decoded) key is a chart upload this pipeline should handle: under `prefix` (empty =
 * the whole bucket), named like a packaged chart, and not a vendored dependency. The EventBridge rule
 * filters on the prefix too; checking again here keeps a broader rule, or the local runtime, from
 * feeding us other objects. A chart directory's Chart.yaml is refused as CHART_NOT_PACKAGED, with
 * what to do instead.
 */
export const isChartUpload = (key: string, prefix: string): ChartUploadCheck => {
  if (!key.startsWith(prefix)) return ignored('OUTSIDE_PREFIX', `key is not under "${prefix}"`);
  if (key.endsWith('/')) return ignored('FOLDER_MARKER', 'key is a folder marker');
  const folders = key.slice(prefix.length).split('/');
  const name = folders.pop() ?? '';
  const lower = name.toLowerCase();
  const archive = CHART_ARCHIVE_SUFFIXES.some((suffix) => lower.endsWith(suffix));
  const vendored = archive || name === CHART_YAML ? vendoredDependencyOf(folders, name) : undefined;
  if (vendored !== undefined) {
    const chartDir = `${prefix}${vendored.chartDir === '' ? '' : `${vendored.chartDir}/`}`;
    return ignored(
      'VENDORED_DEPENDENCY',
      `part of the vendored dependency ${vendored.dependency} in ${chartDir}charts/: a dependency ` +
        'is deployed with the chart that vendors it, never promoted on its own',
    );
  }
  if (name === CHART_YAML) {
    const dir = key.slice(0, key.length - name.length) || '/';
    return {
      chart: false,
      status: 'refused',
      reason: 'CHART_NOT_PACKAGED',
      message:
        `${dir} holds a chart directory uploaded file by file (e.g. aws s3 cp --recursive): only packaged ` +
        'charts are promoted. Package it with "helm package <chart dir>" (after "helm dependency build" ' +
        'when it has dependencies) and upload the .tgz, or run "chart-promoter push <chart dir>", which does both',
    };
  }
  if (!archive) return ignored('NOT_A_CHART_ARCHIVE', 'key does not end in .tgz or .tar.gz');
  return { chart: true };
};
