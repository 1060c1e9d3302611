import { describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../../functions/adapters/s3-object-store';
import { PromoterError } from '../../../functions/errors';
import { type ObjectCreated, readEventKey } from '../../../functions/events';
import { readUpload } from '../../../functions/pipeline/read-upload';
import {
  BUCKET,
  eventBridgeRecord,
  newPipeline,
  s3NotificationRecord,
  useWorld,
} from '../../support/pipeline/harness';
import { buildChart } from '../../support/tar-fixtures';

/*
 * Object keys as either encoding delivers them. AWS documents URL-encoded keys for S3 event
 * notifications ("red flower.jpg" arrives as "red+flower.jpg"):
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 * and says nothing about encoding for the EventBridge "Object Created" event:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html
 * A chart version with build metadata (`1.0.0+build.1`, SemVer 2 §10) puts a '+' in the key `helm
 * package` writes, which the two readings take for a space or a plus. s3rver sends its own event keys
 * unencoded, so these tests build the SQS records themselves, in both spellings.
 */

const CHART_KEY = 'incoming/meta-1.0.0+build.1.tgz';

describe('keys as either encoding delivers them: a chart version with build metadata', () => {
  const world = useWorld();

  it.each([
    ['EventBridge, key URL-encoded (%2B)', eventBridgeRecord, false],
    ['EventBridge, key as stored (+)', eventBridgeRecord, true],
    ['an S3 notification, key URL-encoded (%2B)', s3NotificationRecord, false],
    ['an S3 notification, key as stored (+)', s3NotificationRecord, true],
  ])(
    'promotes meta 1.0.0+build.1 announced by %s, and tags that object',
    async (_shape, record, asStored) => {
      // Prepare
      const pipeline = await newPipeline(world);
      const object = await world.upload(CHART_KEY, await buildChart('meta', '1.0.0+build.1'));
      const sqs = record(object, undefined, { keyAsStored: asStored });

      // Act
      const { outcomes, response } = await pipeline.run(sqs);

      // Assess
      expect(response.batchItemFailures).toEqual([]);
      expect(outcomes).toEqual([
        expect.objectContaining({
          status: 'promoted',
          key: CHART_KEY,
          chart: 'meta',
          version: '1.0.0+build.1',
        }),
      ]);
      expect(await world.tags(CHART_KEY)).toMatchObject({ 'chart-promoter/status': 'promoted' });
      expect(await pipeline.git('ls-tree', '--name-only', 'main', 'charts/meta/')).toBe(
        'charts/meta/1.0.0+build.1',
      );
    },
  );

  it('reads the object whose size and ETag match when both readings of one key exist', async () => {
    // Prepare: "pair+x" and "pair x" are both stored; S3's encoding of the second is the first's name.
    const pipeline = await newPipeline(world);
    const plus = await world.upload('incoming/pair+x-1.0.0.tgz', await buildChart('plus', '1.0.0'));
    const space = await world.upload(
      'incoming/pair x-1.0.0.tgz',
      await buildChart('space', '2.0.0', { 'values.yaml': 'replicaCount: 2\npadding: "........"\n' }),
    );
    const plusAsStored = eventBridgeRecord(plus, undefined, { keyAsStored: true });
    const spaceEncoded = eventBridgeRecord(space);
    const keyOf = (body: string): string => JSON.parse(body).detail.object.key;
    expect(keyOf(plusAsStored.body)).toBe(keyOf(spaceEncoded.body));

    // Act
    const { outcomes } = await pipeline.run(plusAsStored, spaceEncoded);

    // Assess
    expect(outcomes.map((o) => [o.status, o.key, o.chart])).toEqual([
      ['promoted', 'incoming/pair+x-1.0.0.tgz', 'plus'],
      ['promoted', 'incoming/pair x-1.0.0.tgz', 'space'],
    ]);
    expect(await world.tags('incoming/pair+x-1.0.0.tgz')).toMatchObject({
      'chart-promoter/status': 'promoted',
    });
    expect(await world.tags('incoming/pair x-1.0.0.tgz')).toMatchObject({
      'chart-promoter/status': 'promoted',
    });
  });
});

describe('readUpload over s3rver: which reading of a key is read', () => {
  const world = useWorld();
  const store = (): S3ObjectStore =>
    new S3ObjectStore({ client: world.s3.client, sizeRetry: { attempts: 2, delayMs: 1 } });
  const announced = (delivered: string, fields: Partial<ObjectCreated> = {}): ObjectCreated => ({
    bucket: BUCKET,
    ...readEventKey(delivered),
    eventTime: '2026-12-01T00:00:00Z',
    ...fields,
  });
  const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

  it('reads a key that decodes to itself once, as it always did', async () => {
    // Prepare
    const object = await world.upload('incoming/one.tgz', bytes('one'));
    // Act
    const read = await readUpload(store(), announced('incoming/one.tgz', { size: object.size }), 1024);
    // Assess
    expect(read.object.key).toBe('incoming/one.tgz');
    expect(new TextDecoder().decode(read.stored.bytes)).toBe('one');
  });

  it('falls back to the key as delivered when the decoded key does not exist, whatever its size', async () => {
    // Prepare
    await world.upload('incoming/only+plus.tgz', bytes('plus, overwritten since the event'));
    // Act
    const read = await readUpload(store(), announced('incoming/only+plus.tgz', { size: 3 }), 1024);
    // Assess
    expect(read.object).toMatchObject({ key: 'incoming/only+plus.tgz' });
    expect(read.object).not.toHaveProperty('deliveredKey');
  });

  it('keeps the decoded key when neither reading matches the event (overwritten since)', async () => {
    // Prepare
    await world.upload('incoming/both+changed.tgz', bytes('plus'));
    await world.upload('incoming/both changed.tgz', bytes('space'));
    // Act
    const read = await readUpload(
      store(),
      announced('incoming/both+changed.tgz', { size: 99, etag: 'no-such-etag' }),
      1024,
    );
    // Assess
    expect(read.object.key).toBe('incoming/both changed.tgz');
  });

  it('answers OBJECT_NOT_FOUND for the decoded key when neither reading exists', async () => {
    // Act
    const error = await readUpload(store(), announced('incoming/gone+away.tgz'), 1024).catch(
      (thrown: unknown) => thrown,
    );
    // Assess
    expect(error).toBeInstanceOf(PromoterError);
    expect(error).toMatchObject({ code: 'OBJECT_NOT_FOUND' });
    expect((error as Error).message).toContain('incoming/gone away.tgz');
  });
});
