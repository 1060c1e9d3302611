import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/**
 * An in-process stand-in for the intake queue and Lambda's SQS event source mapping: records that
 * arrive within the batching window are handed over as one batch (so simultaneous uploads become one
 * commit), items the handler reports as failed come back after a visibility delay, and after
 * `maxReceives` deliveries they go to the dead-letter callback — the same contract as in AWS.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 */
export interface LocalQueueOptions {
  readonly handle: (event: SQSEvent) => Promise<SQSBatchResponse>;
  readonly onDeadLetter: (record: SQSRecord, reason: string) => void | Promise<void>;
  /** @default 250 */
  readonly batchingWindowMs?: number;
  /** @default 10 */
  readonly batchSize?: number;
  /** @default 5 */
  readonly maxReceives?: number;
  /** Delay before a failed record is delivered again, times its receive count. @default 500 */
  readonly visibilityDelayMs?: number;
}

export class LocalQueue {
  readonly #options: Required<LocalQueueOptions>;
  readonly #waiting: SQSRecord[] = [];
  #timer: NodeJS.Timeout | undefined;
  #busy = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(options: LocalQueueOptions) {
    this.#options = {
      batchingWindowMs: 250,
      batchSize: 10,
      maxReceives: 5,
      visibilityDelayMs: 500,
      ...options,
    };
  }

  send(record: SQSRecord): void {
    this.#waiting.push(record);
    if (this.#waiting.length >= this.#options.batchSize) this.#flush();
    else this.#timer ??= setTimeout(() => this.#flush(), this.#options.batchingWindowMs);
  }

  /** Resolves once nothing is waiting, in flight, or due for redelivery. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #isIdle(): boolean {
    return this.#busy === 0 && this.#waiting.length === 0 && this.#timer === undefined;
  }

  #settle(): void {
    if (!this.#isIdle()) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#waiting.splice(0, this.#options.batchSize);
    if (this.#waiting.length > 0)
      this.#timer = setTimeout(() => this.#flush(), this.#options.batchingWindowMs);
    if (batch.length === 0) {
      this.#settle();
      return;
    }
    this.#busy++;
    void this.#deliver(batch).finally(() => {
      this.#busy--;
      this.#settle();
    });
  }

  async #deliver(batch: SQSRecord[]): Promise<void> {
    let failed: Map<string, string>;
    try {
      const response = await this.#options.handle({ Records: batch });
      failed = new Map(response.batchItemFailures.map((item) => [item.itemIdentifier, 'reported as failed']));
    } catch (error) {
      // A handler that throws fails the whole batch, as in Lambda.
      failed = new Map(batch.map((record) => [record.messageId, String(error)]));
    }
    for (const record of batch) {
      const reason = failed.get(record.messageId);
      if (reason !== undefined) await this.#redeliverOrDeadLetter(record, reason);
    }
  }

  async #redeliverOrDeadLetter(record: SQSRecord, reason: string): Promise<void> {
    const receives = Number(record.attributes.ApproximateReceiveCount);
    if (receives >= this.#options.maxReceives) {
      try {
        await this.#options.onDeadLetter(record, reason);
      } catch (error) {
        // Never an unhandled rejection (it would end the `local` process), and never silent.
        process.emitWarning(
          `dead letter ${record.messageId} (${reason}) could not be recorded: ${String(error)}`,
          'ChartPromoterLocal',
        );
      }
      return;
    }
    const again: SQSRecord = {
      ...record,
      attributes: { ...record.attributes, ApproximateReceiveCount: String(receives + 1) },
    };
    this.#busy++;
    setTimeout(() => {
      this.#busy--;
      this.send(again);
    }, this.#options.visibilityDelayMs * receives);
  }
}
