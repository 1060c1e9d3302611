import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectTaggingCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll } from 'vitest';
import { encodeS3EventKey } from '../../../functions/events';
import { ensureClusterRepository } from '../../../functions/local/cluster-repository';
import type { RecordedMetrics } from '../../../functions/local/recorded-metrics';
import { type S3Endpoint, startS3Endpoint } from '../../../functions/local/s3-endpoint';
import { type BatchResult, handleSqsBatch } from '../../../functions/pipeline/handle-sqs-batch';
import type { PipelineDependencies, PipelineSettings } from '../../../functions/pipeline/pipeline-context';
import eventBridgeFixture from '../../fixtures/sqs/eventbridge-object-created.json';
import s3NotificationFixture from '../../fixtures/sqs/s3-notification-object-created.json';
import { runGit } from '../bare-repo';
import { BRANCH, BUCKET, wirePipeline } from './wiring';

/**
 * The promote pipeline wired as in Lambda, but on 127.0.0.1: s3rver for the bucket, a bare git
 * repository (plain-git adapter) for the cluster repository, the real Powertools Logger writing its
 * JSON lines into memory, and recorded metrics. SQS records are built from the JSON fixtures.
 */

export { BRANCH, BUCKET, collectingLogger, ENVIRONMENT, PREFIX } from './wiring';

/** The chart archives in test/fixtures/charts . */
export const FIXTURE_CHARTS = path.resolve(import.meta.dirname, '../../..', 'test/fixtures/charts');

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

/**
 * One World for the enclosing describe block: started in its beforeAll, closed in its afterAll. The
 * returned World forwards to the started one, so tests use it as a plain value.
 */
export const useWorld = (): World => {
  let started: World | undefined;
  beforeAll(async () => {
    started = await startWorld();
  });
  afterAll(async () => {
    await started?.close();
  });
  const current = (): World => {
    if (!started) throw new Error('the World starts in beforeAll; use it inside tests or hooks');
    return started;
  };
  return {
    get dir() {
      return current().dir;
    },
    get s3() {
      return current().s3;
    },
    upload: (key, bytes) => current().upload(key, bytes),
    tags: (key) => current().tags(key),
    close: () => current().close(),
  };
};

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

const withBody = (template: SQSRecord, text: string, messageId: string): SQSRecord => ({
  ...template,
  messageId,
  body: text,
  md5OfBody: md5(text),
});

/**
 * How the record spells the key: URL-encoded as AWS documents it for S3 notifications (the default),
 * or as stored, which is what EventBridge may send (its docs say nothing; s3-key-encoding.ts).
 */
export interface RecordOptions {
  readonly keyAsStored?: boolean;
}

const eventKey = (object: UploadedChart, options: RecordOptions): string =>
  options.keyAsStored ? object.key : encodeS3EventKey(object.key);

/** An SQS record whose body is an S3 event notification 2.1 for `object` (key encoded as S3 does). */
export const s3NotificationRecord = (
  object: UploadedChart,
  messageId: string = randomUUID(),
  options: RecordOptions = {},
): SQSRecord => {
  const template = s3NotificationFixture.Records[0] as SQSRecord;
  const body = JSON.parse(template.body);
  const [record] = body.Records;
  record.s3.bucket = { ...record.s3.bucket, name: BUCKET, arn: `arn:aws:s3:::${BUCKET}` };
  record.s3.object = {
    ...record.s3.object,
    key: eventKey(object, options),
    size: object.size,
    eTag: object.etag,
  };
  return withBody(template, JSON.stringify(body), messageId);
};

/** An SQS record whose body is the EventBridge "Object Created" event for `object`. */
export const eventBridgeRecord = (
  object: UploadedChart,
  messageId: string = randomUUID(),
  options: RecordOptions = {},
): SQSRecord => {
  const template = eventBridgeFixture.Records[0] as SQSRecord;
  const body = JSON.parse(template.body);
  body.resources = [`arn:aws:s3:::${BUCKET}`];
  body.detail.bucket = { name: BUCKET };
  body.detail.object = {
    ...body.detail.object,
    key: eventKey(object, options),
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

/** A fresh cluster repository and fresh logs/metrics; `overrides` swap adapters (fault injection). */
export const newPipeline = async (
  world: World,
  overrides: (
    deps: PipelineDependencies,
  ) => Partial<PipelineDependencies> | Promise<Partial<PipelineDependencies>> = () => ({}),
): Promise<Pipeline> => {
  const repo = path.join(world.dir, `cluster-${randomUUID()}.git`);
  const host = await ensureClusterRepository(repo, BRANCH);
  const wiring = wirePipeline({ client: world.s3.client, host });
  const deps = { ...wiring.deps, ...(await overrides(wiring.deps)) };
  const { settings, metrics, lines } = wiring;
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
