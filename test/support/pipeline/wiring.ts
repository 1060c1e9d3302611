import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Logger } from '@aws-lambda-powertools/logger';
import type { S3Client } from '@aws-sdk/client-s3';
import { S3ObjectStore } from '../../../functions/adapters/s3-object-store';
import { DEFAULT_INTAKE_LIMITS, type IntakeLimits } from '../../../functions/chart/chart';
import { redirectLoggerOutput } from '../../../functions/local/powertools-output';
import { RecordedMetrics } from '../../../functions/local/recorded-metrics';
import type { PipelineDependencies, PipelineSettings } from '../../../functions/pipeline/pipeline-context';
import { systemClock } from '../../../functions/ports/clock';
import type { GitHost } from '../../../functions/ports/git-host';

/**
 * The promote pipeline's dependencies and settings wired as in Lambda, for tests on 127.0.0.1: the S3
 * adapter over the test's client, the test's GitHost, the real Powertools Logger writing its JSON
 * lines into memory, and recorded metrics. Shared by the integration harness (harness.ts) and the reliability queue rig (queue-rig.ts).
 */

export const BUCKET = 'charts';
export const PREFIX = 'incoming/';
export const ENVIRONMENT = 'dev';
export const BRANCH = 'main';

/** Collects what a Powertools Logger writes, line by line. */
export const collectingLogger = (): { readonly logger: Logger; readonly lines: string[] } => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(
        ...String(chunk)
          .split('\n')
          .filter((line) => line !== ''),
      );
      done();
    },
  });
  const logger = redirectLoggerOutput(
    new Logger({ serviceName: 'chart-promoter', logLevel: 'INFO' }),
    stream,
  );
  return { logger, lines };
};

export interface Wiring {
  readonly deps: PipelineDependencies;
  readonly settings: PipelineSettings;
  readonly metrics: RecordedMetrics;
  /** Every line the Logger wrote, as written. */
  readonly lines: string[];
}

export const wirePipeline = (options: {
  readonly client: S3Client;
  readonly host: GitHost;
  readonly limits?: Partial<IntakeLimits>;
  readonly gitHostRequests?: () => number;
}): Wiring => {
  const { logger, lines } = collectingLogger();
  const metrics = new RecordedMetrics();
  const deps: PipelineDependencies = {
    store: new S3ObjectStore({ client: options.client }),
    host: options.host,
    clock: systemClock,
    logger,
    metrics,
    newRunId: randomUUID,
    ...(options.gitHostRequests ? { gitHostRequests: options.gitHostRequests } : {}),
  };
  const settings: PipelineSettings = {
    branch: BRANCH,
    bucketPrefix: PREFIX,
    targetEnvironment: ENVIRONMENT,
    limits: { ...DEFAULT_INTAKE_LIMITS, ...options.limits },
    plan: {},
  };
  return { deps, settings, metrics, lines };
};
