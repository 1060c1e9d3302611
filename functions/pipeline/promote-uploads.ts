import type { ObjectCreated } from '../events';
import {
  committedObservation,
  ledgerFailureReport,
  recordObservations,
} from '../promotion/ledger/ledger-observations';
import { environmentNamed } from '../promotion/policy/policy';
import { admitUpload } from './admit-upload';
import { type AdmittedUpload, type BatchCommit, commitBatch } from './commit-batch';
import { mapLimit } from './map-limit';
import { notifyIssues } from './notify-issues';
import type { PipelineDependencies, PipelineSettings } from './pipeline-context';
import { recordOutcome } from './record-outcome';
import type { UploadOutcome } from './upload-outcome';

/**
 * The same object can arrive several times (S3 and SQS deliver at least once; users re-upload):
 * deliveries of one object version are processed once per batch and share one outcome.
 */
const uploadIdentity = (object: ObjectCreated): string =>
  JSON.stringify([object.bucket, object.key, object.versionId ?? object.etag ?? '']);

/** helm render checks are CPU-bound; more in flight only queues them. */
const INTAKE_CONCURRENCY = 2;

/**
 * The whole pipeline for one batch of uploads: read and check each distinct object, plan every
 * admitted chart into one change set, commit once, then tag, log and measure each outcome.
 * Returns one outcome per input object (duplicates share the outcome of their first delivery).
 */
export const promoteUploads = async (
  objects: readonly ObjectCreated[],
  deps: PipelineDependencies,
  settings: PipelineSettings,
): Promise<UploadOutcome[]> => {
  const started = deps.clock.now().getTime();
  const distinct = new Map<string, ObjectCreated>();
  for (const object of objects) {
    const identity = uploadIdentity(object);
    if (!distinct.has(identity)) distinct.set(identity, object);
  }
  const uploads = [...distinct.values()];
  const runIds = uploads.map(() => deps.newRunId());

  const admissions = await mapLimit(uploads, INTAKE_CONCURRENCY, (object, i) =>
    admitUpload(object, runIds[i]!, deps, settings),
  );
  const admitted: AdmittedUpload[] = [];
  admissions.forEach((admission, i) => {
    if (admission.admitted) {
      admitted.push({
        object: admission.object,
        chart: admission.chart,
        runId: runIds[i]!,
        issues: admission.issues,
      });
    }
  });
  const batch = await commitBatch(admitted, deps, settings);
  if (batch.run) deps.metrics.count('CommitConflictsRetried', batch.run.conflicts);
  if (batch.gitHostRequests !== undefined) {
    deps.metrics.count('GitHostRequests', batch.gitHostRequests);
  }

  const durationMs = deps.clock.now().getTime() - started;
  let nextCommitted = 0;
  const settled = admissions.map((admission): UploadOutcome => {
    const partial = admission.admitted ? batch.outcomes[nextCommitted++]! : admission.outcome;
    return { ...partial, durationMs };
  });
  await recordCommitted(deps, batch);
  await Promise.all(settled.map((outcome) => recordOutcome(deps, outcome)));
  await notifyIssues(deps, admitted, batch.outcomes);
  const byUpload = new Map(uploads.map((upload, i) => [uploadIdentity(upload), settled[i]!]));
  return objects.map((object) => byUpload.get(uploadIdentity(object))!);
};

/** Each upload the batch's commit put in the first environment: `committed` in the release ledger. */
const recordCommitted = async (deps: PipelineDependencies, batch: BatchCommit): Promise<void> => {
  const environment = batch.run && environmentNamed(batch.run.policy, batch.run.environment);
  if (deps.ledger === undefined || environment === undefined || batch.run?.commit === undefined) return;
  const at = deps.clock.now();
  const commit = batch.run.commit.sha;
  const observations = batch.outcomes
    .filter((outcome) => outcome.status === 'promoted')
    .map((outcome) =>
      committedObservation(
        environment,
        { chart: outcome.chart!, version: outcome.version!, runId: outcome.runId!, commit },
        at,
      ),
    );
  await recordObservations(deps.ledger, observations, ledgerFailureReport(deps));
};
