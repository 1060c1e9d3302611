import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, PutObjectTaggingCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectTagOutcomes } from '../../../../cli/push/object-tag-outcomes';
import { runLogOutcomes } from '../../../../cli/push/run-log-outcomes';
import { type S3Endpoint, startS3Endpoint } from '../../../../functions/local/s3-endpoint';
import { outcomeTags } from '../../../../functions/pipeline/outcome-tags';
import type { UploadOutcome } from '../../../../functions/pipeline/upload-outcome';
import eventBridgeFixture from '../../../fixtures/sqs/eventbridge-object-created.json';

const BUCKET = 'charts';
const outcome = (runId: string, extra: Partial<UploadOutcome> = {}): UploadOutcome => ({
  status: 'promoted',
  bucket: BUCKET,
  key: 'incoming/web-1.0.0.tgz',
  runId,
  chart: 'web',
  version: '1.0.0',
  environment: 'dev',
  commit: 'c'.repeat(40),
  durationMs: 5,
  ...extra,
});

describe("objectTagOutcomes: the object's outcome tags, on a real S3 API (s3rver)", () => {
  let dir: string;
  let s3: S3Endpoint;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tag-outcomes-'));
    s3 = await startS3Endpoint({ directory: dir, bucket: BUCKET });
  });
  afterAll(async () => {
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  });

  const put = (key: string) => s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x' }));
  const tag = (key: string, tags: Record<string, string>) =>
    s3.client.send(
      new PutObjectTaggingCommand({
        Bucket: BUCKET,
        Key: key,
        Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
      }),
    );

  it('has nothing until the pipeline tags the object, then its outcome; user tags are not an outcome', async () => {
    // Prepare
    const key = 'incoming/web-1.0.0.tgz';
    const source = objectTagOutcomes(s3.client);
    await source.mark({ bucket: BUCKET, key });
    await put(key);
    const untagged = await source.read({ bucket: BUCKET, key });
    await tag(key, { team: 'web' });
    const userTagged = await source.read({ bucket: BUCKET, key });

    // Act
    await tag(key, outcomeTags(outcome('run-1')) ?? {});
    const read = await source.read({ bucket: BUCKET, key });

    // Assess
    expect([untagged, userTagged]).toEqual([undefined, undefined]);
    expect(read).toEqual({
      status: 'promoted',
      runId: 'run-1',
      chart: 'web',
      version: '1.0.0',
      environment: 'dev',
      commit: 'c'.repeat(40),
      refusals: [],
    });
  });

  it("does not take an overwritten object's old tags for the new upload's (s3rver keeps them)", async () => {
    // Prepare: an earlier upload of the key, promoted and tagged.
    const key = 'incoming/again-1.0.0.tgz';
    await put(key);
    await tag(key, outcomeTags(outcome('run-old', { key })) ?? {});
    const source = objectTagOutcomes(s3.client);

    // Act: mark, upload again (s3rver keeps the tagging subresource across PutObject), then the
    // pipeline tags the new upload.
    await source.mark({ bucket: BUCKET, key });
    await put(key);
    const beforeTagging = await source.read({ bucket: BUCKET, key });
    await tag(
      key,
      outcomeTags(
        outcome('run-new', {
          key,
          status: 'refused',
          commit: undefined,
          code: 'VALUES_INVALID',
          message: 'values.yaml is not a map',
          path: 'values.yaml',
          refusals: [
            { code: 'VALUES_INVALID', message: 'values.yaml is not a map', path: 'values.yaml' },
            { code: 'CHART_DEPENDENCY_MISSING', message: 'redis is not vendored' },
          ],
        }),
      ) ?? {},
    );
    const after = await source.read({ bucket: BUCKET, key });

    // Assess
    expect(beforeTagging).toBeUndefined();
    expect(after).toMatchObject({
      status: 'refused',
      runId: 'run-new',
      refusals: [
        { code: 'VALUES_INVALID', message: 'values.yaml is not a map', path: 'values.yaml' },
        { code: 'CHART_DEPENDENCY_MISSING', message: '' },
      ],
      partial: expect.stringContaining('tags keep the first message only'),
    });
  });

  it('says the object is gone when it was deleted (NoSuchKey)', async () => {
    // Act
    const read = await objectTagOutcomes(s3.client).read({ bucket: BUCKET, key: 'incoming/never.tgz' });

    // Assess
    expect(read).toMatchObject({ status: 'gone' });
  });
});

describe('runLogOutcomes: the local run log and dead letters of a work dir', () => {
  let workdir: string;

  beforeAll(async () => {
    workdir = await mkdtemp(join(tmpdir(), 'run-log-outcomes-'));
  });
  afterAll(async () => {
    await rm(workdir, { recursive: true, force: true });
  });

  const line = (value: unknown) => `${JSON.stringify(value)}\n`;

  it('reads only what was appended after the mark: an earlier run of the same key is not this one', async () => {
    // Prepare
    const runLog = join(workdir, 'runs.jsonl');
    const key = 'incoming/web-1.0.0.tgz';
    await writeFile(runLog, line({ at: '2026-03-01T10:00:00.000Z', ...outcome('run-old') }));
    const source = runLogOutcomes(workdir);
    await source.mark({ bucket: BUCKET, key });
    const before = await source.read({ bucket: BUCKET, key });

    // Act
    await appendFile(
      runLog,
      line({ at: '2026-03-01T10:05:00.000Z', ...outcome('run-x', { key: 'incoming/other-1.0.0.tgz' }) }),
    );
    await appendFile(
      runLog,
      line({
        at: '2026-03-01T10:05:00.000Z',
        ...outcome('run-new', {
          status: 'refused',
          commit: undefined,
          code: 'VALUES_INVALID',
          message: 'values.yaml is not a map',
          refusals: [
            { code: 'VALUES_INVALID', message: 'values.yaml is not a map' },
            { code: 'CHART_DEPENDENCY_MISSING', message: 'redis is not vendored' },
          ],
        }),
      }),
    );
    const after = await source.read({ bucket: BUCKET, key });

    // Assess
    expect(before).toBeUndefined();
    expect(after).toEqual({
      status: 'refused',
      runId: 'run-new',
      chart: 'web',
      version: '1.0.0',
      environment: 'dev',
      message: 'values.yaml is not a map',
      refusals: [
        { code: 'VALUES_INVALID', message: 'values.yaml is not a map' },
        { code: 'CHART_DEPENDENCY_MISSING', message: 'redis is not vendored' },
      ],
    });
  });

  it('reports a dead letter of the object (failed every delivery)', async () => {
    // Prepare: the SQS record of an EventBridge "Object Created" event, as the local queue keeps it.
    const record = eventBridgeFixture.Records[0]!;
    const body = JSON.parse(record.body) as { detail: { bucket: { name: string }; object: { key: string } } };
    // Its key, incoming/team+a/…, reads two ways: the object really uploaded is this one.
    const dead = { bucket: body.detail.bucket.name, key: body.detail.object.key };
    const source = runLogOutcomes(workdir);
    await source.mark(dead);

    // Act
    await appendFile(
      join(workdir, 'dead-letters.jsonl'),
      line({ at: '2026-03-01T10:06:00.000Z', reason: 'reported as failed', record }),
    );
    const read = await source.read(dead);

    // Assess
    expect(read).toMatchObject({
      status: 'dead-lettered',
      message: expect.stringContaining('reported as failed'),
    });
  });
});
