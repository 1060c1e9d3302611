import type { Logger } from '@aws-lambda-powertools/logger';
import type { IntakeLimits } from '../chart/chart';
import type { ChartRenderer } from '../ports/chart-renderer';
import type { Clock } from '../ports/clock';
import type { GitHost } from '../ports/git-host';
import type { IssueNotifier } from '../ports/issue-notifier';
import type { KeyringSource } from '../ports/keyring-source';
import type { ObjectStore } from '../ports/object-store';
import type { PipelineMetrics } from '../ports/pipeline-metrics';
import type { ReleaseLedgerWriter } from '../ports/release-ledger';
import type { Scheduler } from '../ports/scheduler';
import type { PlanOptions } from '../promotion/promotion';

/** Built once per entry point by its composition module (Lambda, local runtime, tests). */
export interface PipelineDependencies {
  readonly store: ObjectStore;
  readonly host: GitHost;
  /** Proves charts render (helm lint + template); absent = static checks only. */
  readonly renderer?: ChartRenderer;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: PipelineMetrics;
  readonly newRunId: () => string;
  /** Monotonic count of requests made to the Git host (for the GitHostRequests metric). */
  readonly gitHostRequests?: () => number;
  /** Runs promotion commands later (soak); needed only for commands with a future `notBefore`. */
  readonly scheduler?: Scheduler;
  /** Public keys allowed to sign charts; needed when the policy says `requireProvenance: true`. */
  readonly keyring?: KeyringSource;
  /** Tells the issue tracker where a chart with issue keys went; failures are logged only. */
  readonly issueNotifier?: IssueNotifier;
  /** The release ledger: every commit is recorded there (what the pipeline saw); absent = none. */
  readonly ledger?: ReleaseLedgerWriter;
}

/** What the pipeline needs to know, parsed once at the edge (Lambda config or the local runtime). */
export interface PipelineSettings {
  readonly branch: string;
  readonly bucketPrefix: string;
  readonly targetEnvironment: string;
  readonly limits: IntakeLimits;
  readonly plan: PlanOptions;
}
