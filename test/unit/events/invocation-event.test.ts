import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  asFunctionUrlRequest,
  asSqsBatch,
  describeInvocationEvent,
} from '../../../functions/events/invocation-event';
import { functionUrlEvent } from '../../support/function-url-event';

const fixtures = path.resolve(import.meta.dirname, '../../fixtures');
const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(fixtures, name), 'utf8'));

/** Events a function can be handed by mistake, each as its service sends it. */
const WRONG_EVENTS: [string, unknown, string][] = [
  ['no payload', null, 'no event (null)'],
  ['a string', 'hello', 'a JSON string'],
  ['an array', [1, 2], 'a JSON array'],
  ['an empty object', {}, 'an empty object'],
  [
    'a function URL request',
    functionUrlEvent({ method: 'POST', path: '/hook', body: '{}' }),
    'a Lambda function URL request (payload format 2.0, POST /hook)',
  ],
  [
    'an API Gateway REST request',
    { httpMethod: 'POST', resource: '/', requestContext: {} },
    'an API Gateway REST request (payload format 1.0)',
  ],
  // S3 event notifications sent straight to the function instead of through the queue.
  ['an S3 event notification', fixture('events/s3-notification-put.json'), 'records from aws:s3'],
  [
    'an EventBridge S3 event',
    fixture('events/eventbridge-object-created.json'),
    'an EventBridge event (aws.s3 "Object Created")',
  ],
  ['an empty Records list', { Records: [] }, 'an event with an empty Records list'],
  [
    'SQS records missing their body',
    { Records: [{ eventSource: 'aws:sqs', messageId: 'm-1' }] },
    'SQS records without a messageId or body',
  ],
  [
    'an object of another shape',
    { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 },
    'an object with keys a, b, c, d, e, …',
  ],
];

describe('asSqsBatch', () => {
  it.each([
    ['an EventBridge → SQS batch', 'sqs/eventbridge-object-created.json'],
    ['an S3 notification → SQS batch', 'sqs/s3-notification-object-created.json'],
  ])('recognises %s and hands the event on unchanged', (_, name) => {
    // Prepare
    const event = fixture(name);
    // Act
    const recognised = asSqsBatch(event);
    // Assess
    expect(recognised).toEqual({ ok: true, event });
    expect(recognised.ok && recognised.event).toBe(event);
  });

  it.each(WRONG_EVENTS)('refuses %s, describing it', (_, event, description) => {
    // Act
    const recognised = asSqsBatch(event);
    // Assess
    expect(recognised).toEqual({ ok: false, got: description });
  });
});

describe('asFunctionUrlRequest', () => {
  it.each([
    ['a text body', functionUrlEvent({ body: '{"a":1}' })],
    ['a base64 body', functionUrlEvent({ body: new Uint8Array([0xff, 0x00]) })],
    ['no body', functionUrlEvent({ method: 'GET' })],
  ])('recognises a request with %s', (_, event) => {
    // Act
    const recognised = asFunctionUrlRequest(event);
    // Assess
    expect(recognised).toEqual({ ok: true, event });
  });

  it.each(WRONG_EVENTS.filter(([name]) => name !== 'a function URL request'))(
    'refuses %s, describing it',
    (_, event, description) => {
      // Act
      const recognised = asFunctionUrlRequest(event);
      // Assess
      expect(recognised).toEqual({ ok: false, got: description });
    },
  );

  it('refuses an SQS batch, naming its source', () => {
    // Act
    const recognised = asFunctionUrlRequest(fixture('sqs/eventbridge-object-created.json'));
    // Assess
    expect(recognised).toEqual({ ok: false, got: 'an SQS batch of 1 record(s)' });
  });
});

describe('describeInvocationEvent', () => {
  it('names shapes and sources only, never values', () => {
    // Prepare
    const secret = 'sha256=0123456789abcdef';
    // Act
    const description = describeInvocationEvent({ token: secret, nested: { secret } });
    // Assess
    expect(description).toBe('an object with keys token, nested');
    expect(description).not.toContain(secret);
  });
});
