import type { Chart } from '../chart/chart';
import { intakeChart } from '../chart/intake';
import { isPromoterError } from '../errors';
import { isChartUpload, type ObjectCreated } from '../events';
import { uploadIssueKeys } from '../promotion/issues/issue-keys';
import { chartOfProvenanceUpload } from '../provenance/upload-provenance';
import type { PipelineDependencies, PipelineSettings } from './pipeline-context';
import { readFailure, readUpload } from './read-upload';
import type { UploadOutcome } from './upload-outcome';

export type Admission =
  | {
      readonly admitted: true;
      readonly chart: Chart;
      /** Issue keys from the chart's annotation and the object's metadata (issue-keys.ts). */
      readonly issues: readonly string[];
      /** The chart object admitted (differs from the event's when a `.prov` upload triggered it). */
      readonly object: ObjectCreated;
    }
  | { readonly admitted: false; readonly outcome: Omit<UploadOutcome, 'durationMs'> };

/**
 * Reads one uploaded object (size-capped) and runs chart intake on it. Terminal answers become
 * outcomes; a retryable failure (S3 throttled, helm unavailable) becomes a `retry` outcome.
 */
export const admitUpload = async (
  event: ObjectCreated,
  runId: string,
  deps: PipelineDependencies,
  settings: PipelineSettings,
): Promise<Admission> => {
  // A `<chart>.tgz.prov` arriving (after its chart, or before) re-runs its chart: upload order is free.
  const object = chartOfProvenanceUpload(event, settings.bucketPrefix) ?? event;
  const base = { bucket: object.bucket, key: object.key, runId, ...versionOf(object) };
  // A chart upload is a run for the target environment, refused or retried alike: its log lines,
  // tags and metrics name the environment (Logs Insights queries filter on it).
  let run = { ...base, environment: settings.targetEnvironment };
  const upload = isChartUpload(object.key, settings.bucketPrefix);
  if (!upload.chart) {
    const { status, reason: code, message } = upload;
    return { admitted: false, outcome: { ...(status === 'refused' ? run : base), status, code, message } };
  }
  try {
    const { stored, object: read } = await readUpload(deps.store, object, settings.limits.maxArchiveBytes);
    // The key read is the one tagged, named in the outcome and committed as the source.
    run = { ...run, key: read.key };
    const result = await intakeChart(stored.bytes, {
      limits: settings.limits,
      ...(deps.renderer ? { renderer: deps.renderer } : {}),
    });
    if (result.ok) {
      const issues = uploadIssueKeys(result.chart.annotations, stored.metadata);
      if (issues.rejected.length > 0) {
        deps.logger.warn('ignored issue keys that do not match [A-Z][A-Z0-9_]+-[0-9]+', {
          runId,
          s3Key: object.key,
          rejected: issues.rejected,
        });
      }
      return { admitted: true, chart: result.chart, issues: issues.keys, object: read };
    }
    // Every refusal is kept (runs and `push --wait` show them all), the first also as code/message/
    // path; and the chart's name and version whenever its Chart.yaml was read.
    const [first] = result.refusals;
    return {
      admitted: false,
      outcome: {
        ...run,
        ...(result.identity ? { chart: result.identity.name, version: result.identity.version } : {}),
        status: 'refused',
        code: first?.code ?? 'ARCHIVE_CORRUPT',
        message: first?.message ?? 'refused',
        ...(first?.path === undefined ? {} : { path: first.path }),
        ...(result.refusals.length > 1 ? { refusals: result.refusals } : {}),
      },
    };
  } catch (error) {
    if (object !== event && isPromoterError(error) && error.code === 'OBJECT_NOT_FOUND') {
      // The usual order for signed charts: the .prov first, its chart next. Nothing to do yet.
      const message = 'provenance uploaded before its chart: the chart upload will be checked against it';
      return {
        admitted: false,
        outcome: { ...run, key: event.key, status: 'ignored', code: 'CHART_NOT_YET_UPLOADED', message },
      };
    }
    return { admitted: false, outcome: { ...run, ...readFailure(error, 'ARCHIVE_TOO_LARGE') } };
  }
};

const versionOf = (object: ObjectCreated): { versionId?: string } =>
  object.versionId === undefined ? {} : { versionId: object.versionId };
