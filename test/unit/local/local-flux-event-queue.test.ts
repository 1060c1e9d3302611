import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SQSRecord } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalFluxEventQueue } from '../../../functions/local/local-flux-event-queue';

const event = (n: number) => ({
  body: `{"n":${n}}`,
  digest: `digest-${n}`,
  group: `HelmRelease/dev/app-${n}`,
});

describe('LocalFluxEventQueue (the local feedback queue)', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });
  const journalIn = async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'flux-journal-'));
    dirs.push(dir);
    return path.join(dir, 'feedback-queue.jsonl');
  };

  it('has every event on disk when enqueue resolves, then hands it to the worker as an SQS FIFO record', async () => {
    // Prepare
    const file = await journalIn();
    const delivered: SQSRecord[] = [];
    const { queue } = await LocalFluxEventQueue.open(file, (record) => delivered.push(record));
    // Act: a burst, as 50 concurrent posts make it.
    await Promise.all(Array.from({ length: 50 }, (_, n) => queue.enqueue(event(n))));
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    await queue.close();
    // Assess
    expect(lines.map((line) => JSON.parse(line))).toEqual(Array.from({ length: 50 }, (_, n) => event(n)));
    expect(delivered).toHaveLength(50);
    expect(delivered[7]).toMatchObject({
      body: '{"n":7}',
      eventSource: 'aws:sqs',
      attributes: {
        ApproximateReceiveCount: '1',
        MessageGroupId: 'HelmRelease/dev/app-7',
        MessageDeduplicationId: 'digest-7',
      },
    });
  });

  it('gives back what a crashed run left in the journal (a line cut short was never acknowledged), and nothing after a clean stop', async () => {
    // Prepare: a run that stopped without compacting, its last write torn.
    const file = await journalIn();
    const first = await LocalFluxEventQueue.open(file, () => {});
    await first.queue.enqueue(event(1));
    await first.queue.enqueue(event(2));
    await first.queue.close();
    await appendFile(file, '{"body":"{\\"n\\":3');
    // Act
    const second = await LocalFluxEventQueue.open(file, () => {});
    await second.queue.compact();
    await second.queue.close();
    const third = await LocalFluxEventQueue.open(file, () => {});
    await third.queue.close();
    // Assess
    expect(second.pending).toEqual([event(1), event(2)]);
    expect(third.pending).toEqual([]);
  });
});
