import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface FeedbackQueueProps {
  /** At least 6 × the worker's timeout (AWS's advice for an SQS event source). */
  readonly visibilityTimeout: Duration;
  /** Receives before an event moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
}

/**
 * Where accepted Flux events wait for the feedback worker: a FIFO queue (one message group per
 * HelmRelease, so a release's events are handled in order; deduplication on the body's SHA-256, so
 * a Flux retry within five minutes is delivered once) and its FIFO dead-letter queue (a FIFO queue's
 * dead-letter queue must be FIFO too). SSE-SQS, TLS only. An event that failed `maxReceiveCount`
 * times waits 14 days in the dead-letter queue (README: "Flux events in the dead-letter queue").
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
 */
export class FeedbackQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: FeedbackQueueProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      fifo: true,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // The longest SQS allows: time to read the reason and redrive.
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Queue', {
      fifo: true,
      // The endpoint sets MessageDeduplicationId (the body's digest) itself.
      contentBasedDeduplication: false,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: props.visibilityTimeout,
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });
  }
}
