import { isPromoterError } from '../errors';
import { DEFAULT_CONFIG_PREFIX, type ObjectCreated, parseConfigKey } from '../events';
import { runValuesChange } from '../promotion/values/run-values-change';
import type { ValuesChangeOutcome } from '../promotion/values/values-change';
import { MAX_VALUES_BYTES, parseValuesDocument } from '../promotion/values/values-document';
import type { PipelineDependencies, PipelineSettings } from './pipeline-context';
import { readFailure, readUpload } from './read-upload';
import type { UploadOutcome } from './upload-outcome';

type Partial = Omit<UploadOutcome, 'durationMs'>;

/** A values change's outcome as an upload's: tagged, logged, measured and listed like a chart's. */
export const valuesUploadOutcome = (base: Partial, outcome: ValuesChangeOutcome): Partial => {
  const run = { ...base, change: 'values' as const, chart: outcome.chart, environment: outcome.environment };
  switch (outcome.status) {
    case 'committed':
      return { ...run, status: 'promoted', version: outcome.chartVersion, commit: outcome.commit.sha };
    case 'pull-request':
      return {
        ...run,
        status: 'proposed',
        version: outcome.chartVersion,
        commit: outcome.commit.sha,
        branch: outcome.branch,
        url: outcome.url,
      };
    case 'branch-pushed':
      return {
        ...run,
        status: 'proposed',
        version: outcome.chartVersion,
        commit: outcome.commit.sha,
        branch: outcome.branch,
      };
    case 'unchanged':
      return { ...run, status: 'unchanged', version: outcome.chartVersion, message: outcome.reason };
    case 'refused':
      return {
        ...run,
        status: 'refused',
        code: outcome.code,
        message: outcome.message,
        ...(outcome.path === undefined ? {} : { path: outcome.path }),
      };
  }
};

/**
 * One configuration upload (`<config prefix><env>/<chart>.values.yaml`): read it (512 KiB at most),
 * parse it as Helm reads values files, and run it as a values change through the commit loop (checked
 * against the chart version the environment runs). Never throws: refusals and retries are outcomes,
 * as for chart uploads.
 */
export const changeValues = async (
  event: ObjectCreated,
  runId: string,
  deps: PipelineDependencies,
  settings: PipelineSettings,
): Promise<Partial> => {
  const prefix = settings.configPrefix ?? DEFAULT_CONFIG_PREFIX;
  let base: Partial = {
    status: 'retry',
    bucket: event.bucket,
    key: event.key,
    ...(event.versionId === undefined ? {} : { versionId: event.versionId }),
    runId,
    change: 'values',
  };
  const target = parseConfigKey(event.key, prefix);
  if (!target.ok) return { ...base, status: 'refused', code: target.code, message: target.message };
  base = { ...base, chart: target.chart, environment: target.environment };
  let read: Awaited<ReturnType<typeof readUpload>>;
  try {
    read = await readUpload(deps.store, event, MAX_VALUES_BYTES);
  } catch (error) {
    return { ...base, ...readFailure(error, 'VALUES_TOO_LARGE') };
  }
  const { stored, object } = read;
  base = { ...base, key: object.key };
  const parsed = parseValuesDocument(stored.bytes);
  if (!parsed.ok) {
    return { ...base, status: 'refused', code: 'VALUES_INVALID', message: `${object.key} ${parsed.reason}` };
  }
  try {
    const outcome = await runValuesChange(
      deps.host,
      settings.branch,
      {
        kind: 'set',
        chart: target.chart,
        environment: target.environment,
        values: parsed.document,
        runId,
        source: {
          bucket: object.bucket,
          key: object.key,
          ...(object.versionId === undefined ? {} : { versionId: object.versionId }),
        },
      },
      {
        ...settings.plan,
        clock: deps.clock,
        fallbackEnvironment: settings.targetEnvironment,
        ...(deps.releaseRenderer ? { renderer: deps.releaseRenderer } : {}),
      },
    );
    return valuesUploadOutcome(base, outcome);
  } catch (error) {
    // As for chart uploads (commit-batch.ts): a Git host (or helm) failure is not the upload's fault:
    // retry, and after the queue's max receives keep it in the dead-letter queue.
    const code = isPromoterError(error) ? error.code : 'GIT_HOST_FAILED';
    const message = error instanceof Error ? error.message : String(error);
    return { ...base, status: 'retry', code, message };
  }
};
