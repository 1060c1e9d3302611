import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { AcceptedFluxEvent, FluxEventQueue } from '../ports/flux-event-queue';

/**
 * The feedback queue in AWS: an SQS FIFO queue. SendMessage returns only once SQS stored the message
 * (redundantly, across availability zones), so the endpoint's 202 follows a durable write.
 * - MessageDeduplicationId = the body's SHA-256: a Flux retry of the same delivery within SQS's
 *   five-minute deduplication interval is accepted (SendMessage succeeds) but not delivered twice.
 * - MessageGroupId = the HelmRelease: its events reach the worker in the order they were accepted,
 *   one after the other; other releases are not held up.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/using-messagededuplicationid-property.html
 */
export class SqsFluxEventQueue implements FluxEventQueue {
  constructor(
    private readonly client: Pick<SQSClient, 'send'>,
    private readonly queueUrl: string,
  ) {}

  async enqueue(event: AcceptedFluxEvent): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: event.body,
        MessageDeduplicationId: event.digest,
        MessageGroupId: event.group,
      }),
    );
  }
}
