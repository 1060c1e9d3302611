import type { Logger } from '@aws-lambda-powertools/logger';
import type { Clock } from '../ports/clock';
import type { GitHost } from '../ports/git-host';
import type { IssueNotifier } from '../ports/issue-notifier';
import type { PipelineMetrics } from '../ports/pipeline-metrics';
import type { Scheduler } from '../ports/scheduler';
import type { PlanOptions } from '../promotion/promotion';
import type { FreshnessLimits } from './event-freshness';
import type { ReplayCache } from './replay-cache';

/** Built once per entry point by its composition module (Lambda, local runtime, tests). */
export interface FeedbackDependencies {
  readonly host: GitHost;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: PipelineMetrics;
  /** Promotions after a soak: SQS delay hops in Lambda, in memory locally. */
  readonly scheduler: Scheduler;
  readonly newRunId: () => string;
  readonly replay: ReplayCache;
  /** The generic-hmac key (the Flux Provider secret's `token`), e.g. from Secrets Manager, cached. */
  readonly hmacKey: () => Promise<Uint8Array>;
  /**
   * Tells the issue tracker where a version with issue keys went (a promotion after convergence) or
   * that it was rolled back; absent = no comments. Failures are logged only.
   */
  readonly issueNotifier?: IssueNotifier;
}

export interface FeedbackSettings {
  readonly branch: string;
  /** The environment of the default policy (a repository without .chart-promoter.yaml). */
  readonly fallbackEnvironment: string;
  readonly plan: PlanOptions;
  /** Larger bodies are refused with 413 before any work. @default 64 KiB */
  readonly maxBodyBytes: number;
  readonly freshness: FreshnessLimits;
}

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
