import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PromoterError } from '../../../functions/errors';
import { parseEventBody } from '../../../functions/events/parse-event-body';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/events');
const fixture = (name: string): string => readFileSync(path.join(fixtures, name), 'utf8');
const json = (name: string): Record<string, unknown> => JSON.parse(fixture(name));

const notificationWithKey = (key: string): string => {
  const event = json('s3-notification-put.json') as { Records: [{ s3: { object: { key: string } } }] };
  event.Records[0].s3.object.key = key;
  return JSON.stringify(event);
};

const eventBridgeWithKey = (key: string): string => {
  const event = json('eventbridge-object-created.json') as { detail: { object: { key: string } } };
  event.detail.object.key = key;
  return JSON.stringify(event);
};

const expectUnrecognised = (body: string): void => {
  let thrown: unknown;
  try {
    parseEventBody(body);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(PromoterError);
  expect(thrown).toMatchObject({ code: 'EVENT_UNRECOGNISED', disposition: 'terminal' });
};

describe('parseEventBody', () => {
  it('reads the documented EventBridge "Object Created" event', () => {
    // Act
    const parsed = parseEventBody(fixture('eventbridge-object-created.json'));

    // Assess
    expect(parsed).toEqual({
      objects: [
        {
          bucket: 'amzn-s3-demo-bucket1',
          key: 'incoming/team a/podinfo-6.14.1.tgz',
          deliveredKey: 'incoming/team+a/podinfo-6.14.1.tgz',
          versionId: 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e',
          size: 5,
          etag: 'b1946ac92492d2347c6235b4d2611184',
          sequencer: '617f08299329d189',
          eventTime: '2021-11-12T00:00:00Z',
        },
      ],
      ignored: [],
    });
  });

  it('ignores other EventBridge S3 detail-types', () => {
    // Act
    const parsed = parseEventBody(fixture('eventbridge-object-deleted.json'));

    // Assess
    expect(parsed.objects).toEqual([]);
    expect(parsed.ignored).toEqual([
      { reason: 'NOT_OBJECT_CREATED', message: 'EventBridge "Object Deleted" event' },
    ]);
  });

  it('reads an S3 event notification 2.1 and decodes its key ("+" is a space, %2B a plus)', () => {
    // Act
    const parsed = parseEventBody(fixture('s3-notification-put.json'));

    // Assess
    expect(parsed).toEqual({
      objects: [
        {
          bucket: 'amzn-s3-demo-bucket',
          key: 'incoming/team a/my chart+1.0.tgz',
          deliveredKey: 'incoming/team+a/my+chart%2B1.0.tgz',
          versionId: '096fKKXTRTtl3on89fVO.nfljtsv6qko',
          size: 1024,
          etag: 'd41d8cd98f00b204e9800998ecf8427e',
          sequencer: '0055AED6DCD90281E5',
          eventTime: '1970-01-01T00:00:00.000Z',
        },
      ],
      ignored: [],
    });
  });

  it('reads the S3 event wrapped by SNS (Message is a JSON string)', () => {
    // Act
    const parsed = parseEventBody(fixture('sns-wrapped-s3-notification.json'));

    // Assess
    expect(parsed.objects.map((object) => object.key)).toEqual(['incoming/team a/my chart+1.0.tgz']);
  });

  it('ignores the s3:TestEvent', () => {
    // Act
    const parsed = parseEventBody(fixture('s3-test-event.json'));

    // Assess
    expect(parsed).toEqual({ objects: [], ignored: [expect.objectContaining({ reason: 'TEST_EVENT' })] });
  });

  it.each([
    ['unicode', 'incoming/%C3%A9quipe/charte-%E2%9C%93-1.0.0.tgz', 'incoming/équipe/charte-✓-1.0.0.tgz'],
    ['a literal percent', 'incoming/100%25-chart.tgz', 'incoming/100%-chart.tgz'],
    ['several spaces', 'incoming/a++b.tgz', 'incoming/a  b.tgz'],
    ['reserved characters', 'incoming/x%3D1%26y%3A2.tgz', 'incoming/x=1&y:2.tgz'],
  ])('decodes keys with %s (notification and EventBridge alike)', (_name, encoded, decoded) => {
    // Act
    const fromNotification = parseEventBody(notificationWithKey(encoded));
    const fromEventBridge = parseEventBody(eventBridgeWithKey(encoded));

    // Assess
    expect(fromNotification.objects[0]?.key).toBe(decoded);
    expect(fromEventBridge.objects[0]?.key).toBe(decoded);
  });

  // AWS documents URL-encoded keys for S3 notifications ("red flower.jpg" → "red+flower.jpg",
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html) and
  // says nothing for EventBridge (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html):
  // a key whose decoding changes it keeps both readings; the read picks the one matching size and ETag.
  it.each([
    ['a build-metadata "+" as delivered', 'incoming/app-1.0.0+build.1.tgz', 'incoming/app-1.0.0 build.1.tgz'],
    ['a build-metadata "+" encoded', 'incoming/app-1.0.0%2Bbuild.1.tgz', 'incoming/app-1.0.0+build.1.tgz'],
  ])(
    'keeps the key as delivered beside the decoded one for %s (both shapes)',
    (_name, delivered, decoded) => {
      // Act
      const fromNotification = parseEventBody(notificationWithKey(delivered)).objects[0];
      const fromEventBridge = parseEventBody(eventBridgeWithKey(delivered)).objects[0];

      // Assess
      for (const object of [fromNotification, fromEventBridge]) {
        expect(object).toMatchObject({ key: decoded, deliveredKey: delivered });
      }
    },
  );

  it('has no second reading for a key decoding leaves as is, and takes an invalid escape as delivered', () => {
    // Act
    const plain = parseEventBody(eventBridgeWithKey('incoming/app-1.0.0.tgz')).objects[0];
    const percent = parseEventBody(notificationWithKey('incoming/100%-sure.tgz')).objects[0];

    // Assess
    expect(plain).not.toHaveProperty('deliveredKey');
    expect(plain?.key).toBe('incoming/app-1.0.0.tgz');
    expect(percent).not.toHaveProperty('deliveredKey');
    expect(percent?.key).toBe('incoming/100%-sure.tgz');
  });

  it('keeps created records and reports the others of a multi-record notification', () => {
    // Prepare
    const event = json('s3-notification-put.json') as { Records: Array<Record<string, unknown>> };
    const first = event.Records[0]!;
    event.Records.push({ ...first, eventName: 'ObjectRemoved:Delete' });
    event.Records.push({ ...first, eventName: 's3:ObjectCreated:CompleteMultipartUpload' });

    // Act
    const parsed = parseEventBody(JSON.stringify(event));

    // Assess
    expect(parsed.objects).toHaveLength(2);
    expect(parsed.ignored).toEqual([
      { reason: 'NOT_OBJECT_CREATED', message: 'S3 "ObjectRemoved:Delete" event' },
    ]);
  });

  it('treats a null versionId (unversioned bucket) as absent', () => {
    // Prepare
    const event = json('s3-notification-put.json') as {
      Records: [{ s3: { object: Record<string, unknown> } }];
    };
    event.Records[0].s3.object.versionId = null;

    // Act
    const parsed = parseEventBody(JSON.stringify(event));

    // Assess
    expect(parsed.objects[0]).not.toHaveProperty('versionId');
  });

  it.each([
    ['not JSON', '{"Records": ['],
    ['an unknown shape', JSON.stringify({ hello: 'world' })],
    ['an empty Records array', JSON.stringify({ Records: [] })],
    [
      'an EventBridge event from another source',
      eventBridgeWithKey('x.tgz').replace('"aws.s3"', '"aws.ec2"'),
    ],
    [
      'SNS wrapping SNS',
      JSON.stringify({
        Type: 'Notification',
        Message: JSON.stringify({ Type: 'Notification', Message: '{}' }),
      }),
    ],
  ])('refuses %s with a terminal EVENT_UNRECOGNISED', (_name, body) => {
    expectUnrecognised(body);
  });
});
