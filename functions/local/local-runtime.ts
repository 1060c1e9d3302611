import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSRecord } from 'aws-lambda';
import type { GitHostWiring } from '../adapters/git-hosts/descriptor';
import { DynamoDbReleaseLedger } from '../adapters/ledger/dynamodb-release-ledger';
import { S3ObjectStore } from '../adapters/s3-object-store';
import { DEFAULT_INTAKE_LIMITS } from '../chart/chart';
import { isForwardedKey } from '../events';
import type { FeedbackResponse } from '../feedback/handle-feedback';
import { handleSqsBatch } from '../pipeline/handle-sqs-batch';
import type { PipelineDependencies, PipelineSettings } from '../pipeline/pipeline-context';
import type { UploadOutcome } from '../pipeline/upload-outcome';
import type { ChartRenderer } from '../ports/chart-renderer';
import { systemClock } from '../ports/clock';
import type { IssueNotifier } from '../ports/issue-notifier';
import type { KeyringSource } from '../ports/keyring-source';
import type { PromotionBoardView, ReleaseLedger } from '../ports/release-ledger';
import { InMemoryScheduler } from '../ports/scheduler';
import { type OverdueRelease, sweepDeadlines } from '../promotion/ledger/sweep-deadlines';
import { startBoardServer } from './board-server';
import { CLUSTER_README, ensureClusterRepository, localClusterHost } from './cluster-repository';
import { DeadlineSweepLoop } from './deadline-sweep-loop';
import { localBoardView } from './local-board';
import { type DeliveredFluxEvent, type LocalFeedbackOptions, startLocalFeedback } from './local-feedback';
import { startLocalLedger } from './local-ledger';
import { LocalQueue, type LocalQueueOptions } from './local-queue';
import { redirectLoggerOutput } from './powertools-output';
import type { PromotionRecord } from './promotion-record';
import { RecordedMetrics } from './recorded-metrics';
import { appendRuns } from './run-log';
import { type S3Endpoint, startS3Endpoint } from './s3-endpoint';
import { bridgeS3Events } from './s3-event-bridge';
import { starterPolicy } from './starter-policy';

/**
 * The embedded local default: the very pipeline that runs in Lambda (handleSqsBatch), fed by a local
 * S3 endpoint (s3rver) through the same event shapes, committing to a bare git repository in the
 * work dir with the plain-git adapter; plus the feedback endpoint Flux would call and the scheduler
 * that promotes after a soak. No AWS account, no Docker, nothing beyond 127.0.0.1.
 */
/**
 * The soak of the seeded policy. 2 s: long enough that the demo shows a promotion being scheduled and
 * then run by the timer (the real mechanism, not a shortcut), short enough that the demo still ends
 * in a few seconds. A real cluster wants minutes to hours (`chart-promoter init` writes 30m).
 */
export const LOCAL_SOAK = '2s';
export interface LocalRuntimeOptions {
  readonly workdir: string;
  /** S3 endpoint port; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** @default 'charts' */
  readonly bucket?: string;
  /** @default 'incoming/' */
  readonly prefix?: string;
  /** @default 'dev' */
  readonly environment?: string;
  /** @default 'main' */
  readonly branch?: string;
  /** helm lint + template; absent = static checks only. */
  readonly renderer?: ChartRenderer;
  /** Called after each batch with its outcomes. */
  readonly onOutcomes?: (outcomes: readonly UploadOutcome[]) => void;
  /** Feedback endpoint port; 0 picks a free one. @default 0 */
  readonly feedbackPort?: number;
  /**
   * `.chart-promoter.yaml` for a NEW cluster repository (an existing one is never changed).
   * @default a commented starter policy: <environment> → staging (soak 2s) → prod (pull request);
   * `null`: none (one environment, direct commits).
   */
  readonly policy?: string | null;
  /** The seeded starter policy requires provenance (ignored when `policy` is given). @default false */
  readonly requireProvenance?: boolean;
  /** Public keys that verify `.prov` files, when the policy requires provenance. */
  readonly keyring?: KeyringSource;
  /** Told when a promotion reaches an environment (e.g. Jira comments). */
  readonly issueNotifier?: IssueNotifier;
  /** How often the scheduler looks for promotions whose soak is over. @default 250 */
  readonly schedulerIntervalMs?: number;
  /** Called with each environment move (promotion, rollback) the runtime makes or schedules. */
  readonly onPromotions?: (records: readonly PromotionRecord[]) => void;
  /** Queue timing (tests shorten it). */
  readonly queue?: Partial<Omit<LocalQueueOptions, 'handle' | 'onDeadLetter'>>;
  /** The feedback queue's timing and a wrapper around its worker (fault tests, benchmarks). */
  readonly feedback?: Pick<LocalFeedbackOptions, 'queue' | 'wrapWorker'>;
  /**
   * What the promotion board at `boardUrl` shows, read on every page load and refresh.
   * @default localBoardView: the runtime's release ledger, the run log's latest runs and the
   * policy's environments
   */
  readonly boardView?: () => Promise<PromotionBoardView>;
  /** Promotion board port on 127.0.0.1; 0 picks a free one. @default 0 */
  readonly boardPort?: number;
  /** How often the board page refreshes itself. @default 5 */
  readonly boardRefreshSeconds?: number;
  /**
   * Commit through this Git host instead of the plain-git repository in the work dir (the demo's
   * Bitbucket or GitLab stand-in): the pipeline and the feedback endpoint use `wiring`; the
   * environments table and the board read `repoDir`, the host's bare repository, with plain git. The
   * host's repository must already hold the seed (`clusterSeed`).
   */
  readonly clusterHost?: { readonly wiring: GitHostWiring; readonly repoDir: string };
  /**
   * How often the runtime's clock looks for committed releases past their convergence deadline
   * (the EventBridge schedule's role in AWS). @default 1000
   */
  readonly deadlineSweepIntervalMs?: number;
}

/**
 * The files of a new cluster repository's first commit: the README and the starter policy (or
 * `options.policy`; `null`: none). The runtime seeds its own repository with them; a `clusterHost`
 * is seeded by whoever starts it.
 */
export const clusterSeed = (
  options: Pick<LocalRuntimeOptions, 'environment' | 'policy' | 'requireProvenance'>,
): Record<string, string> => {
  const environment = options.environment ?? 'dev';
  const policy =
    options.policy === undefined
      ? starterPolicy({
          environments: [environment, ...['staging', 'prod'].filter((name) => name !== environment)],
          soak: LOCAL_SOAK,
          soakNote: 'Short for the local demo; use 30m or more in a real cluster.',
          ...(options.requireProvenance ? { requireProvenance: true } : {}),
        })
      : options.policy;
  return { ...CLUSTER_README, ...(policy === null ? {} : { '.chart-promoter.yaml': policy }) };
};

export interface LocalRuntime {
  readonly s3: S3Endpoint;
  readonly bucket: string;
  readonly prefix: string;
  readonly environment: string;
  readonly branch: string;
  /** Path of the bare cluster repository. */
  readonly clusterRepo: string;
  /** JSON lines: one per upload outcome. */
  readonly runLog: string;
  /** JSON lines: the pipeline's own (Powertools) logs. */
  readonly logFile: string;
  /** JSON lines: messages that failed maxReceives times, with the reason. */
  readonly deadLetters: string;
  readonly metrics: RecordedMetrics;
  /** `http://127.0.0.1:<port>/`: the feedback endpoint (Flux generic-hmac Provider address). */
  readonly feedbackUrl: string;
  /** Its HMAC key, the Provider secret's `token` (kept in `<workdir>/webhook-token`, mode 0600). */
  readonly webhookToken: string;
  /** `http://127.0.0.1:<port>/`: the promotion board (the CloudWatch widget's page), refreshing itself. */
  readonly boardUrl: string;
  /**
   * Posts a Flux event to the feedback endpoint, signed as Flux's generic-hmac provider does: the
   * answer is the endpoint's (202 `accepted` with the event's id once it is on the feedback queue).
   */
  signAndPost(event: unknown): Promise<FeedbackResponse>;
  /** Posts as `signAndPost` does, then waits for what the feedback worker made of the event. */
  signAndDeliver(event: unknown): Promise<DeliveredFluxEvent>;
  /** Resolves when the feedback queue is drained. */
  feedbackIdle(): Promise<void>;
  /** Resolves when every upload seen so far has an outcome (or is dead-lettered). */
  idle(): Promise<void>;
  /** Resolves when no promotion is waiting for its soak or running. */
  promotionsIdle(): Promise<void>;
  /** The release ledger (dynalite on 127.0.0.1, kept in `<workdir>/ledger`). */
  readonly ledger: ReleaseLedger;
  /** Its DynamoDB endpoint and table, also written to `<workdir>/ledger.json` while the runtime runs. */
  readonly ledgerEndpoint: { readonly endpoint: string; readonly tableName: string };
  /** Runs the deadline sweep now (the runtime's clock also runs it every deadlineSweepIntervalMs). */
  sweepDeadlines(): Promise<OverdueRelease[]>;
  close(): Promise<void>;
}

export const startLocalRuntime = async (options: LocalRuntimeOptions): Promise<LocalRuntime> => {
  const workdir = resolve(options.workdir);
  const bucket = options.bucket ?? 'charts';
  const prefix = options.prefix ?? 'incoming/';
  const environment = options.environment ?? 'dev';
  const branch = options.branch ?? 'main';
  const paths = {
    clusterRepo: options.clusterHost?.repoDir ?? join(workdir, 'cluster.git'),
    runLog: join(workdir, 'runs.jsonl'),
    logFile: join(workdir, 'logs', 'promote.jsonl'),
    deadLetters: join(workdir, 'dead-letters.jsonl'),
  };
  const s3Dir = join(workdir, 's3');
  await mkdir(s3Dir, { recursive: true });
  await mkdir(join(workdir, 'logs'), { recursive: true });

  if (options.clusterHost === undefined)
    await ensureClusterRepository(paths.clusterRepo, branch, { seed: clusterSeed(options) });
  const git = options.clusterHost?.wiring ?? (await localClusterHost(paths.clusterRepo));
  const s3 = await startS3Endpoint({ directory: s3Dir, bucket, port: options.port ?? 0 });
  const logStream = createWriteStream(paths.logFile, { flags: 'a' });
  const logger = redirectLoggerOutput(
    new Logger({ serviceName: 'chart-promoter', logLevel: 'INFO' }),
    logStream,
  );
  const metrics = new RecordedMetrics();
  const scheduler = new InMemoryScheduler();
  const localLedger = await startLocalLedger(workdir);
  const ledger = new DynamoDbReleaseLedger(localLedger.db.client, localLedger.db.tableName);
  const deps: PipelineDependencies = {
    store: new S3ObjectStore({ client: s3.client }),
    host: git.host,
    ...(options.renderer ? { renderer: options.renderer } : {}),
    clock: systemClock,
    logger,
    metrics,
    newRunId: randomUUID,
    gitHostRequests: git.requests,
    scheduler,
    ...(options.keyring ? { keyring: options.keyring } : {}),
    ...(options.issueNotifier ? { issueNotifier: options.issueNotifier } : {}),
    ledger,
  };
  const settings: PipelineSettings = {
    branch,
    bucketPrefix: prefix,
    targetEnvironment: environment,
    limits: DEFAULT_INTAKE_LIMITS,
    plan: {},
  };

  const queue = new LocalQueue({
    ...options.queue,
    handle: async (event) => {
      const { response, outcomes } = await handleSqsBatch(event, deps, settings);
      // Retries are not final: only final outcomes go to the run log.
      const final = outcomes.filter((outcome) => outcome.status !== 'retry');
      await appendRuns(paths.runLog, final, systemClock.now());
      options.onOutcomes?.(final);
      return response;
    },
    onDeadLetter: async (record: SQSRecord, reason: string) => {
      logger.error('message dead-lettered after max receives', { messageId: record.messageId, reason });
      await appendFile(
        paths.deadLetters,
        `${JSON.stringify({ at: new Date().toISOString(), reason, record })}\n`,
      );
    },
  });
  // Only the keys the EventBridge rule forwards in AWS: a chart directory uploaded file by file gives
  // one CHART_NOT_PACKAGED run for its Chart.yaml, not one run per file.
  const unsubscribe = bridgeS3Events(s3, (record) => queue.send(record), {
    forward: (key) => isForwardedKey(key, prefix),
  });
  const feedback = await startLocalFeedback({
    workdir,
    deps,
    settings,
    scheduler,
    runLog: paths.runLog,
    dynamoDb: localLedger.db,
    ...(options.feedbackPort === undefined ? {} : { port: options.feedbackPort }),
    ...(options.schedulerIntervalMs === undefined
      ? {}
      : { schedulerIntervalMs: options.schedulerIntervalMs }),
    ...(options.onPromotions ? { onPromotions: options.onPromotions } : {}),
    ...options.feedback,
  });
  const board = await startBoardServer({
    view:
      options.boardView ??
      localBoardView({
        clusterRepo: paths.clusterRepo,
        branch,
        fallbackEnvironment: environment,
        runLog: paths.runLog,
        ledger,
      }),
    ...(options.boardPort === undefined ? {} : { port: options.boardPort }),
    ...(options.boardRefreshSeconds === undefined ? {} : { refreshSeconds: options.boardRefreshSeconds }),
    onError: (error) => logger.error('promotion board: reading the view failed', error as Error),
  });
  const sweep = new DeadlineSweepLoop({
    sweep: () =>
      sweepDeadlines({ ledger, clock: systemClock, metrics, logger, scheduler, newRunId: randomUUID }),
    runLog: paths.runLog,
    clock: systemClock,
    ...(options.deadlineSweepIntervalMs === undefined ? {} : { intervalMs: options.deadlineSweepIntervalMs }),
    onError: (error) => logger.error('deadline sweep failed', error as Error),
  });

  return {
    s3,
    bucket,
    prefix,
    environment,
    branch,
    ...paths,
    metrics,
    feedbackUrl: feedback.url,
    webhookToken: feedback.webhookToken,
    boardUrl: board.url,
    signAndPost: (event) => feedback.signAndPost(event),
    signAndDeliver: (event) => feedback.signAndDeliver(event),
    feedbackIdle: () => feedback.idle(),
    idle: () => queue.idle(),
    promotionsIdle: () => feedback.loop.idle(),
    ledger,
    ledgerEndpoint: { endpoint: localLedger.db.endpoint, tableName: localLedger.db.tableName },
    sweepDeadlines: () => sweep.tick(),
    close: async () => {
      unsubscribe();
      await sweep.stop();
      await board.close();
      await feedback.close();
      // The bridge hands events over on the next turn (setImmediate): let those already announced
      // reach the queue, so idle() waits for them too rather than running them after close.
      await new Promise((next) => setImmediate(next));
      await queue.idle();
      await s3.close();
      await localLedger.close();
      await new Promise<void>((done) => logStream.end(done));
    },
  };
};
