import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSRecord } from 'aws-lambda';
import { S3ObjectStore } from '../adapters/s3-object-store';
import { DEFAULT_INTAKE_LIMITS } from '../chart/chart';
import { handleSqsBatch } from '../pipeline/handle-sqs-batch';
import type { PipelineDependencies } from '../pipeline/pipeline-dependencies';
import type { PipelineSettings } from '../pipeline/pipeline-settings';
import type { UploadOutcome } from '../pipeline/upload-outcome';
import type { ChartRenderer } from '../ports/chart-renderer';
import { systemClock } from '../ports/clock';
import { ensureClusterRepository } from './cluster-repository';
import { LocalQueue, type LocalQueueOptions } from './local-queue';
import { redirectLoggerOutput } from './powertools-output';
import { RecordedMetrics } from './recorded-metrics';
import { appendRuns } from './run-log';
import { type S3Endpoint, startS3Endpoint } from './s3-endpoint';
import { bridgeS3Events } from './s3-event-bridge';

/**
 * The embedded local default: the very pipeline that runs in Lambda (handleSqsBatch), fed by a local
 * S3 endpoint (s3rver) through the same event shapes, committing to a bare git repository in the
 * work dir with the plain-git adapter. No AWS account, no Docker, nothing beyond 127.0.0.1.
 */
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
  /** Queue timing (tests shorten it). */
  readonly queue?: Partial<Omit<LocalQueueOptions, 'handle' | 'onDeadLetter'>>;
}

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
  /** Resolves when every upload seen so far has an outcome (or is dead-lettered). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export const startLocalRuntime = async (options: LocalRuntimeOptions): Promise<LocalRuntime> => {
  const workdir = resolve(options.workdir);
  const bucket = options.bucket ?? 'charts';
  const prefix = options.prefix ?? 'incoming/';
  const environment = options.environment ?? 'dev';
  const branch = options.branch ?? 'main';
  const paths = {
    clusterRepo: join(workdir, 'cluster.git'),
    runLog: join(workdir, 'runs.jsonl'),
    logFile: join(workdir, 'logs', 'promote.jsonl'),
    deadLetters: join(workdir, 'dead-letters.jsonl'),
  };
  const s3Dir = join(workdir, 's3');
  await mkdir(s3Dir, { recursive: true });
  await mkdir(join(workdir, 'logs'), { recursive: true });

  const host = await ensureClusterRepository(paths.clusterRepo, branch);
  const s3 = await startS3Endpoint({ directory: s3Dir, bucket, port: options.port ?? 0 });
  const logStream = createWriteStream(paths.logFile, { flags: 'a' });
  const logger = redirectLoggerOutput(
    new Logger({ serviceName: 'chart-promoter', logLevel: 'INFO' }),
    logStream,
  );
  const metrics = new RecordedMetrics();
  const deps: PipelineDependencies = {
    store: new S3ObjectStore({ client: s3.client }),
    host,
    ...(options.renderer ? { renderer: options.renderer } : {}),
    clock: systemClock,
    logger,
    metrics,
    newRunId: randomUUID,
    gitHostRequests: () => host.stats().requests,
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
  const unsubscribe = bridgeS3Events(s3, (record) => queue.send(record));

  return {
    s3,
    bucket,
    prefix,
    environment,
    branch,
    ...paths,
    metrics,
    idle: () => queue.idle(),
    close: async () => {
      unsubscribe();
      // The bridge hands events over on the next turn (setImmediate): let those already announced
      // reach the queue, so idle() waits for them too rather than running them after close.
      await new Promise((next) => setImmediate(next));
      await queue.idle();
      await s3.close();
      await new Promise<void>((done) => logStream.end(done));
    },
  };
};
