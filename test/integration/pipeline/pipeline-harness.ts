import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Logger } from '@aws-lambda-powertools/logger';
import { GetObjectTaggingCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { SQSRecord } from 'aws-lambda';
import { S3ObjectStore } from '../../../functions/adapters/s3-object-store';
import { DEFAULT_INTAKE_LIMITS } from '../../../functions/chart/chart';
import { encodeS3EventKey } from '../../../functions/events';
import { ensureClusterRepository } from '../../../functions/local/cluster-repository';
import { redirectLoggerOutput } from '../../../functions/local/powertools-output';
import { RecordedMetrics } from '../../../functions/local/recorded-metrics';
import { type S3Endpoint, startS3Endpoint } from '../../../functions/local/s3-endpoint';
import { type BatchResult, handleSqsBatch } from '../../../functions/pipeline/handle-sqs-batch';
import type { PipelineDependencies } from '../../../functions/pipeline/pipeline-dependencies';
import type { PipelineSettings } from '../../../functions/pipeline/pipeline-settings';
import { systemClock } from '../../../functions/ports/clock';
import eventBridgeFixture from '../../fixtures/sqs/eventbridge-object-created.json';
import s3NotificationFixture from '../../fixtures/sqs/s3-notification-object-created.json';
import { runGit } from '../../support/bare-repo';

/**
 * The promote pipeline wired as in Lambda, but on 127.0.0.1: s3rver for the bucket, a bare git
 * repository (plain-git adapter) for the cluster repository, the real Powertools Logger writing its
 * JSON lines into memory, and recorded metrics. SQS records are built from the JSON fixtures.
 */

export const BUCKET = 'charts';
export const PREFIX = 'incoming/';
export const ENVIRONMENT = 'dev';
export const BRANCH = 'main';

export interface UploadedChart {
  /** The raw (decoded) key, as stored. */
  readonly key: string;
  readonly size: number;
  /** Bare (unquoted) ETag, as S3 events carry it. */
  readonly etag: string;
}

export interface World {
  readonly dir: string;
  readonly s3: S3Endpoint;
  upload(key: string, bytes: Uint8Array): Promise<UploadedChart>;
  tags(key: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/** One s3rver for a test file (keys differ per test). */
export const startWorld = async (): Promise<World> => {
  const dir = await mkdtemp(path.join(tmpdir(), 'pipeline-it-'));
  const s3 = await startS3Endpoint({ directory: path.join(dir, 's3'), bucket: BUCKET });
  return {
    dir,
    s3,
    async upload(key, bytes) {
      const put = await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: bytes }));
      return { key, size: bytes.byteLength, etag: (put.ETag ?? '').replace(/"/g, '') };
    },
    async tags(key) {
      const { TagSet } = await s3.client.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: key }));
      return Object.fromEntries((TagSet ?? []).map((tag) => [tag.Key!, tag.Value!]));
    },
    async close() {
      await s3.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
};

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

const withBody = (template: SQSRecord, text: string, messageId: string): SQSRecord => ({
  ...template,
  messageId,
  body: text,
  md5OfBody: md5(text),
});

/** An SQS record whose body is an S3 event notification 2.1 for `object` (key encoded as S3 does). */
export const s3NotificationRecord = (object: UploadedChart, messageId: string = randomUUID()): SQSRecord => {
  const template = s3NotificationFixture.Records[0] as SQSRecord;
  const body = JSON.parse(template.body);
  const [record] = body.Records;
  record.s3.bucket = { ...record.s3.bucket, name: BUCKET, arn: `arn:aws:s3:::${BUCKET}` };
  record.s3.object = {
    ...record.s3.object,
    key: encodeS3EventKey(object.key),
    size: object.size,
    eTag: object.etag,
  };
  return withBody(template, JSON.stringify(body), messageId);
};

/** An SQS record whose body is the EventBridge "Object Created" event for `object`. */
export const eventBridgeRecord = (object: UploadedChart, messageId: string = randomUUID()): SQSRecord => {
  const template = eventBridgeFixture.Records[0] as SQSRecord;
  const body = JSON.parse(template.body);
  body.resources = [`arn:aws:s3:::${BUCKET}`];
  body.detail.bucket = { name: BUCKET };
  body.detail.object = {
    ...body.detail.object,
    key: encodeS3EventKey(object.key),
    size: object.size,
    etag: object.etag,
  };
  return withBody(template, JSON.stringify(body), messageId);
};

/** A record whose body is `body` as is (unreadable bodies). */
export const rawRecord = (body: string, messageId: string = randomUUID()): SQSRecord =>
  withBody(s3NotificationFixture.Records[0] as SQSRecord, body, messageId);

export interface Pipeline {
  readonly repo: string;
  readonly deps: PipelineDependencies;
  readonly settings: PipelineSettings;
  readonly metrics: RecordedMetrics;
  /** Every line the Logger wrote, as written. */
  readonly lines: string[];
  run(...records: SQSRecord[]): Promise<BatchResult>;
  /** Commits on the branch (the seed commit included). */
  commitCount(): Promise<number>;
  head(): Promise<string>;
  git(...args: string[]): Promise<string>;
}

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

/** A fresh cluster repository and fresh logs/metrics; `overrides` swap adapters (fault injection). */
export const newPipeline = async (
  world: World,
  overrides: (deps: PipelineDependencies) => Partial<PipelineDependencies> = () => ({}),
): Promise<Pipeline> => {
  const repo = path.join(world.dir, `cluster-${randomUUID()}.git`);
  const host = await ensureClusterRepository(repo, BRANCH);
  const { logger, lines } = collectingLogger();
  const metrics = new RecordedMetrics();
  const base: PipelineDependencies = {
    store: new S3ObjectStore({ client: world.s3.client }),
    host,
    clock: systemClock,
    logger,
    metrics,
    newRunId: randomUUID,
  };
  const deps = { ...base, ...overrides(base) };
  const settings: PipelineSettings = {
    branch: BRANCH,
    bucketPrefix: PREFIX,
    targetEnvironment: ENVIRONMENT,
    limits: DEFAULT_INTAKE_LIMITS,
    plan: {},
  };
  const git = (...args: string[]) => runGit(repo, ['--git-dir', repo, ...args]);
  return {
    repo,
    deps,
    settings,
    metrics,
    lines,
    run: (...records) => handleSqsBatch({ Records: records }, deps, settings),
    commitCount: async () => Number(await git('rev-list', '--count', BRANCH)),
    head: () => git('rev-parse', BRANCH),
    git,
  };
};

/** The JSON objects the Logger wrote (throws on a line that is not JSON: that is a failure). */
export const logObjects = (lines: readonly string[]): Record<string, unknown>[] =>
  lines.map((line) => JSON.parse(line) as Record<string, unknown>);
