import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEventBody } from '../../../functions/events/parse-event-body';
import {
  type S3Endpoint,
  type S3rverObjectCreated,
  startS3Endpoint,
} from '../../../functions/local/s3-endpoint';
import { bridgeS3Events } from '../../../functions/local/s3-event-bridge';

const MiB = 1024 * 1024;
const BUCKET = 'chart-uploads';
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Resolves with the first `count` values a subscription delivers. */
const collect = <T>(subscribe: (push: (value: T) => void) => () => void, count: number): Promise<T[]> =>
  new Promise((resolve) => {
    const values: T[] = [];
    const unsubscribe = subscribe((value) => {
      values.push(value);
      if (values.length === count) {
        unsubscribe();
        resolve(values);
      }
    });
  });

describe('local S3 endpoint (s3rver)', () => {
  let directory: string;
  let s3: S3Endpoint;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 's3-endpoint-'));
    s3 = await startS3Endpoint({ directory, bucket: BUCKET });
  });

  afterAll(async () => {
    await s3?.close();
    await rm(directory, { recursive: true, force: true });
  });

  const download = async (key: string): Promise<Uint8Array> => {
    const output = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return output.Body!.transformToByteArray();
  };

  it('listens on a free port on 127.0.0.1 with the bucket created', async () => {
    // Act
    const head = await s3.client.send(new HeadBucketCommand({ Bucket: BUCKET }));

    // Assess
    expect(s3.port).toBeGreaterThan(0);
    expect(s3.endpoint).toBe(`http://127.0.0.1:${s3.port}`);
    expect(head.$metadata.httpStatusCode).toBe(200);
  });

  it('bridges an upload with spaces, "+" and unicode into an S3 2.1 notification the parser decodes back', async () => {
    // Prepare
    const key = 'incoming/team a/my chart+1.0 é.tgz';
    const body = new TextEncoder().encode('chart');
    const delivered = collect<SQSRecord>((push) => bridgeS3Events(s3, push), 1);

    // Act
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    const [record] = await delivered;
    const parsed = parseEventBody(record!.body);

    // Assess
    const raw = JSON.parse(record!.body) as {
      Records: [{ eventVersion: string; s3: { object: { key: string } } }];
    };
    expect(raw.Records[0].eventVersion).toBe('2.1');
    expect(raw.Records[0].s3.object.key).toBe('incoming/team+a/my+chart%2B1.0+%C3%A9.tgz');
    expect(record).toMatchObject({
      eventSource: 'aws:sqs',
      md5OfBody: createHash('md5').update(record!.body).digest('hex'),
    });
    expect(parsed.objects).toEqual([
      expect.objectContaining({
        bucket: BUCKET,
        key,
        size: body.byteLength,
        etag: createHash('md5').update(body).digest('hex'),
      }),
    ]);
    expect(await download(parsed.objects[0]!.key)).toEqual(body);
  });

  it('bridges the EventBridge envelope too', async () => {
    // Prepare
    const key = 'incoming/x+y z.tgz';
    const delivered = collect<SQSRecord>((push) => bridgeS3Events(s3, push, { format: 'eventbridge' }), 1);

    // Act
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'abc' }));
    const [record] = await delivered;

    // Assess
    expect(JSON.parse(record!.body)).toMatchObject({ 'detail-type': 'Object Created', source: 'aws.s3' });
    expect(parseEventBody(record!.body).objects).toEqual([expect.objectContaining({ key, size: 3 })]);
  });

  it('keeps a failing delivery from failing the upload', async () => {
    // Prepare
    const errors: unknown[] = [];
    const failed = new Promise<void>((resolve) => {
      const stop = bridgeS3Events(
        s3,
        () => {
          throw new Error('handler exploded');
        },
        {
          onError: (error) => {
            errors.push(error);
            stop();
            resolve();
          },
        },
      );
    });

    // Act
    const put = await s3.client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'incoming/boom.tgz', Body: 'x' }),
    );
    await failed;

    // Assess
    expect(put.$metadata.httpStatusCode).toBe(200);
    expect(errors).toEqual([new Error('handler exploded')]);
  });

  const streamed = (bytes: Uint8Array) => Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]);

  it.each([
    ['lib-storage, one part', 3 * MiB, 'ObjectCreated:Put'],
    ['lib-storage, multipart', 11 * MiB, 'ObjectCreated:Post'],
    ['PutObject with a stream body', 3 * MiB, 'ObjectCreated:Put'],
  ])('stores an upload (%s) byte-identical and announces it', async (how, size, eventName) => {
    // Prepare: a stream body is what the SDK's default checksums would frame as aws-chunked, which
    // s3rver stores verbatim (measured: +46 bytes); localS3Client's WHEN_REQUIRED settings avoid it.
    const bytes = randomBytes(size);
    const key = `incoming/streamed ${how}.tgz`;
    const events = collect<S3rverObjectCreated>((push) => s3.onObjectCreated(push), 1);

    // Act
    if (how.startsWith('lib-storage')) {
      const params = { Bucket: BUCKET, Key: key, Body: streamed(bytes) };
      await new Upload({ client: s3.client, params, partSize: 5 * MiB, queueSize: 2 }).done();
    } else {
      await s3.client.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: streamed(bytes), ContentLength: size }),
      );
    }
    const [event] = await events;
    const stored = await download(key);

    // Assess
    expect(stored.byteLength).toBe(size);
    expect(sha256(stored)).toBe(sha256(bytes));
    expect(event).toMatchObject({ key, size, bucket: BUCKET, eventName });
  });

  it('closes while a client still holds a keep-alive connection', async () => {
    // Prepare
    const own = await startS3Endpoint({
      directory: await mkdtemp(path.join(tmpdir(), 's3-endpoint-close-')),
      bucket: 'b',
    });
    await own.client.send(new HeadBucketCommand({ Bucket: 'b' }));

    // Act
    const started = performance.now();
    await own.close();

    // Assess
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
