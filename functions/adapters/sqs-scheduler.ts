import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Clock } from '../ports/clock';
import type { PromotionCommand } from '../ports/promotion-command';
import { nextHopSeconds, type Scheduler } from '../ports/scheduler';

/**
 * The one SQS call this adapter makes, as a function: tests record it, the Lambda compositions pass
 * {@link sendMessageWith} over their (traced) SQSClient.
 */
export type SendMessage = (input: {
  QueueUrl: string;
  MessageBody: string;
  DelaySeconds: number;
}) => Promise<unknown>;

/** SendMessage through a real SQS client. */
export const sendMessageWith =
  (client: Pick<SQSClient, 'send'>): SendMessage =>
  (input) =>
    client.send(new SendMessageCommand(input));

/**
 * Schedules a promotion command on the intake queue with a delivery delay. SQS delays at most 900 s,
 * so a longer soak is a chain of hops: the command carries `notBefore`, and the promote function
 * re-schedules a command that arrives early (runPromotionCommand → `deferred`).
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 */
export class SqsScheduler implements Scheduler {
  constructor(
    private readonly options: {
      readonly queueUrl: string;
      readonly sendMessage: SendMessage;
      readonly clock: Clock;
    },
  ) {}

  async schedule(command: PromotionCommand, notBefore: Date): Promise<void> {
    const body =
      command.chartPromoter === 'promote' ? { ...command, notBefore: notBefore.toISOString() } : command;
    await this.options.sendMessage({
      QueueUrl: this.options.queueUrl,
      MessageBody: JSON.stringify(body),
      DelaySeconds: nextHopSeconds(this.options.clock.now(), notBefore),
    });
  }
}
