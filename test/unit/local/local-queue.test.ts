import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { LocalQueue, type LocalQueueOptions } from '../../../functions/local/local-queue';

const record = (id: string): SQSRecord => ({
  messageId: id,
  receiptHandle: `handle-${id}`,
  body: `{"id":"${id}"}`,
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: '1795169730123',
    SenderId: 'AIDAJHIPRHEMV73VRJEBU',
    ApproximateFirstReceiveTimestamp: '1795169730130',
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:intake',
  awsRegion: 'us-east-1',
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Delivery {
  readonly ids: string[];
  readonly receives: string[];
  /** Date.now() when the batch was handed over. */
  readonly at: number;
}

/** A fake handler that records every batch and fails the ids `fails` says, as SQS partial responses. */
const harness = (
  options: Partial<Omit<LocalQueueOptions, 'handle' | 'onDeadLetter'>> & {
    fails?: (id: string, receives: number) => boolean;
    throwing?: boolean;
  } = {},
) => {
  const deliveries: Delivery[] = [];
  const deadLetters: { id: string; receives: string; reason: string }[] = [];
  const { fails = () => false, throwing = false, ...timing } = options;
  const queue = new LocalQueue({
    batchingWindowMs: 30,
    visibilityDelayMs: 10,
    ...timing,
    handle: async (event: SQSEvent): Promise<SQSBatchResponse> => {
      deliveries.push({
        ids: event.Records.map((r) => r.messageId),
        receives: event.Records.map((r) => r.attributes.ApproximateReceiveCount),
        at: Date.now(),
      });
      await sleep(1);
      if (throwing) throw new Error('handler crashed: ECONNRESET');
      return {
        batchItemFailures: event.Records.filter((r) =>
          fails(r.messageId, Number(r.attributes.ApproximateReceiveCount)),
        ).map((r) => ({ itemIdentifier: r.messageId })),
      };
    },
    onDeadLetter: (dead, reason) => {
      deadLetters.push({ id: dead.messageId, receives: dead.attributes.ApproximateReceiveCount, reason });
    },
  });
  return { queue, deliveries, deadLetters };
};

describe('LocalQueue (the in-process stand-in for SQS + the Lambda event source mapping)', () => {
  it('hands records sent within the batching window over as one batch, later ones as the next', async () => {
    // Prepare
    const { queue, deliveries } = harness({ batchingWindowMs: 40 });

    // Act
    queue.send(record('a'));
    queue.send(record('b'));
    queue.send(record('c'));
    await queue.idle();
    queue.send(record('d'));
    await queue.idle();

    // Assess
    expect(deliveries.map((d) => d.ids)).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('never hands over more than batchSize records at once (a full batch goes without waiting)', async () => {
    // Prepare: a long window, so only the size cap can release the full batches early.
    const { queue, deliveries } = harness({ batchSize: 4, batchingWindowMs: 150 });
    const started = Date.now();

    // Act
    for (let i = 0; i < 9; i++) queue.send(record(`m${i}`));
    await queue.idle();

    // Assess
    expect(deliveries.map((d) => d.ids.length)).toEqual([4, 4, 1]);
    expect(deliveries.flatMap((d) => d.ids)).toEqual([...Array(9)].map((_, i) => `m${i}`));
    const [first, second, last] = deliveries.map((d) => d.at - started);
    expect(Math.max(first!, second!)).toBeLessThan(100);
    expect(last).toBeGreaterThanOrEqual(140);
  });

  it('redelivers only the failed items, with ApproximateReceiveCount incremented', async () => {
    // Prepare: b fails on its first two receives, then succeeds.
    const { queue, deliveries, deadLetters } = harness({
      fails: (id, receives) => id === 'b' && receives < 3,
    });

    // Act
    queue.send(record('a'));
    queue.send(record('b'));
    await queue.idle();

    // Assess
    expect(deliveries.map(({ ids, receives }) => ({ ids, receives }))).toEqual([
      { ids: ['a', 'b'], receives: ['1', '1'] },
      { ids: ['b'], receives: ['2'] },
      { ids: ['b'], receives: ['3'] },
    ]);
    expect(deadLetters).toEqual([]);
  });

  it('dead-letters an item after maxReceives failed deliveries, with the reason', async () => {
    // Prepare
    const { queue, deliveries, deadLetters } = harness({ maxReceives: 3, fails: (id) => id === 'poison' });

    // Act
    queue.send(record('poison'));
    queue.send(record('fine'));
    await queue.idle();

    // Assess
    expect(deliveries.filter((d) => d.ids.includes('poison')).map((d) => d.receives)).toEqual([
      ['1', '1'],
      ['2'],
      ['3'],
    ]);
    expect(deadLetters).toEqual([{ id: 'poison', receives: '3', reason: 'reported as failed' }]);
  });

  it('fails the whole batch when the handler throws, and dead-letters with the error as the reason', async () => {
    // Prepare
    const { queue, deliveries, deadLetters } = harness({ maxReceives: 2, throwing: true });

    // Act
    queue.send(record('x'));
    queue.send(record('y'));
    await queue.idle();

    // Assess
    expect(deliveries.map((d) => d.ids)).toEqual([
      ['x', 'y'],
      ['x', 'y'],
    ]);
    expect(deadLetters.map((d) => d.id)).toEqual(['x', 'y']);
    expect(deadLetters.every((d) => d.reason.includes('handler crashed: ECONNRESET'))).toBe(true);
  });

  it('resolves idle() at once when empty, and only once nothing waits, runs, or is due for redelivery', async () => {
    // Prepare: one failure, redelivered after a visible delay; each delivery notes whether idle() had resolved.
    let idle = false;
    const idleAtDelivery: boolean[] = [];
    const { queue, deliveries } = harness({
      visibilityDelayMs: 60,
      fails: (id, receives) => {
        idleAtDelivery.push(idle);
        return id === 'slow' && receives === 1;
      },
    });
    const settledWhenEmpty = await Promise.race([queue.idle().then(() => true), sleep(50).then(() => false)]);

    // Act
    queue.send(record('slow'));
    await queue.idle().then(() => {
      idle = true;
    });

    // Assess
    expect(settledWhenEmpty).toBe(true);
    expect(deliveries.map((d) => d.receives)).toEqual([['1'], ['2']]);
    // Not idle while the first delivery failed, nor while its redelivery was due and delivered.
    expect(idleAtDelivery).toEqual([false, false]);
    expect(idle).toBe(true);
  });

  it('stays usable when recording a dead letter fails (no unhandled rejection)', async () => {
    // Prepare
    const delivered: string[] = [];
    const queue = new LocalQueue({
      batchingWindowMs: 5,
      maxReceives: 1,
      handle: async (event) => {
        delivered.push(...event.Records.map((r) => r.messageId));
        return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
      },
      onDeadLetter: async () => {
        throw new Error('ENOSPC: no space left on device');
      },
    });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);

    // Act
    try {
      queue.send(record('p'));
      await queue.idle();
      queue.send(record('q'));
      await queue.idle();
      await sleep(5);
    } finally {
      process.off('warning', onWarning);
    }

    // Assess
    expect(delivered).toEqual(['p', 'q']);
    expect(warnings.some((w) => w.includes('ENOSPC'))).toBe(true);
  });
});
