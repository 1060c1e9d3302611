import { randomUUID } from 'node:crypto';
import { type FileHandle, open, readFile } from 'node:fs/promises';
import type { SQSRecord } from 'aws-lambda';
import type { AcceptedFluxEvent, FluxEventQueue } from '../ports/flux-event-queue';

/**
 * The feedback queue of the embedded runtime: every accepted event is appended to a journal file
 * (JSON lines) and flushed to disk (fdatasync) BEFORE `enqueue` resolves, so the local endpoint's
 * 202 follows a durable write as the SQS one does; then it is handed to the in-process queue
 * (local-queue.ts) the worker drains. On the next start the journal's events are delivered again:
 * those the worker already handled are recognised by its idempotency records (dynalite, kept in the
 * work dir) and change nothing, the others are handled. `compact()` empties the journal once the
 * queue is idle (a clean stop).
 */
export class LocalFluxEventQueue implements FluxEventQueue {
  /** Events waiting for the next write, and the callers waiting on it. */
  #batch: { event: AcceptedFluxEvent; done: () => void; failed: (error: unknown) => void }[] = [];
  #writing: Promise<void> | undefined;

  private constructor(
    private readonly journal: FileHandle,
    private readonly deliver: (record: SQSRecord) => void,
  ) {}

  /** Opens (or creates) the journal; returns the queue and the events a previous run left in it. */
  static async open(
    path: string,
    deliver: (record: SQSRecord) => void,
  ): Promise<{ queue: LocalFluxEventQueue; pending: AcceptedFluxEvent[] }> {
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    const pending: AcceptedFluxEvent[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        pending.push(JSON.parse(line) as AcceptedFluxEvent);
      } catch {
        // A line cut short by a crash mid-write was never acknowledged (no 202): nothing to redo.
      }
    }
    return { queue: new LocalFluxEventQueue(await open(path, 'a'), deliver), pending };
  }

  /**
   * Group commit: events that arrive while a write is on disk go out together in the next write and
   * its one fdatasync, so 50 concurrent posts cost a few syncs, not 50 in a row.
   */
  enqueue(event: AcceptedFluxEvent): Promise<void> {
    const written = new Promise<void>((done, failed) => this.#batch.push({ event, done, failed }));
    this.#writing ??= this.#drain();
    return written;
  }

  async #drain(): Promise<void> {
    while (this.#batch.length > 0) {
      const batch = this.#batch.splice(0);
      try {
        await this.journal.appendFile(batch.map(({ event }) => `${JSON.stringify(event)}\n`).join(''));
        await this.journal.datasync();
      } catch (error) {
        for (const { failed } of batch) failed(error);
        continue;
      }
      for (const { event, done } of batch) {
        this.deliver(fluxEventRecord(event));
        done();
      }
    }
    this.#writing = undefined;
  }

  /** Hands events from a previous run to the worker again (no new journal line: they are in it). */
  redeliver(events: readonly AcceptedFluxEvent[]): void {
    for (const event of events) this.deliver(fluxEventRecord(event));
  }

  /** Empties the journal: call only when every journaled event was handled or dead-lettered. */
  async compact(): Promise<void> {
    await this.journal.truncate(0);
    await this.journal.datasync();
  }

  async close(): Promise<void> {
    await this.journal.close();
  }
}

/**
 * An accepted event as SQS hands a FIFO message to Lambda (the fields the worker reads), first
 * receive. https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#sample-fifo-queues-message-event
 */
export const fluxEventRecord = (event: AcceptedFluxEvent, receiveCount = 1): SQSRecord => {
  const now = String(Date.now());
  return {
    messageId: randomUUID(),
    receiptHandle: randomUUID(),
    body: event.body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: now,
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: now,
      MessageGroupId: event.group,
      MessageDeduplicationId: event.digest,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:local:000000000000:chart-promoter-feedback.fifo',
    awsRegion: 'local',
  };
};
