import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { DEFAULT_INTAKE_LIMITS } from '../chart/chart';
import { PromoterError } from '../errors';
import type { PipelineDependencies } from '../pipeline/pipeline-context';
import { type CommandOutcome, runPromotionCommand } from '../pipeline/run-promotion-command';
import { systemClock } from '../ports/clock';
import type { ObjectStore } from '../ports/object-store';
import type { PromotionCommand } from '../ports/promotion-command';
import { localClusterHost } from './cluster-repository';
import { redirectLoggerOutput } from './powertools-output';
import { commandRecord } from './promotion-record';
import { RecordedMetrics } from './recorded-metrics';
import { appendPromotions } from './run-log';

/**
 * A manual move (`chart-promoter promote|rollback` without `--function`) against the embedded
 * runtime's cluster repository in a work dir: the same runPromotionCommand the promote Lambda runs for
 * an Invoke, the same policy, checks and commit format. Needs no running `local` (the bare repository
 * is enough; git's ref lock keeps a running one safe), logs to the work dir's pipeline log and appends
 * the outcome to its run log.
 */
export interface LocalPromotionOptions {
  readonly workdir: string;
  /** @default 'main' */
  readonly branch?: string;
  /** The environment of a repository without .chart-promoter.yaml. @default 'dev' */
  readonly environment?: string;
}

const noUploads: ObjectStore = {
  get: () => Promise.reject(new Error('a promotion command reads no uploads')),
  tag: () => Promise.reject(new Error('a promotion command tags no uploads')),
};

/** Throws CLUSTER_REPOSITORY_MISSING (terminal) when the work dir has no cluster repository yet. */
export const runLocalPromotion = async (
  command: PromotionCommand,
  options: LocalPromotionOptions,
): Promise<CommandOutcome> => {
  const workdir = resolve(options.workdir);
  const clusterRepo = join(workdir, 'cluster.git');
  if (!fs.existsSync(join(clusterRepo, 'HEAD'))) {
    throw new PromoterError(
      'CLUSTER_REPOSITORY_MISSING',
      'terminal',
      `no cluster repository in ${workdir}: start one with \`chart-promoter local --workdir ${workdir}\` or \`chart-promoter demo --workdir ${workdir}\``,
    );
  }
  await mkdir(join(workdir, 'logs'), { recursive: true });
  const logStream = createWriteStream(join(workdir, 'logs', 'promote.jsonl'), { flags: 'a' });
  const logger = redirectLoggerOutput(
    new Logger({ serviceName: 'chart-promoter', logLevel: 'INFO' }),
    logStream,
  );
  const deps: PipelineDependencies = {
    store: noUploads,
    host: (await localClusterHost(clusterRepo)).host,
    clock: systemClock,
    logger,
    metrics: new RecordedMetrics(),
    newRunId: randomUUID,
  };
  try {
    const outcome = await runPromotionCommand(command, deps, {
      branch: options.branch ?? 'main',
      bucketPrefix: 'incoming/',
      targetEnvironment: options.environment ?? 'dev',
      limits: DEFAULT_INTAKE_LIMITS,
      plan: {},
    });
    await appendPromotions(join(workdir, 'runs.jsonl'), [
      commandRecord(outcome, 'manual', systemClock.now()),
    ]);
    return outcome;
  } finally {
    await new Promise<void>((done) => logStream.end(done));
  }
};
