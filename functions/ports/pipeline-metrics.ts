/** The figures a promotion run reports (CloudWatch EMF in Lambda; kept in memory locally). */
export type PipelineMetricName =
  | 'ChartsPromoted'
  | 'ChartsRefused'
  | 'UploadsRetried'
  | 'PromotionDurationMs'
  | 'GitHostRequests'
  | 'CommitConflictsRetried'
  // Progressive promotion (feedback endpoint and promotion commands):
  | 'UploadToReadyMs'
  | 'ReleaseConverged'
  | 'ReleaseFailed'
  | 'RollbacksCommitted'
  | 'FeedbackRejected'
  // Release ledger: a committed version with no healthy event before its deadline; failed writes.
  | 'ReleaseNotConverged'
  | 'LedgerWriteFailed'
  // The feedback queue: accepted by the endpoint, unavailable (503), handled again (duplicate), failed in the worker.
  | 'FeedbackAccepted'
  | 'FeedbackUnavailable'
  | 'FeedbackDuplicate'
  | 'FeedbackWorkFailed';

export interface PipelineMetrics {
  count(name: PipelineMetricName, value: number, dimensions?: Readonly<Record<string, string>>): void;
  milliseconds(name: PipelineMetricName, value: number): void;
}
