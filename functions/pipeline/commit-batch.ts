import type { Chart } from '../chart/chart';
import type { ObjectCreated } from '../events';
import type { PromotionOutcome } from '../promotion/promotion';
import { commitUploads, type UploadRequest, type UploadRun } from '../promotion/uploads/commit-uploads';
import { UploadProvenanceVerifier } from '../provenance/upload-provenance';
import type { PipelineDependencies, PipelineSettings } from './pipeline-context';
import type { UploadOutcome } from './upload-outcome';

export interface AdmittedUpload {
  readonly object: ObjectCreated;
  readonly chart: Chart;
  readonly runId: string;
  /** Issue keys carried into the commit's `Refs:` trailers and the HelmRelease. */
  readonly issues?: readonly string[];
}

export interface BatchCommit {
  /** One per admitted upload, in order. */
  readonly outcomes: readonly Omit<UploadOutcome, 'durationMs'>[];
  readonly run?: UploadRun;
  readonly gitHostRequests?: number;
}

// The environment comes from the policy (.chart-promoter.yaml, read with the files it decides about).
const toRequest = (upload: AdmittedUpload): UploadRequest => ({
  chart: upload.chart,
  runId: upload.runId,
  uploadedAt: upload.object.eventTime,
  ...(upload.issues === undefined || upload.issues.length === 0 ? {} : { issues: upload.issues }),
  source: {
    bucket: upload.object.bucket,
    key: upload.object.key,
    ...(upload.object.versionId === undefined ? {} : { versionId: upload.object.versionId }),
  },
});

/** What every outcome of an admitted upload says about it: the object, the run, the chart. */
const uploadFields = (upload: AdmittedUpload, environment: string) => ({
  bucket: upload.object.bucket,
  key: upload.object.key,
  ...(upload.object.versionId === undefined ? {} : { versionId: upload.object.versionId }),
  runId: upload.runId,
  chart: upload.chart.name,
  version: upload.chart.version,
  environment,
});

const fromPromotion = (
  upload: AdmittedUpload,
  outcome: PromotionOutcome,
  commit: string | undefined,
): Omit<UploadOutcome, 'durationMs'> => {
  const base = uploadFields(upload, outcome.request.environment);
  switch (outcome.status) {
    case 'promoted':
      return { ...base, status: 'promoted', ...(commit === undefined ? {} : { commit }) };
    case 'unchanged':
      return { ...base, status: 'unchanged', message: outcome.reason };
    case 'superseded':
      return { ...base, status: 'superseded', message: `superseded by ${outcome.by} in the same batch` };
    case 'refused':
      return {
        ...base,
        status: 'refused',
        code: outcome.code,
        message: outcome.message,
        ...(outcome.path === undefined ? {} : { path: outcome.path }),
      };
  }
};

/**
 * Plans every admitted chart of the batch into ONE change set and commits it once (re-planning on a
 * moved branch), into the first environment of the repository's policy (CHART_NOT_ALLOWED refusals
 * for charts outside its allow-list). A Git host failure of any kind is not the uploads' fault: they
 * all become `retry`, so SQS redelivers them and, after the queue's max receives, keeps them in the dead-letter queue.
 */
export const commitBatch = async (
  uploads: readonly AdmittedUpload[],
  deps: PipelineDependencies,
  settings: PipelineSettings,
): Promise<BatchCommit> => {
  if (uploads.length === 0) return { outcomes: [] };
  const requestsBefore = deps.gitHostRequests?.();
  const requests = uploads.map(toRequest);
  // One verifier per batch: the keyring is read once, and only if the policy requires provenance.
  const verifier = deps.keyring ? new UploadProvenanceVerifier(deps.store, deps.keyring) : undefined;
  try {
    const run = await commitUploads(deps.host, settings.branch, requests, {
      ...settings.plan,
      clock: deps.clock,
      fallbackEnvironment: settings.targetEnvironment,
      ...(verifier ? { verifyProvenance: (upload) => verifier.verify(upload.chart, upload.source) } : {}),
    });
    const outcomes = uploads.map((upload, i) => fromPromotion(upload, run.outcomes[i]!, run.commit?.sha));
    return { outcomes, run, ...requestCount(deps, requestsBefore) };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    const outcomes = uploads.map((upload) => ({
      ...uploadFields(upload, settings.targetEnvironment),
      status: 'retry' as const,
      code: typeof code === 'string' ? code : 'GIT_HOST_FAILED',
      message,
    }));
    return { outcomes, ...requestCount(deps, requestsBefore) };
  }
};

const requestCount = (
  deps: PipelineDependencies,
  before: number | undefined,
): { gitHostRequests?: number } => {
  const after = deps.gitHostRequests?.();
  return before === undefined || after === undefined ? {} : { gitHostRequests: after - before };
};
