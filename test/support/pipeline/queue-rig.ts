import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeleteObjectCommand, GetObjectTaggingCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { LocalQueue } from '../../../functions/local/local-queue';
import {
  type S3Endpoint,
  type S3rverObjectCreated,
  startS3Endpoint,
} from '../../../functions/local/s3-endpoint';
import { type BridgeFormat, toSqsRecord } from '../../../functions/local/s3-event-bridge';
import { type BatchResult, handleSqsBatch } from '../../../functions/pipeline/handle-sqs-batch';
import type { UploadOutcome } from '../../../functions/pipeline/upload-outcome';
import { BUCKET, type Wiring } from './wiring';

/**
 * The promote pipeline wired as in Lambda, on 127.0.0.1: s3rver for the bucket (its real events,
 * bridged to SQS records exactly as the local runtime does), a GitHost of the test's choosing, the
 * real Powertools Logger writing into memory (test/support/pipeline/wiring.ts), and an SQS stand-in
 * (the local runtime's LocalQueue: batching, redelivery of batchItemFailures, dead letters after
 * maxReceives).
 */

export {
  BRANCH,
  BUCKET,
  ENVIRONMENT,
  PREFIX,
  type Wiring,
  wirePipeline,
} from './wiring';

export interface Bucket {
  readonly dir: string;
  readonly s3: S3Endpoint;
  /** Uploads `bytes` and resolves with the SQS record s3rver's own event turned into. */
  upload(key: string, bytes: Uint8Array, format?: BridgeFormat): Promise<SQSRecord>;
  remove(key: string): Promise<void>;
  tags(key: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export const startBucket = async (): Promise<Bucket> => {
  const dir = await mkdtemp(path.join(tmpdir(), 'reliability-'));
  const s3 = await startS3Endpoint({ directory: path.join(dir, 's3'), bucket: BUCKET });
  const waiting = new Map<string, (event: S3rverObjectCreated) => void>();
  const unsubscribe = s3.onObjectCreated((event) => waiting.get(event.key)?.(event));
  return {
    dir,
    s3,
    async upload(key, bytes, format = 's3-notification') {
      const created = new Promise<S3rverObjectCreated>((resolve) => waiting.set(key, resolve));
      await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: bytes }));
      const event = await created;
      waiting.delete(key);
      return toSqsRecord(event, { format });
    },
    async remove(key) {
      await s3.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    },
    async tags(key) {
      const { TagSet } = await s3.client.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: key }));
      return Object.fromEntries((TagSet ?? []).map((tag) => [tag.Key!, tag.Value!]));
    },
    async close() {
      unsubscribe();
      await s3.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
};

/** The same SQS record delivered again as a new message (S3 and SQS are at-least-once). */
export const redelivered = (record: SQSRecord): SQSRecord => ({ ...record, messageId: randomUUID() });

export interface DeadLetter {
  readonly record: SQSRecord;
  readonly reason: string;
}

export interface QueueRun {
  /** Final (non-retry) outcomes by object key, in the order they happened. */
  readonly outcomes: readonly UploadOutcome[];
  /** Retry outcomes (each a redelivery, or the last one before the dead letter). */
  readonly retries: readonly UploadOutcome[];
  readonly deadLetters: readonly DeadLetter[];
  /** Lambda invocations (batches) made. */
  readonly invocations: number;
}

export interface QueueOptions {
  readonly maxReceives?: number;
  readonly visibilityDelayMs?: number;
  readonly batchingWindowMs?: number;
  readonly batchSize?: number;
  /** Wraps one invocation (e.g. a Lambda timeout around `run`); default: `run` as is. */
  readonly invoke?: (records: SQSRecord[], run: () => Promise<BatchResult>) => Promise<SQSBatchResponse>;
}

/**
 * Sends `records` through an SQS stand-in into the handler and waits until each has an outcome or
 * is dead-lettered. Redelivery is real: a failed message comes back with ApproximateReceiveCount + 1.
 */
export const runThroughQueue = async (
  wiring: Wiring,
  records: readonly SQSRecord[],
  options: QueueOptions = {},
): Promise<QueueRun> => {
  const outcomes: UploadOutcome[] = [];
  const retries: UploadOutcome[] = [];
  const deadLetters: DeadLetter[] = [];
  let invocations = 0;
  const queue = new LocalQueue({
    batchingWindowMs: options.batchingWindowMs ?? 50,
    batchSize: options.batchSize ?? 10,
    maxReceives: options.maxReceives ?? 3,
    visibilityDelayMs: options.visibilityDelayMs ?? 100,
    handle: async (event) => {
      invocations += 1;
      const run = async () => {
        const result = await handleSqsBatch(event, wiring.deps, wiring.settings);
        for (const outcome of result.outcomes)
          (outcome.status === 'retry' ? retries : outcomes).push(outcome);
        return result;
      };
      return options.invoke ? options.invoke(event.Records, run) : (await run()).response;
    },
    onDeadLetter: (record, reason) => {
      deadLetters.push({ record, reason });
    },
  });
  for (const record of records) queue.send(record);
  await queue.idle();
  return { outcomes, retries, deadLetters, invocations };
};
