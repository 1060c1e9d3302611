import type { Logger } from '@aws-lambda-powertools/logger';
import type { IssueNotifier, PromotionNotice } from '../../ports/issue-notifier';
import type { MoveOutcome } from './run-environment-move';

type WithoutPolicy<T> = T extends unknown ? Omit<T, 'policy'> : never;
type Moved = Extract<MoveOutcome, { readonly status: 'committed' | 'pull-request' | 'branch-pushed' }>;

/** A move that changed a branch: the only kind the issue tracker hears of. */
export type MovedOutcome = WithoutPolicy<Moved>;

const hasMoved = (outcome: { readonly status: string }): outcome is MovedOutcome =>
  outcome.status === 'committed' || outcome.status === 'pull-request' || outcome.status === 'branch-pushed';

export interface MoveNotification {
  readonly notifier: IssueNotifier | undefined;
  readonly logger: Logger;
  readonly runId: string;
  /**
   * The keys to tell, instead of the outcome's own (which are the keys of the version moved in). A
   * rollback passes the keys of the version it took out: those issues are the ones that care.
   */
  readonly issues?: readonly string[];
  /** Set for a rollback: the version taken out of the environment. */
  readonly rolledBackFrom?: string;
}

/**
 * Tells the issue tracker that a version reached an environment (or was proposed for it, by pull
 * request or pushed branch), or was rolled back there. Called after every environment move, from the
 * promotion commands and from the feedback endpoint; anything but a move that changed a branch, or a
 * move without issue keys, tells nothing. A notifier failure is logged, never turned into a failed
 * move: the commit is the truth, the comment a courtesy.
 */
export const notifyMoveIssues = async (
  outcome: { readonly status: string },
  context: MoveNotification,
): Promise<void> => {
  const { notifier, logger, runId } = context;
  if (!notifier || !hasMoved(outcome)) return;
  const keys = context.issues ?? outcome.issues ?? [];
  if (keys.length === 0) return;
  const notice: PromotionNotice = {
    chart: outcome.chart,
    version: outcome.toVersion,
    environment: outcome.environment,
    commit: outcome.commit.sha,
    ...(outcome.status === 'pull-request' ? { url: outcome.url, proposed: true } : {}),
    ...(outcome.status === 'branch-pushed' ? { proposed: true } : {}),
    ...(context.rolledBackFrom === undefined ? {} : { rolledBackFrom: context.rolledBackFrom }),
  };
  await tellIssueTracker(notifier, logger, runId, keys, notice);
};

/**
 * One notice to the issue tracker. A notifier failure is logged, never turned into a failed promotion
 * or move: the commit is the truth, the comment a courtesy. Shared by uploads and environment moves.
 */
export const tellIssueTracker = async (
  notifier: IssueNotifier,
  logger: Logger,
  runId: string,
  keys: readonly string[],
  notice: PromotionNotice,
): Promise<void> => {
  try {
    await notifier.promoted(keys, notice);
  } catch (error) {
    logger.warn('could not notify the issue tracker', {
      runId,
      issues: keys,
      ...notice,
      error: error as Error,
    });
  }
};
