import type { Logger } from '@aws-lambda-powertools/logger';
import type { Clock } from '../ports/clock';
import type { FluxEventQueue } from '../ports/flux-event-queue';
import type { GitHost } from '../ports/git-host';
import type { IssueNotifier } from '../ports/issue-notifier';
import type { PipelineMetrics } from '../ports/pipeline-metrics';
import type { ReleaseLedgerWriter } from '../ports/release-ledger';
import type { Scheduler } from '../ports/scheduler';
import type { PlanOptions } from '../promotion/promotion';
import type { FreshnessLimits } from './event-freshness';

/**
 * What the feedback worker acts with (handleReleaseEvent), built once per entry point by its
 * composition module (the worker Lambda, the local runtime, tests).
 */
export interface FeedbackDependencies {
  readonly host: GitHost;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: PipelineMetrics;
  /** Promotions after a soak: SQS delay hops in Lambda, in memory locally. */
  readonly scheduler: Scheduler;
  readonly newRunId: () => string;
  /**
   * Tells the issue tracker where a version with issue keys went (a promotion after convergence) or
   * that it was rolled back; absent = no comments. Failures are logged only.
   */
  readonly issueNotifier?: IssueNotifier;
  /** The release ledger: convergence, failures and the moves they cause are recorded; absent = none. */
  readonly ledger?: ReleaseLedgerWriter;
}

export interface FeedbackSettings {
  readonly branch: string;
  /** The environment of the default policy (a repository without .chart-promoter.yaml). */
  readonly fallbackEnvironment: string;
  readonly plan: PlanOptions;
}

/**
 * What the feedback endpoint (the ingress) needs: no Git host, no repository: it verifies and hands
 * the event to the queue, nothing more, so its bundle stays small and its answer fast.
 */
export interface FeedbackIngressDependencies {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: PipelineMetrics;
  /** The generic-hmac key (the Flux Provider secret's `token`), e.g. from Secrets Manager, cached. */
  readonly hmacKey: () => Promise<Uint8Array>;
  /** Where accepted events wait for the worker. */
  readonly queue: FluxEventQueue;
}

export interface FeedbackIngressSettings {
  /** Larger bodies are refused with 413 before any work. @default 64 KiB */
  readonly maxBodyBytes: number;
  readonly freshness: FreshnessLimits;
}

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
