/** Where a promotion happened, for the issue tracker. */
export interface PromotionNotice {
  readonly chart: string;
  readonly version: string;
  readonly environment: string;
  /** Commit that carries the promotion (or the pull request's head commit). */
  readonly commit: string;
  /** A link for humans: the pull request, or the commit on the Git host, when known. */
  readonly url?: string;
  /** True when the change waits in a pull request for approval (not deployed yet). */
  readonly proposed?: boolean;
  /**
   * Set on a rollback: the version taken out of the environment (`version` is the one restored).
   * The keys notified are then this version's.
   */
  readonly rolledBackFrom?: string;
}

/**
 * Tells an issue tracker (Jira) that a chart carrying its issue keys reached an environment. Optional:
 * the pipeline works without one; failures are logged by the caller, never fail the promotion.
 */
export interface IssueNotifier {
  promoted(keys: readonly string[], notice: PromotionNotice): Promise<void>;
}
