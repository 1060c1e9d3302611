import { tellIssueTracker } from '../promotion/moves/notify-move-issues';
import type { AdmittedUpload } from './commit-batch';
import type { PipelineDependencies } from './pipeline-context';
import type { UploadOutcome } from './upload-outcome';

/**
 * Tells the issue tracker about each promoted upload that carries issue keys (SQS redelivery does not
 * re-send it: the upload is `unchanged` the second time).
 */
export const notifyIssues = async (
  deps: PipelineDependencies,
  uploads: readonly AdmittedUpload[],
  outcomes: readonly Omit<UploadOutcome, 'durationMs'>[],
): Promise<void> => {
  const notifier = deps.issueNotifier;
  if (!notifier) return;
  await Promise.all(
    uploads.map(async (upload, i) => {
      const outcome = outcomes[i];
      const keys = upload.issues ?? [];
      if (outcome?.status !== 'promoted' || outcome.commit === undefined || keys.length === 0) return;
      const notice = {
        chart: upload.chart.name,
        version: upload.chart.version,
        environment: outcome.environment ?? '',
        commit: outcome.commit,
      };
      await tellIssueTracker(notifier, deps.logger, upload.runId, keys, notice);
    }),
  );
};
